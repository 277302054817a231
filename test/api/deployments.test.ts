import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { finish } from '../../shared/domain/deployment/finish';
import type { DeploymentRecord } from '../../shared/model/deployment';
import type { DeploymentStore } from '../../shared/ports/deployment-store';
import { aliasOf, executionEnd, guardAliases, recordStatus, spec } from '../support/engine';
import { eventually } from '../support/local-aws';
import { call } from './client';
import { startInterfaces, type InterfaceWorld, preparedFunction } from './world';

function yamlSpec(name: string, strategy = 'preset: AllAtOnce', extra = ''): string {
  return `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: ${name}/v2.zip\nstrategy:\n  ${strategy}\ntimeout: 6h\n${extra}`;
}

const APPROVAL_CANARY = 'canary:\n    steps:\n      - setWeight: 10\n      - approval: { message: check it }\n      - setWeight: 50';

describe('the deployments API', () => {
  let world: InterfaceWorld;
  let base: string;
  const touch = guardAliases(() => world);
  const running: string[] = [];
  afterEach(async () => {
    for (const id of running.splice(0)) {
      const record = await world.plane.deps.store.getDeployment(id);
      if (record?.approvalId && record.status === 'AWAITING_APPROVAL') await decideApproval(world.plane.deps, { approvalId: record.approvalId, approve: false, by: 'test cleanup' }).catch(() => undefined);
      if (record?.executionArn) await executionEnd(world, record.executionArn);
    }
  });

  beforeAll(async () => {
    world = await startInterfaces();
    base = world.api.url;
  });
  afterAll(async () => {
    await world?.stop();
  });

  const prepared = (label: string) => preparedFunction(world, touch(label));

  it('starts a deployment from a YAML spec, answers 202, and shows the record with its timeline', async () => {
    // Prepare
    const name = await prepared('api-start-fn');

    // Act
    const started = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) } });
    const id = started.body['deploymentId'] as string;
    running.push(id);
    await executionEnd(world, started.body['executionArn'] as string);
    const detail = await call(base, 'GET', `/deployments/${id}`);

    // Assess
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'PENDING', functionName: name, alias: 'live' });
    expect(started.headers.get('location')).toBe(`/deployments/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ deploymentId: id, status: 'SUCCEEDED', startedBy: 'local', source: 'api', previousVersion: '1', newVersion: '2', artifact: { bucket: world.plane.bucket, key: `${name}/v2.zip` } });
    const events = detail.body['events'] as { kind: string; at: string }[];
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(['started', 'published', 'promoted']));
    expect(events.every((e) => !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(JSON.stringify(detail.body)).not.toContain('intent');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
  });

  it('accepts the spec as application/yaml with the artifact from the spec', async () => {
    // Prepare
    const name = await prepared('api-yaml-fn');

    // Act
    const started = await call(base, 'POST', '/deployments', { body: yamlSpec(name), type: 'application/yaml' });
    running.push(started.body['deploymentId'] as string);

    // Assess
    expect(started.status).toBe(202);
    expect(await executionEnd(world, started.body['executionArn'] as string)).toBe('SUCCEEDED');
  });

  it('makes retries with the same Idempotency-Key start one deployment, and refuses the key with another body', async () => {
    // Prepare
    const name = await prepared('api-idem-fn');
    const headers = { 'idempotency-key': `release-${name}-1` };

    // Act
    const first = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    const again = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) }, headers });
    const other = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(name, 'preset: Linear10PercentEvery1Minute') }, headers });
    running.push(first.body['deploymentId'] as string);
    await executionEnd(world, first.body['executionArn'] as string);

    // Assess
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body['deploymentId']).toBe(first.body['deploymentId']);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: { code: 'IdempotencyKeyReused', details: { deploymentId: first.body['deploymentId'] } } });
    const executions = await world.plane.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: world.plane.stateMachineArn }));
    expect(executions.executions?.filter((e) => e.name === first.body['deploymentId'])).toHaveLength(1);
    const history = await call<{ items: unknown[] }>(base, 'GET', `/deployments?function=${name}`);
    expect(history.body.items).toHaveLength(1);
  });

  it('answers 422 with every problem of an invalid spec and starts nothing', async () => {
    // Prepare
    const name = 'api-invalid-fn';
    const spec = `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: x.zip\nstrategy:\n  preset: Canary99PercentNever\nhealth:\n  checkIntervall: 1m\n`;

    // Act
    const response = await call<{ error: { code: string; details: { problems: { path: string; line: number }[] } } }>(base, 'POST', '/deployments', { json: { spec } });
    const listed = await call<{ items: unknown[] }>(base, 'GET', `/deployments?function=${name}`);

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('SpecInvalid');
    expect(response.body.error.details.problems.map((p) => p.path)).toEqual(['strategy.preset', 'health.checkIntervall']);
    expect(response.body.error.details.problems[0]!.line).toBe(7);
    expect(listed.body.items).toEqual([]);
  });

  it('answers 422 when the artifact does not exist, and starts nothing', async () => {
    // Act
    const response = await call<{ error: { code: string; details: { problems: { message: string }[] } } }>(base, 'POST', '/deployments', { json: { spec: yamlSpec('api-noartifact-fn') } });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.error.details.problems[0]).toMatchObject({ path: 'artifact.zip', message: `artifact not found or not readable: s3://${world.plane.bucket}/api-noartifact-fn/v2.zip (S3 answered NotFound)` });
    expect((await call<{ items: unknown[] }>(base, 'GET', '/deployments?function=api-noartifact-fn')).body.items).toEqual([]);
  });

  it('answers 422 naming the field, never 500, when S3 answers 403 for the artifact (a missing key without s3:ListBucket)', async () => {
    // Prepare
    const denied = { service: 's3', operation: 'HeadObject', kind: 'error', code: 'AccessDenied', status: 403, message: 'Access Denied', count: 1 } as const;
    type Refusal = { error: { code: string; details: { problems: { path: string; message: string }[] } } };

    // Act
    world.aws.faults.add(denied);
    const fromSpec = await call<Refusal>(base, 'POST', '/deployments', { json: { spec: yamlSpec('api-denied-fn') } });
    world.aws.faults.add(denied);
    const fromBody = await call<Refusal>(base, 'POST', '/deployments', { json: { spec: yamlSpec('api-denied-fn'), artifact: `s3://${world.plane.bucket}/elsewhere/v9.zip` } });

    // Assess
    expect([fromSpec.status, fromBody.status]).toEqual([422, 422]);
    expect(fromSpec.body.error.details.problems).toEqual([{ path: 'artifact.zip', message: `artifact not found or not readable: s3://${world.plane.bucket}/api-denied-fn/v2.zip (S3 answered AccessDenied)` }]);
    expect(fromBody.body.error.details.problems).toEqual([{ path: 'artifact', message: `artifact not found or not readable: s3://${world.plane.bucket}/elsewhere/v9.zip (S3 answered AccessDenied)` }]);
    expect((await call<{ items: unknown[] }>(base, 'GET', '/deployments?function=api-denied-fn')).body.items).toEqual([]);
  });

  it('refuses malformed requests with 400, 404, 405, 413 and 415 in the error format', async () => {
    // Act
    const responses = await Promise.all([
      call(base, 'GET', '/deployments?limit=101'),
      call(base, 'GET', '/deployments?limit=0'),
      call(base, 'GET', '/deployments?status=bogus&limit=x'),
      call(base, 'GET', '/deployments?alias=live'),
      call(base, 'GET', '/deployments?cursor=forged.cursor'),
      call(base, 'GET', '/deployments?since=yesterday'),
      call(base, 'POST', '/deployments', { body: '{"spec":', type: 'application/json' }),
      call(base, 'POST', '/deployments', { json: { spec: 'x', extra: 1 } }),
      call(base, 'POST', '/deployments', { json: { artifact: 's3://b/k' } }),
      call(base, 'POST', '/deployments', { body: 'hello', type: 'text/plain' }),
      call(base, 'GET', '/deployments/no-such-deployment'),
      call(base, 'GET', '/nowhere'),
      call(base, 'DELETE', '/deployments/x'),
      call(base, 'POST', '/deployments/no-such-deployment/stop'),
      call(base, 'POST', '/deployments', { body: 'x'.repeat(1024 * 1024 + 1), type: 'application/yaml' }),
    ]);

    // Assess
    expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400, 400, 400, 415, 404, 404, 405, 404, 413]);
    for (const response of responses) {
      expect(response.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String), requestId: expect.any(String) } });
    }
    expect((responses[2]!.body['error'] as { details: { problems: unknown[] } }).details.problems).toHaveLength(2);
  });

  it('hides internal failures behind a 500 with a request id', async () => {
    // Prepare
    world.aws.faults.add({ service: 'dynamodb', operation: 'GetItem', kind: 'error', code: 'ValidationException', status: 400, message: 'secret internal detail', count: 1 });

    // Act
    const response = await call<{ error: { code: string; message: string; requestId: string } }>(base, 'GET', '/deployments/some-id');

    // Assess
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('InternalError');
    expect(response.body.error.message).toContain(response.body.error.requestId);
    expect(JSON.stringify(response.body)).not.toContain('secret internal detail');
  });

  it('approves, promotes and stops through the API as the caller, and refuses controls on finished deployments with 409', async () => {
    // Prepare
    const name = await prepared('api-controls-fn');
    const started = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(name, APPROVAL_CANARY) } });
    const id = started.body['deploymentId'] as string;
    running.push(id);
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    const wrongApproval = await call(base, 'POST', `/deployments/${id}/approve`, { json: { approvalId: `${id}.a9` } });
    const promoted = await call(base, 'POST', `/deployments/${id}/promote`);
    const approved = await call(base, 'POST', `/deployments/${id}/approve`, { json: { approvalId: waiting.approvalId, comment: 'lgtm' } });
    const status = await executionEnd(world, started.body['executionArn'] as string);
    const afterStop = await call(base, 'POST', `/deployments/${id}/stop`, { json: { reason: 'too late' } });
    const afterPromote = await call(base, 'POST', `/deployments/${id}/promote`);
    const afterApprove = await call(base, 'POST', `/deployments/${id}/approve`);

    // Assess
    expect(wrongApproval.status).toBe(400);
    expect(promoted.status).toBe(202);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ decision: 'APPROVED', by: 'local' });
    expect(status).toBe('SUCCEEDED');
    expect([afterStop.status, afterPromote.status, afterApprove.status]).toEqual([409, 409, 409]);
    expect(afterStop.body).toMatchObject({ error: { code: 'DeploymentFinished' } });
    const detail = await call<{ events: { kind: string; message: string }[] }>(base, 'GET', `/deployments/${id}`);
    expect(detail.body.events.find((e) => e.kind === 'approvalGiven')?.message).toBe('approved by local: lgtm');
    expect(detail.body.events.map((e) => e.kind)).toContain('promoteRequested');
  });

  it('binds a decision to the approval it names: another step\'s approval id is refused with 400 and nothing is decided', async () => {
    // Prepare: two approval steps; the first is approved with its own id.
    const name = await prepared('api-two-approvals-fn');
    const twoApprovals = 'canary:\n    steps:\n      - setWeight: 10\n      - approval: { message: first }\n      - setWeight: 50\n      - approval: { message: second }';
    const started = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(name, twoApprovals) } });
    const id = started.body['deploymentId'] as string;
    running.push(id);
    const first = (await recordStatus(world, id, 'AWAITING_APPROVAL')).approvalId!;
    expect((await call(base, 'POST', `/deployments/${id}/approve`, { json: { approvalId: first } })).status).toBe(200);
    const second = await eventually(async () => {
      const record = await world.plane.deps.store.getDeployment(id);
      return record?.status === 'AWAITING_APPROVAL' && record.approvalId !== first ? record.approvalId : undefined;
    }, { what: 'the second approval' });

    // Act
    const replayed = await call<{ error: { code: string; details: { problems: { path: string }[]; approvalId: string } } }>(base, 'POST', `/deployments/${id}/reject`, { json: { approvalId: first } });
    const unknown = await call(base, 'POST', `/deployments/${id}/approve`, { json: { approvalId: `${id}.a77` } });

    // Assess
    expect(replayed.status).toBe(400);
    expect(replayed.body.error.code).toBe('BadRequest');
    expect(replayed.body.error.details).toMatchObject({ problems: [{ path: 'approvalId' }], approvalId: second });
    expect(unknown.status).toBe(400);
    expect(await world.plane.deps.store.getApproval(second!)).toMatchObject({ status: 'PENDING' });
    expect((await world.plane.deps.store.getDeployment(id))?.status).toBe('AWAITING_APPROVAL');
  });

  it('refuses approve/reject bodies with unknown, repeated or mistyped fields with 400 naming them, and decides nothing', async () => {
    // Prepare
    const name = await prepared('api-decision-body-fn');
    const started = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(name, APPROVAL_CANARY) } });
    const id = started.body['deploymentId'] as string;
    running.push(id);
    const { approvalId } = await recordStatus(world, id, 'AWAITING_APPROVAL');
    const decide = (verb: string, body: string, type = 'application/json') => call<{ error: { code: string; message: string; details?: { problems: { path: string; message: string }[] } } }>(base, 'POST', `/deployments/${id}/${verb}`, { body, type });

    // Act
    const responses = await Promise.all([
      decide('approve', JSON.stringify({ approvalId, comment: 'ok', force: true })),
      decide('reject', JSON.stringify({ approvalId, decision: 'approve', by: 'someone-else' })),
      decide('approve', `{"approvalId": ${JSON.stringify(`${id}.a9`)}, "approvalId": ${JSON.stringify(approvalId)}}`),
      decide('approve', JSON.stringify({ approvalId: 42 })),
      decide('approve', JSON.stringify({ comment: 'x'.repeat(1001) })),
      decide('approve', JSON.stringify(['approve'])),
      decide('approve', 'approvalId=x', 'application/x-www-form-urlencoded'),
    ]);

    // Assess
    expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 415]);
    expect(responses[0]!.body.error.details?.problems).toEqual([{ path: 'force', message: expect.stringContaining('not a field') }]);
    expect(responses[1]!.body.error.details?.problems.map((p) => p.path)).toEqual(['decision', 'by']);
    expect(responses[2]!.body.error.details?.problems).toEqual([{ path: 'approvalId', message: 'is given more than once' }]);
    expect(responses[3]!.body.error.details?.problems.map((p) => p.path)).toEqual(['approvalId']);
    expect(responses[4]!.body.error.details?.problems.map((p) => p.path)).toEqual(['comment']);
    expect(await world.plane.deps.store.getApproval(approvalId!)).toMatchObject({ status: 'PENDING' });
  });

  it('stops a running deployment: it rolls back', async () => {
    // Prepare
    const name = await prepared('api-stop-fn');
    const started = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(name, APPROVAL_CANARY) } });
    const id = started.body['deploymentId'] as string;
    running.push(id);
    await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    const stopped = await call(base, 'POST', `/deployments/${id}/stop`, { json: { reason: 'bad numbers' } });
    await executionEnd(world, started.body['executionArn'] as string);

    // Assess
    expect(stopped.status).toBe(202);
    expect((await recordStatus(world, id, 'ROLLED_BACK')).stopRequested?.reason).toBe('bad numbers');
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
  });

  it('shows what is live on an alias and its last deployments', async () => {
    // Prepare
    const name = await prepared('api-alias-fn');
    const started = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(name) } });
    running.push(started.body['deploymentId'] as string);
    await executionEnd(world, started.body['executionArn'] as string);

    // Act
    const alias = await call(base, 'GET', `/functions/${name}/aliases/live`);
    const missing = await call(base, 'GET', `/functions/${name}/aliases/nope`);

    // Assess
    expect(alias.status).toBe(200);
    expect(alias.body).toMatchObject({ functionName: name, alias: 'live', live: { version: '2', weights: {} }, deployments: [{ deploymentId: started.body['deploymentId'], status: 'SUCCEEDED' }] });
    expect(missing.status).toBe(404);
    const described = await world.plane.clients.sfn.send(new DescribeExecutionCommand({ executionArn: started.body['executionArn'] as string }));
    expect(described.status).toBe('SUCCEEDED');
  });

  it('shows an ended deployment\'s ending in its timeline, once, before and after the finisher appends it to the history', async () => {
    // Prepare: a running deployment, and a finisher whose history append waits until released
    const { store, clock, notifier } = world.plane.deps;
    const now = clock.now();
    const record: DeploymentRecord = { deploymentId: 'api-ending-dep', functionName: 'api-ending-fn', alias: 'live', status: 'RUNNING', spec: spec('api-ending-fn', { kind: 'allAtOnce' }), artifact: { bucket: 'b', key: 'k' }, startedBy: 'test', source: 'test', createdAt: now, updatedAt: now };
    await store.createDeployment(record);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let appending!: () => void;
    const reachedAppend = new Promise<void>((resolve) => (appending = resolve));
    const held: DeploymentStore = Object.assign(Object.create(store) as DeploymentStore, {
      appendEvent: async (...args: Parameters<DeploymentStore['appendEvent']>) => {
        appending();
        await released;
        return store.appendEvent(...args);
      },
    });

    // Act
    const finishing = finish({ store: held, clock, notifier }, record, { status: 'SUCCEEDED', eventKind: 'promoted', message: 'version 2 promoted' });
    await reachedAppend;
    const between = await call(base, 'GET', '/deployments/api-ending-dep');
    release();
    await finishing;
    const after = await call(base, 'GET', '/deployments/api-ending-dep');

    // Assess
    const endings = (body: Record<string, unknown>) => (body['events'] as { kind: string; message: string }[]).filter((e) => e.kind === 'promoted');
    expect(between.body).toMatchObject({ status: 'SUCCEEDED' });
    expect(endings(between.body)).toEqual([expect.objectContaining({ message: 'version 2 promoted', data: { status: 'SUCCEEDED' } })]);
    expect(await store.listEvents('api-ending-dep')).toHaveLength(1);
    expect(endings(after.body)).toEqual(endings(between.body));
  });
});
