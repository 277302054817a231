import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../shared/interfaces/http/json-body';
import { existingFunction, guardAliases, uploadArtifact, userCode } from '../support/engine';
import { call, type ApiResponse } from './client';
import { startInterfaces, type InterfaceWorld } from './world';

type ErrorBody = { error: { code: string; message: string; details?: { field?: string; in?: string; limit?: string; problems?: { field: string; in: string; message: string }[] } } };

function yamlSpec(name: string, extra = ''): string {
  return `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: ${name}/v2.zip\nstrategy:\n  preset: AllAtOnce\ntimeout: 6h\n${extra}`;
}

/** Nested `{"a": … }` objects, `depth` levels deep. */
function deepObject(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Asserts a 400 that names the field, where it is, and the limit it broke. */
function expectRefused(response: ApiResponse<ErrorBody>, field: string, where: string): void {
  expect(response.status, `${field}: ${JSON.stringify(response.body).slice(0, 300)}`).toBe(400);
  expect(response.body.error.details).toMatchObject({ field, in: where });
  expect(response.body.error.message).toContain(field === 'body' ? 'the body' : `"${field}"`);
  expect(response.body.error.details?.problems?.[0]).toMatchObject({ field, in: where, message: expect.any(String) });
}

describe('the deployments API refuses input that can never work', () => {
  let world: InterfaceWorld;
  let base: string;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startInterfaces();
    base = world.api.url;
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function executionsNamed(name: string) {
    const out = await world.plane.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: world.plane.stateMachineArn, maxResults: 1000 }));
    return (out.executions ?? []).filter((e) => e.name === name);
  }

  it('answers 400 naming the path parameter and its limit for ids and names that are too long or malformed', async () => {
    // Act
    const [longId, keyTooLong, spaced, separator, stopLong, approveLong, fnLong, aliasLong, aliasVersion] = await Promise.all([
      call<ErrorBody>(base, 'GET', `/deployments/${'a'.repeat(81)}`),
      // Longer than a DynamoDB key may be: the table must never be asked.
      call<ErrorBody>(base, 'GET', `/deployments/${'a'.repeat(3000)}`),
      call<ErrorBody>(base, 'GET', '/deployments/a%20b'),
      call<ErrorBody>(base, 'GET', '/deployments/%E2%80%A8x'),
      call<ErrorBody>(base, 'POST', `/deployments/${'s'.repeat(3000)}/stop`),
      call<ErrorBody>(base, 'POST', `/deployments/${'p'.repeat(3000)}/approve`),
      call<ErrorBody>(base, 'GET', `/functions/${'f'.repeat(3000)}/aliases/live`),
      call<ErrorBody>(base, 'GET', `/functions/orders/aliases/${'l'.repeat(3000)}`),
      call<ErrorBody>(base, 'GET', '/functions/orders/aliases/42'),
    ]);

    // Assess
    for (const response of [longId, keyTooLong, spaced, separator, stopLong, approveLong]) expectRefused(response, 'deploymentId', 'path');
    expect(keyTooLong.body.error.details?.limit).toContain('1-80 characters');
    expect(keyTooLong.body.error.message).toContain('3000 characters');
    expectRefused(fnLong, 'name', 'path');
    expectRefused(aliasLong, 'alias', 'path');
    expectRefused(aliasVersion, 'alias', 'path');
  });

  it('answers 404 for well-formed ids and names that do not exist', async () => {
    // Act
    const [deployment, stop, alias] = await Promise.all([
      call<ErrorBody>(base, 'GET', `/deployments/${'a'.repeat(80)}`),
      call<ErrorBody>(base, 'POST', '/deployments/api-01JD7X4Q9R8T5V2W3Y6Z0A1B2C/stop'),
      call<ErrorBody>(base, 'GET', `/functions/${'f'.repeat(64)}/aliases/live`),
    ]);

    // Assess
    expect([deployment.status, stop.status, alias.status]).toEqual([404, 404, 404]);
  });

  it('answers 400 naming the query parameter and its limit, with a bounded answer to a flood of unknown parameters', async () => {
    // Act
    const [fn, since, status, cursor, flood] = await Promise.all([
      call<ErrorBody>(base, 'GET', `/deployments?function=${'f'.repeat(3000)}`),
      call<ErrorBody>(base, 'GET', `/deployments?since=${'2026-01-01T00:00:00Z'.repeat(50)}`),
      call<ErrorBody>(base, 'GET', `/deployments?status=${'x'.repeat(3000)}`),
      call<ErrorBody>(base, 'GET', `/deployments?cursor=${'c'.repeat(3000)}`),
      call<ErrorBody>(base, 'GET', `/deployments?${Array.from({ length: 500 }, (_, i) => `p${i}=${i}`).join('&')}`),
    ]);

    // Assess
    expectRefused(fn, 'function', 'query');
    expectRefused(since, 'since', 'query');
    expectRefused(status, 'status', 'query');
    expectRefused(cursor, 'cursor', 'query');
    expect(cursor.body.error.details?.limit).toContain('at most 1024 characters');
    expect(flood.status).toBe(400);
    expect(flood.body.error.details?.problems).toHaveLength(5);
    expect(flood.body.error.details).toMatchObject({ omitted: 495 });
    expect(flood.body.error.message).toMatch(/and 495 more$/);
    expect(JSON.stringify(flood.body).length).toBeLessThan(2000);
  });

  it('answers 400 naming the Idempotency-Key header and its limit', async () => {
    // Act
    const [long, spaced] = await Promise.all([
      call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec('idem-fn') }, headers: { 'idempotency-key': 'k'.repeat(256) } }),
      call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec('idem-fn') }, headers: { 'idempotency-key': 'release 1' } }),
    ]);

    // Assess
    for (const response of [long, spaced]) {
      expectRefused(response, 'Idempotency-Key', 'header');
      expect(response.body.error.details?.limit).toBe('1-255 printable ASCII characters, no spaces');
    }
  });

  it(`refuses a body nested deeper than ${MAX_JSON_DEPTH} levels with 400 before reading it, on every route that takes one`, async () => {
    // Prepare
    const deep = deepObject(100_000);

    // Act
    const [asSpec, asBody, asArray, stop, approve] = await Promise.all([
      call<ErrorBody>(base, 'POST', '/deployments', { body: `{"spec":${deep}}`, type: 'application/json' }),
      call<ErrorBody>(base, 'POST', '/deployments', { body: deep, type: 'application/json' }),
      call<ErrorBody>(base, 'POST', '/deployments', { body: `${'['.repeat(400_000)}${']'.repeat(400_000)}`, type: 'application/json' }),
      call<ErrorBody>(base, 'POST', '/deployments/some-id/stop', { body: `{"reason":${deep}}`, type: 'application/json' }),
      call<ErrorBody>(base, 'POST', '/deployments/some-id/approve', { body: deep, type: 'application/json' }),
    ]);

    // Assess
    for (const response of [asSpec, asBody, asArray, stop, approve]) {
      expectRefused(response, 'body', 'body');
      expect(response.body.error.details?.limit).toBe(`at most ${MAX_JSON_DEPTH} levels of nesting`);
      expect(JSON.stringify(response.body)).not.toMatch(/Maximum call stack|RangeError/);
    }
  });

  it('accepts a spec object nested within the limit and judges it as a spec', async () => {
    // Act
    const response = await call<ErrorBody>(base, 'POST', '/deployments', { body: `{"spec":{"version":1,"x":${deepObject(MAX_JSON_DEPTH - 2)}}}`, type: 'application/json' });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('SpecInvalid');
  });

  it('refuses an artifact override S3 would refuse with 400 naming the field, and records nothing', async () => {
    // Prepare
    const name = 'override-fn';
    const spec = yamlSpec(name);

    // Act
    const responses = await Promise.all(
      [
        { bucket: 'Bad_Bucket', key: 'a.zip' },
        { bucket: '192.168.1.20', key: 'a.zip' },
        { bucket: 'xn--bucket', key: 'a.zip' },
        { bucket: 'b'.repeat(64), key: 'a.zip' },
        { bucket: 'good-bucket', key: 'é'.repeat(513) },
        { bucket: 'good-bucket', key: 'a\u0000b.zip' },
        { bucket: 'good-bucket', key: '' },
        { bucket: 'good-bucket', key: 'a.zip', versionId: 'v 1' },
        { imageUri: 'not-an-image' },
        { bucket: 'good-bucket', key: 'a.zip', region: 'eu-west-1' },
        's3://UPPER/a.zip',
        42,
      ].map((artifact) => call<ErrorBody>(base, 'POST', '/deployments', { json: { spec, artifact } })),
    );
    const listed = await call<{ items: unknown[] }>(base, 'GET', `/deployments?function=${name}`);

    // Assess
    const fields = ['artifact.bucket', 'artifact.bucket', 'artifact.bucket', 'artifact.bucket', 'artifact.key', 'artifact.key', 'artifact.key', 'artifact.versionId', 'artifact.imageUri', 'artifact', 'artifact', 'artifact'];
    responses.forEach((response, i) => expectRefused(response, fields[i]!, 'body'));
    expect(responses[4]!.body.error.message).toContain('1026 bytes; S3 keys are at most 1024 bytes');
    expect(listed.body.items).toEqual([]);
  });

  it('refuses a stop reason with control characters or over its length, and unknown body fields', async () => {
    // Act
    const [longReason, bell, unknownStop, unknownPromote] = await Promise.all([
      call<ErrorBody>(base, 'POST', '/deployments/some-id/stop', { json: { reason: 'r'.repeat(501) } }),
      call<ErrorBody>(base, 'POST', '/deployments/some-id/stop', { json: { reason: 'ring \u0007' } }),
      call<ErrorBody>(base, 'POST', '/deployments/some-id/stop', { json: { reason: 'ok', force: true } }),
      call<ErrorBody>(base, 'POST', '/deployments/some-id/promote', { json: { force: true } }),
    ]);

    // Assess
    expectRefused(longReason, 'reason', 'body');
    expect(longReason.body.error.details?.limit).toContain('at most 500 characters');
    expectRefused(bell, 'reason', 'body');
    expectRefused(unknownStop, 'force', 'body');
    expectRefused(unknownPromote, 'force', 'body');
  });

  it('refuses a body that gives a field twice, at any depth, with 400 naming it, on every route that takes one, and records nothing', async () => {
    // Prepare
    const name = 'twice-fn';
    const spec = JSON.stringify(yamlSpec(name));
    const specObject = `{"version":1,"function":"${name}","alias":"live","alias":"other","artifact":{"zip":"${name}/v2.zip"},"strategy":{"preset":"AllAtOnce"}}`;

    // Act
    const [specTwice, keyTwice, objectTwice, stepTwice, reasonTwice] = await Promise.all([
      call<ErrorBody>(base, 'POST', '/deployments', { body: `{"spec":${spec},"spec":${spec}}`, type: 'application/json' }),
      call<ErrorBody>(base, 'POST', '/deployments', { body: `{"spec":${spec},"artifact":{"bucket":"good-bucket","key":"a.zip","key":"b.zip"}}`, type: 'application/json' }),
      call<ErrorBody>(base, 'POST', '/deployments', { body: `{"spec":${specObject}}`, type: 'application/json' }),
      call<ErrorBody>(base, 'POST', '/deployments', { body: `{"spec":{"strategy":{"canary":{"steps":[{"setWeight":10},{"pause":"1m","pause":"2m"}]}}}}`, type: 'application/json' }),
      call<ErrorBody>(base, 'POST', '/deployments/some-id/stop', { body: '{"reason":"a","reason":"b"}', type: 'application/json' }),
    ]);
    const listed = await call<{ items: unknown[] }>(base, 'GET', `/deployments?function=${name}`);

    // Assess
    expectRefused(specTwice, 'spec', 'body');
    expectRefused(keyTwice, 'artifact.key', 'body');
    expectRefused(objectTwice, 'spec.alias', 'body');
    expectRefused(stepTwice, 'spec.strategy.canary.steps[1].pause', 'body');
    expectRefused(reasonTwice, 'reason', 'body');
    expect(specTwice.body.error.message).toContain('"spec" is given more than once');
    expect(listed.body.items).toEqual([]);
  });

  it('refuses a list query parameter given more than once with 400 naming it', async () => {
    // Act
    const [fn, limit, status] = await Promise.all([
      call<ErrorBody>(base, 'GET', '/deployments?function=orders-a&function=orders-b'),
      call<ErrorBody>(base, 'GET', '/deployments?limit=5&limit=5'),
      call<ErrorBody>(base, 'GET', '/deployments?status=running&status=failed'),
    ]);

    // Assess
    expectRefused(fn, 'function', 'query');
    expectRefused(limit, 'limit', 'query');
    expectRefused(status, 'status', 'query');
    expect(fn.body.error.message).toContain('given more than once');
  });

  it('refuses a spec whose execution input Step Functions would refuse with 422 before anything is recorded', async () => {
    // Prepare: 100 approval messages of 2,000 quotes each: 200 KB of YAML, over 400 KB as JSON.
    const name = 'huge-input-fn';
    await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const steps = Array.from({ length: 100 }, () => `      - approval: { message: '${'"'.repeat(2000)}', timeout: 1m }`).join('\n');
    const spec = `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: ${name}/v2.zip\ntimeout: 6h\nstrategy:\n  canary:\n    steps:\n      - setWeight: 10\n${steps}\n`;

    // Act
    const response = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec } });
    const listed = await call<{ items: unknown[] }>(base, 'GET', `/deployments?function=${name}`);

    // Assess
    expect(response.status).toBe(422);
    expect(JSON.stringify(response.body)).toMatch(/Step Functions allows per state \(262144 bytes/);
    expect(listed.body.items).toEqual([]);
  });

  it('turns an execution Step Functions refuses into a REJECTED record and a 422, also for a retry with the same Idempotency-Key', async () => {
    // Prepare
    const name = touch('refused-execution-fn');
    await existingFunction(world, name);
    await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'error', code: 'InvalidExecutionInput', status: 400, message: 'internal words', count: 1 });
    const headers = { 'idempotency-key': `release-${name}` };

    // Act
    const first = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    const retried = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    const listed = await call<{ items: { deploymentId: string; status: string }[] }>(base, 'GET', `/deployments?function=${name}`);

    // Assess
    expect([first.status, retried.status]).toEqual([422, 422]);
    expect(first.body.error.message).not.toMatch(/retry|try again/i);
    expect(JSON.stringify(first.body)).toContain('Step Functions refused the execution input');
    expect(JSON.stringify(first.body)).not.toMatch(/internal words|InvalidExecutionInput/);
    expect(listed.body.items).toEqual([expect.objectContaining({ status: 'REJECTED' })]);
    expect(await executionsNamed(listed.body.items[0]!.deploymentId)).toEqual([]);
    const detail = await call<{ problems: { message: string }[]; events: { kind: string }[] }>(base, 'GET', `/deployments/${listed.body.items[0]!.deploymentId}`);
    expect(detail.body.problems[0]!.message).toContain('nothing was started');
    expect(detail.body.events.map((e) => e.kind)).toEqual(['rejected']);
  });
});
