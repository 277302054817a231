import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expireStalledStart, START_GRACE_MS } from '../../shared/domain/starter/expire';
import { executionEnd, guardAliases, historyOf, mailTo, recordStatus, subscribeEmail } from '../support/engine';
import { eventually } from '../support/local-aws';
import { call } from './client';
import { startInterfaces, type InterfaceWorld, preparedFunction } from './world';

type ErrorBody = { error: { code: string; message: string; retryable?: boolean; details?: { deploymentId?: string; status?: string } } };
type Started = { deploymentId: string; executionArn: string; status: string };

const OPS = 'ops-api-transient@example.com';
/** Words of AWS that must never reach an API caller. */
const INTERNAL = /ThrottlingException|InternalServerError|AccessDeniedException|SlowDown|ProvisionedThroughput|not authorized|injected/;

function yamlSpec(name: string): string {
  return `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: ${name}/v2.zip\nstrategy:\n  preset: AllAtOnce\ntimeout: 6h\n`;
}

describe('starting a deployment through the API when AWS fails', () => {
  let world: InterfaceWorld;
  let base: string;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    // The start grace (15 simulated minutes) lasts 45 real seconds at this scale: no retry here outlives it.
    world = await startInterfaces({ timeScale: 0.05 });
    base = world.api.url;
    await subscribeEmail(world, world.plane.notificationTopicArn, OPS);
  });
  afterEach(() => {
    world.aws.faults.clear();
  });
  afterAll(async () => {
    await world?.stop();
  });

  const prepared = (label: string) => preparedFunction(world, touch(label));

  async function executionsNamed(name: string) {
    const out = await world.plane.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: world.plane.stateMachineArn, maxResults: 1000 }));
    return (out.executions ?? []).filter((e) => e.name === name);
  }

  async function deploymentsOf(name: string) {
    return (await world.plane.deps.store.listDeployments({ functionName: name, limit: 10 })).items;
  }

  it('answers 503 with retry-after and retryable when StartExecution is throttled, and the retry with the same Idempotency-Key starts the deployment once', async () => {
    // Prepare
    const name = await prepared('api-throttled-start-fn');
    const headers = { 'idempotency-key': `release-${name}` };
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'throttle', count: 3 });

    // Act
    const first = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    const waiting = await deploymentsOf(name);
    const retried = await call<Started>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    await executionEnd(world, retried.body.executionArn);

    // Assess
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.body.error).toMatchObject({ code: 'TryAgain', retryable: true, details: { deploymentId: retried.body.deploymentId } });
    expect(first.body.error.message).toContain('same Idempotency-Key');
    expect(JSON.stringify(first.body)).not.toMatch(INTERNAL);
    expect(waiting).toEqual([expect.objectContaining({ status: 'PENDING', startDeadline: waiting[0]!.createdAt + START_GRACE_MS })]);
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
    expect(await executionsNamed(retried.body.deploymentId)).toHaveLength(1);
    expect(await deploymentsOf(name)).toEqual([expect.objectContaining({ deploymentId: retried.body.deploymentId, status: 'SUCCEEDED' })]);
  });

  it('without an Idempotency-Key, ends the deployment Step Functions did not start REJECTED and answers 503 retryable: a retry starts one new deployment', async () => {
    // Prepare
    const name = await prepared('api-throttled-nokey-fn');
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'throttle', count: 3 });

    // Act
    const first = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) } });
    const afterFirst = await deploymentsOf(name);
    const retried = await call<Started>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) } });
    await executionEnd(world, retried.body.executionArn);

    // Assess
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(first.body.error).toMatchObject({ code: 'TryAgain', retryable: true });
    expect(first.body.error.message).toContain('nothing was started');
    expect(JSON.stringify(first.body)).not.toMatch(INTERNAL);
    expect(afterFirst).toEqual([expect.objectContaining({ status: 'REJECTED' })]);
    expect(afterFirst[0]!.reason).toContain('nothing was started');
    expect(await executionsNamed(afterFirst[0]!.deploymentId)).toHaveLength(0);
    expect(retried.status).toBe(202);
    expect(await recordStatus(world, retried.body.deploymentId, 'SUCCEEDED')).toMatchObject({ functionName: name });
    expect((await deploymentsOf(name)).map((r) => r.status).sort()).toEqual(['REJECTED', 'SUCCEEDED']);
  });

  it('answers 503 not retryable when Step Functions can neither start nor describe the deployment, whose PENDING record the repair loop REJECTs after the grace', async () => {
    // Prepare
    const name = await prepared('api-sfn-down-fn');
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'serverError', count: 3 });
    world.aws.faults.add({ service: 'states', operation: 'DescribeExecution', kind: 'serverError', count: 3 });

    // Act
    const first = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) } });
    const pending = (await deploymentsOf(name))[0]!;
    const deps = world.interfaceDeps;
    const expired = await expireStalledStart({ ...deps, clock: { now: () => deps.clock.now() + START_GRACE_MS, sleep: (ms: number) => deps.clock.sleep(ms) } }, pending);

    // Assess
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(first.body.error).toMatchObject({ code: 'StartUnconfirmed', retryable: false, details: { deploymentId: pending.deploymentId } });
    expect(first.body.error.message).toContain(`GET /deployments/${pending.deploymentId}`);
    expect(JSON.stringify(first.body)).not.toMatch(INTERNAL);
    expect(pending).toMatchObject({ status: 'PENDING', startDeadline: pending.createdAt + START_GRACE_MS });
    expect(expired.kind).toBe('expired');
    expect(expired.record.status).toBe('REJECTED');
    expect((await historyOf(world, pending.deploymentId)).map((e) => e.kind)).toEqual(['rejected']);
    const mail = await eventually(async () => (await mailTo(world, OPS)).find((m) => m.body.includes(pending.deploymentId)), { what: 'the expiry e-mail' });
    expect(mail.body).toContain('its execution did not start within 15 minutes');
  });

  it('answers 503 retryable and leaves nothing behind when S3 or DynamoDB fail before anything is recorded; the same request then starts', async () => {
    // Prepare
    const name = await prepared('api-before-record-fn');
    const headers = { 'idempotency-key': `release-${name}` };

    // Act
    world.aws.faults.add({ service: 's3', operation: 'HeadObject', kind: 'throttle', count: 3 });
    const artifactCheck = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    world.aws.faults.add({ service: 'dynamodb', operation: 'PutItem', kind: 'throttle', count: 3 });
    const recording = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    const between = await deploymentsOf(name);
    const retried = await call<Started>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    await executionEnd(world, retried.body.executionArn);

    // Assess
    for (const response of [artifactCheck, recording]) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.body.error).toMatchObject({ code: 'TryAgain', retryable: true });
      expect(response.body.error.message).toContain('nothing was started');
      expect(JSON.stringify(response.body)).not.toMatch(INTERNAL);
    }
    expect(between).toEqual([]);
    expect(retried.status).toBe(202);
    expect(await executionsNamed(retried.body.deploymentId)).toHaveLength(1);
  });

  it('ends a deployment Step Functions refuses for good (access denied) REJECTED: 422 StartFailed, not retryable, and 409 for a retry with the same key', async () => {
    // Prepare
    const name = await prepared('api-denied-start-fn');
    const headers = { 'idempotency-key': `release-${name}` };
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'error', code: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform: states:StartExecution', count: 1 });

    // Act
    const first = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    const retried = await call<ErrorBody>(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    const listed = await deploymentsOf(name);

    // Assess
    expect(first.status).toBe(422);
    expect(first.body.error).toMatchObject({ code: 'StartFailed', details: { status: 'REJECTED' } });
    expect(first.body.error.retryable).toBeUndefined();
    expect(first.headers.get('retry-after')).toBeNull();
    expect(JSON.stringify(first.body)).not.toMatch(INTERNAL);
    expect(retried.status).toBe(409);
    expect(retried.body.error).toMatchObject({ code: 'DeploymentFinished', details: { deploymentId: first.body.error.details?.deploymentId, status: 'REJECTED' } });
    expect(listed).toEqual([expect.objectContaining({ status: 'REJECTED' })]);
    expect(listed[0]!.reason).toContain('Step Functions would not start the execution');
    expect(await executionsNamed(listed[0]!.deploymentId)).toHaveLength(0);
  });
});
