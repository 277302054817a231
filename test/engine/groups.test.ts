import { GetProvisionedConcurrencyConfigCommand, InvokeCommand, PutProvisionedConcurrencyConfigCommand } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/local-aws';
import { aliasOf, deploymentId, executionEnd, existingFunction, guardAliases, historyOf, kinds, mailTo, settledAs, spec, startDeployment, startEngine, subscribeEmail, TIMED_PAUSES, uploadArtifact, userCode, type EngineWorld } from '../support/engine';
import type { DeploymentSpec, GroupShift, StrategySpec } from '../../shared/model/spec';
import { detailOf } from '../../shared/interfaces/http/api/views';
import { formatStatus } from '../../cli/format/deployment';
import { styleFor } from '../../cli/format/style';
import type { EngineState } from '../../shared/model/deployment';
import { DeploymentFinishedError, TransientAwsError } from '../../shared/model/engine-errors';
import { rollbackFailedGroup, rollbackGroup } from '../../shared/domain/deployment/group';

/** A group spec: `names[0]` is the spec's own function, the others its members, each with its artifact. */
function groupSpec(names: readonly string[], artifacts: readonly { bucket: string; key: string }[], strategy: StrategySpec, overrides: Parameters<typeof spec>[2] = {}, shift: GroupShift = 'lockstep'): DeploymentSpec {
  const base = spec(names[0]!, strategy, overrides);
  return {
    ...base,
    group: {
      shift,
      members: names.map((name, index) => ({ function: { name }, alias: 'live', artifact: { kind: 'zip', bucket: artifacts[index]!.bucket, key: artifacts[index]!.key } })),
    },
  };
}

const CANARY: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 300 }] };

/** 50% on the new versions, then an approval that waits an hour: a group held split. */
const APPROVAL_AT_50: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'approval', timeout: 3600 }] };

describe('function groups on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
    await subscribeEmail(world, world.plane.notificationTopicArn, 'groups@example.com');
  });
  afterAll(async () => {
    await world?.stop();
  });

  /**
   * Samples both aliases until the execution ends, invoking each (traffic feeds the alarms).
   * Returns every sample: each alias either whole or split between its old and the new version.
   */
  async function sampleUntilEnd(executionArn: string, names: readonly string[]): Promise<{ status: string; samples: { name: string; version: string; weights: Record<string, number> }[] }> {
    const samples: { name: string; version: string; weights: Record<string, number> }[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`execution ${executionArn} did not end within 60 s`);
      for (const name of names) {
        await Promise.all(Array.from({ length: 3 }, () => world.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live', Payload: Buffer.from('{}') }))));
        const alias = await aliasOf(world, name);
        samples.push({ name, version: alias.version, weights: alias.weights });
      }
      const described = await world.plane.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return { status: described.status!, samples };
    }
  }

  /** A group of two functions (`<label>-api`, `<label>-worker`, on v1) split at 50%, waiting for its approval. */
  async function groupAwaitingApproval(label: string): Promise<{ names: string[]; id: string; executionArn: string }> {
    const names = [touch(`${label}-api`), touch(`${label}-worker`)];
    for (const name of names) await existingFunction(world, name);
    const artifacts = [await uploadArtifact(world, `${label}/api-v2.zip`, userCode('v2')), await uploadArtifact(world, `${label}/worker-v2.zip`, userCode('v2'))];
    const id = deploymentId(label);
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: groupSpec(names, artifacts, APPROVAL_AT_50, { health: TIMED_PAUSES }), artifact: artifacts[0]! });
    await eventually(async () => ((await world.plane.deps.store.getDeployment(id))?.status === 'AWAITING_APPROVAL' ? true : undefined), { what: 'the group to wait for its approval' });
    return { names, id, executionArn };
  }

  it('moves every member of a healthy group to the same weight, then promotes them all in one deployment with a row per member', async () => {
    // Prepare
    const names = [touch('grp-ok-api'), touch('grp-ok-worker')];
    for (const name of names) await existingFunction(world, name);
    const artifacts = [await uploadArtifact(world, 'grp-ok/api-v2.zip', userCode('v2')), await uploadArtifact(world, 'grp-ok/worker-v2.zip', userCode('v2'))];
    const id = deploymentId('grp-ok');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: groupSpec(names, artifacts, CANARY, { health: TIMED_PAUSES }), artifact: artifacts[0]! });
    const { status, samples } = await sampleUntilEnd(executionArn, names);

    // Assess
    expect(status).toBe('SUCCEEDED');
    for (const sample of samples) expect(Object.keys(sample.weights).every((version) => version === '2')).toBe(true);
    const group = await settledAs(world, id, 'SUCCEEDED');
    expect(group.members?.map((member) => `${member.functionName}:${member.alias}`)).toEqual(names.map((name) => `${name}:live`));
    for (const [index, name] of names.entries()) {
      expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
      const member = await settledAs(world, `${id}.m${index}`, 'SUCCEEDED');
      expect(member).toMatchObject({ groupId: id, functionName: name, newVersion: '2', snapshot: { alias: { version: '1' } } });
      expect(kinds(await historyOf(world, member.deploymentId))).toContain('weight');
      expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    }
    const history = await historyOf(world, id);
    expect(kinds(history)).toEqual(expect.arrayContaining(['started', 'published', 'weight', 'promoted']));
    // The API's view and `fledge status` show every member.
    const members = await Promise.all(names.map((_, index) => world.plane.deps.store.getDeployment(`${id}.m${index}`)));
    const detail = JSON.parse(JSON.stringify({ ...detailOf(group, history, members.filter((member) => member !== undefined)), serverTime: new Date().toISOString() }));
    expect(detail.members.map((member: { functionName: string; status: string; newVersion: string }) => [member.functionName, member.status, member.newVersion])).toEqual(names.map((name) => [name, 'SUCCEEDED', '2']));
    const printed = formatStatus(detail, styleFor({ isTTY: false }, {})).join('\n');
    for (const name of names) expect(printed).toMatch(new RegExp(`Member\\s+${name}:live\\s+v1 → v2\\s+100%\\s+SUCCEEDED`));
    expect(history.find((event) => event.kind === 'weight')?.data).toMatchObject({ percent: 50 });
    // One notification for the group, naming both members; none for a member on its own.
    const mails = await eventually(async () => {
      const all = (await mailTo(world, 'groups@example.com')).filter((mail) => mail.body.includes(id));
      return all.length > 0 ? all : undefined;
    }, { what: 'the group\'s notification' });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body).toContain(names[1]!);
  });

  it('rolls every member back when one member\'s canary fails, leaving no member split once the deployment ended', async () => {
    // Prepare: the worker's release 2 throws on every request; the api's is healthy.
    const names = [touch('grp-red-api'), touch('grp-red-worker')];
    for (const name of names) await existingFunction(world, name);
    const artifacts = [await uploadArtifact(world, 'grp-red/api-v2.zip', userCode('v2')), await uploadArtifact(world, 'grp-red/worker-v2.zip', userCode('v2', { fails: true }))];
    const id = deploymentId('grp-red');
    const health = { alarms: [], checkInterval: 60, errorRate: { thresholdPercent: 5, minInvocations: 5 } };

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: groupSpec(names, artifacts, { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 1800 }] }, { health }), artifact: artifacts[0]! });
    const { status, samples } = await sampleUntilEnd(executionArn, names);

    // Assess: both were split by this deployment at some point, and both are back on version 1.
    expect(['FAILED', 'ABORTED']).toContain(status);
    expect(samples.some((sample) => sample.name === names[1] && sample.weights['2'] !== undefined)).toBe(true);
    const group = await settledAs(world, id, 'ROLLED_BACK');
    expect(group.reason).toMatch(new RegExp(`${names[1]}|error rate of version 2`));
    for (const [index, name] of names.entries()) {
      expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
      await settledAs(world, `${id}.m${index}`, 'ROLLED_BACK');
      expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    }
    expect(kinds(await historyOf(world, id)).at(-1)).toBe('rolledBack');
  });

  it('shifts no member when one member\'s publish fails: all published or none moves', async () => {
    // Prepare: the worker's artifact does not exist, so Lambda refuses its code.
    const names = [touch('grp-pub-api'), touch('grp-pub-worker')];
    for (const name of names) await existingFunction(world, name);
    const artifacts = [await uploadArtifact(world, 'grp-pub/api-v2.zip', userCode('v2')), { bucket: world.plane.bucket, key: 'grp-pub/missing.zip' }];
    const id = deploymentId('grp-pub');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: groupSpec(names, artifacts, CANARY, { health: TIMED_PAUSES }), artifact: artifacts[0]! });
    const { status, samples } = await sampleUntilEnd(executionArn, names);

    // Assess: never split, both on version 1, the group and both members ended.
    expect(status).toBe('FAILED');
    for (const sample of samples) expect(sample).toMatchObject({ version: '1', weights: {} });
    await settledAs(world, id, 'ROLLED_BACK');
    for (const [index, name] of names.entries()) {
      expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
      await settledAs(world, `${id}.m${index}`, 'ROLLED_BACK');
      expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    }
    expect(kinds(await historyOf(world, id))).not.toContain('weight');
  });

  it('refuses a second group that shares a function with a running one, holding none of its locks, and lets the first run on', async () => {
    // Prepare: group A waits at an approval at 50%; group B shares A's worker.
    const [api, worker, other] = [touch('grp-lock-api'), touch('grp-lock-worker'), touch('grp-lock-other')];
    for (const name of [api, worker, other]) await existingFunction(world, name);
    const v2 = (name: string) => uploadArtifact(world, `grp-lock/${name}-v2.zip`, userCode('v2'));
    const a = deploymentId('grp-lock-a');
    const b = deploymentId('grp-lock-b');
    const first = await startDeployment(world, { deploymentId: a, spec: groupSpec([api, worker], [await v2(api), await v2(worker)], APPROVAL_AT_50, { health: TIMED_PAUSES }), artifact: await v2(api) });
    await eventually(async () => ((await world.plane.deps.store.getDeployment(a))?.status === 'AWAITING_APPROVAL' ? true : undefined), { what: 'group A to wait for its approval' });

    // Act: B locks `other` first (sorted order), then meets A's lock on the worker.
    const second = await startDeployment(world, { deploymentId: b, spec: groupSpec([other, worker], [await v2(other), await v2(worker)], CANARY, { health: TIMED_PAUSES }), artifact: await v2(other) });

    // Assess
    const refused = await settledAs(world, b, 'REJECTED');
    expect(refused.reason).toContain(`is being deployed by group deployment ${a}`);
    expect(await world.plane.deps.store.getLock(other, 'live')).toBeUndefined();
    expect((await world.plane.deps.store.getLock(worker, 'live'))?.holder).toBe(`${a}.m1`);
    expect(await aliasOf(world, other)).toMatchObject({ version: '1', weights: {} });
    expect((await world.plane.deps.store.getDeployment(a))?.status).toBe('AWAITING_APPROVAL');
    void second;

    // Cleanup: stop A, which restores both of its members.
    await world.plane.deps.store.updateDeployment(a, { stopRequested: { by: 'test', at: Date.now() } });
    const approval = (await world.plane.deps.store.getDeployment(a))?.approvalId;
    if (approval) {
      const { decideApproval } = await import('../../shared/domain/deployment/approval');
      await decideApproval(world.plane.deps, { approvalId: approval, approve: false, by: 'test' });
    }
    await settledAs(world, a, 'ROLLED_BACK');
    void first;
    for (const name of [api, worker]) expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
  });

  it('restores every member when the group\'s execution is stopped from outside (the safety net repairs the group as one)', async () => {
    // Prepare: a group split at 50%, waiting for an approval.
    const { names, id, executionArn } = await groupAwaitingApproval('grp-net');
    for (const name of names) expect(Object.keys((await aliasOf(world, name)).weights)).toEqual(['2']);

    // Act: StopExecution runs no Catch; only the safety net can repair.
    await world.plane.clients.sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped from the console' }));

    // Assess
    const group = await settledAs(world, id, 'ROLLED_BACK');
    expect(group.reason).toContain('the execution was aborted');
    for (const [index, name] of names.entries()) {
      expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
      expect((await settledAs(world, `${id}.m${index}`, 'ROLLED_BACK')).ending?.data).toMatchObject({ repairedBy: 'safety-net' });
      expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    }
  });

  it('leaves a group the alarm abort took over to it: the execution restores no member and records nothing, and the alarm is the group\'s reason', async () => {
    // Prepare: a group split at 50%; the abort has taken the group over (its first step) but not
    // yet its members, and the execution's check, refused meanwhile, sends it to its Rollback.
    const { names, id, executionArn } = await groupAwaitingApproval('grp-taken');
    const reason = 'alarm grp-taken-business went to ALARM';
    await world.plane.deps.store.updateDeployment(id, { abandonedAt: world.aws.clock.now(), abandonedFor: reason });
    const group = (await world.plane.deps.store.getDeployment(id))!;
    const state = { deploymentId: id, spec: group.spec, artifact: group.artifact, startedBy: group.startedBy, source: group.source, failure: { Error: 'fledge.DeploymentFinished', Cause: `deployment ${id} has ended (RUNNING) or is being rolled back: no check` } } as EngineState;
    const memberIds = names.map((_, index) => `${id}.m${index}`);
    const before = await Promise.all(memberIds.map((memberId) => world.plane.deps.store.getDeployment(memberId)));

    // Act
    const waited = await rollbackGroup(world.plane.deps, state).catch((error: unknown) => error);
    const leftAlone = await rollbackFailedGroup(world.plane.deps, { ...state, rollbackFailure: { Error: 'fledge.Transient', Cause: 'waiting for its ending' } }).catch((error: unknown) => error);
    const after = await Promise.all(memberIds.map((memberId) => world.plane.deps.store.getDeployment(memberId)));
    const aliases = await Promise.all(names.map((name) => aliasOf(world, name)));
    // Its execution ends; the safety net finishes the ending should the abort have died.
    await world.plane.clients.sfn.send(new StopExecutionCommand({ executionArn, error: 'fledge.Unreported' }));

    // Assess
    expect(waited).toBeInstanceOf(TransientAwsError);
    expect(leftAlone).toBeInstanceOf(DeploymentFinishedError);
    expect(after).toEqual(before);
    for (const alias of aliases) expect(Object.keys(alias.weights)).toEqual(['2']);
    expect((await settledAs(world, id, 'ROLLED_BACK')).reason).toBe(reason);
    for (const [index, name] of names.entries()) {
      expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
      expect((await settledAs(world, `${id}.m${index}`, 'ROLLED_BACK')).reason).toBe(reason);
    }
  });

  it('refuses a group whose member serves a version with provisioned concurrency before anything moves, and shifts it with provisionedConcurrency: off', async () => {
    // Prepare: the worker's version 1 has READY PC of its own.
    const names = [touch('grp-pc-api'), touch('grp-pc-worker')];
    for (const name of names) await existingFunction(world, name);
    await world.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: names[1], Qualifier: '1', ProvisionedConcurrentExecutions: 4 }));
    await eventually(async () => ((await world.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: names[1], Qualifier: '1' }))).Status === 'READY' ? true : undefined), { what: 'PC on version 1 READY' });
    const artifacts = [await uploadArtifact(world, 'grp-pc/api-v2.zip', userCode('v2')), await uploadArtifact(world, 'grp-pc/worker-v2.zip', userCode('v2'))];
    const refusedId = deploymentId('grp-pc');
    const offId = deploymentId('grp-pc-off');

    // Act
    const refused = await startDeployment(world, { deploymentId: refusedId, spec: groupSpec(names, artifacts, CANARY, { health: TIMED_PAUSES }), artifact: artifacts[0]! });
    const refusedEnd = await executionEnd(world, refused.executionArn);
    const aliasesAfterRefusal = await Promise.all(names.map((name) => aliasOf(world, name)));
    const off = await startDeployment(world, { deploymentId: offId, spec: { ...groupSpec(names, artifacts, CANARY, { health: TIMED_PAUSES }), provisionedConcurrency: 'off' }, artifact: artifacts[0]! });
    const offEnd = await executionEnd(world, off.executionArn);

    // Assess
    expect(refusedEnd).toBe('FAILED');
    const record = await settledAs(world, refusedId, 'REJECTED');
    expect(record.reason).toContain(`${names[1]}:live serves a version with provisioned concurrency (4)`);
    for (const alias of aliasesAfterRefusal) expect(alias).toMatchObject({ version: '1', weights: {} });
    expect(offEnd).toBe('SUCCEEDED');
    for (const name of names) expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
  });

  it('leaves a member whose code is already served where it is (NO_CHANGE) while the others move and are promoted', async () => {
    // Prepare: the worker's artifact is the code it already serves.
    const names = [touch('grp-same-api'), touch('grp-same-worker')];
    for (const name of names) await existingFunction(world, name);
    const artifacts = [await uploadArtifact(world, 'grp-same/api-v2.zip', userCode('v2')), await uploadArtifact(world, 'grp-same/worker-v1.zip', userCode('v1'))];
    const id = deploymentId('grp-same');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: groupSpec(names, artifacts, CANARY, { health: TIMED_PAUSES }), artifact: artifacts[0]! });
    const { status, samples } = await sampleUntilEnd(executionArn, names);

    // Assess
    expect(status).toBe('SUCCEEDED');
    for (const sample of samples.filter((sample) => sample.name === names[1])) expect(sample).toMatchObject({ version: '1', weights: {} });
    await settledAs(world, id, 'SUCCEEDED');
    expect(await aliasOf(world, names[0]!)).toMatchObject({ version: '2', weights: {} });
    await settledAs(world, `${id}.m0`, 'SUCCEEDED');
    await settledAs(world, `${id}.m1`, 'NO_CHANGE');
    expect(await world.plane.deps.store.getLock(names[1]!, 'live')).toBeUndefined();
  });

  /** Whether a sample shows the alias wholly on `version`. */
  const whole = (sample: { version: string; weights: Record<string, number> }, version: string) => sample.version === version && Object.keys(sample.weights).length === 0;

  it('shifts an ordered group one member after another: the first reaches 100% before the second moves, then both are promoted', async () => {
    // Prepare
    const names = [touch('grp-ord-api'), touch('grp-ord-worker')];
    for (const name of names) await existingFunction(world, name);
    const artifacts = [await uploadArtifact(world, 'grp-ord/api-v2.zip', userCode('v2')), await uploadArtifact(world, 'grp-ord/worker-v2.zip', userCode('v2'))];
    const id = deploymentId('grp-ord');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: groupSpec(names, artifacts, CANARY, { health: TIMED_PAUSES }, 'ordered'), artifact: artifacts[0]! });
    const { status, samples } = await sampleUntilEnd(executionArn, names);

    // Assess: while the worker was off version 1 alone, the api was already wholly on version 2.
    expect(status).toBe('SUCCEEDED');
    const api = samples.filter((sample) => sample.name === names[0]);
    const worker = samples.filter((sample) => sample.name === names[1]);
    expect(api.some((sample) => sample.weights['2'] !== undefined)).toBe(true);
    const firstWorkerMove = samples.findIndex((sample) => sample.name === names[1] && !whole(sample, '1'));
    const lastApiShort = samples.findLastIndex((sample) => sample.name === names[0] && !whole(sample, '2'));
    expect(firstWorkerMove).toBeGreaterThan(lastApiShort);
    expect(worker.some((sample) => sample.weights['2'] !== undefined)).toBe(true);
    // The group's history: the api at 50%, then at 100%, then the worker at 50%; then the promotion.
    const history = await historyOf(world, id);
    const weights = history.filter((event) => event.kind === 'weight').map((event) => `${String(event.data?.['functionName'])} ${String(event.data?.['percent'])}`);
    expect(weights).toEqual([`${names[0]} 50`, `${names[0]} 100`, `${names[1]} 50`]);
    expect(kinds(history).at(-1)).toBe('promoted');
    await settledAs(world, id, 'SUCCEEDED');
    for (const [index, name] of names.entries()) {
      expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
      await settledAs(world, `${id}.m${index}`, 'SUCCEEDED');
      expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    }
  });

  it('rolls back every member of an ordered group when the second one\'s canary fails, the first one from 100%', async () => {
    // Prepare: the worker's release 2 throws on every request; the api's is healthy and walks first.
    const names = [touch('grp-ord-red-api'), touch('grp-ord-red-worker')];
    for (const name of names) await existingFunction(world, name);
    const artifacts = [await uploadArtifact(world, 'grp-ord-red/api-v2.zip', userCode('v2')), await uploadArtifact(world, 'grp-ord-red/worker-v2.zip', userCode('v2', { fails: true }))];
    const id = deploymentId('grp-ord-red');
    const health = { alarms: [], checkInterval: 60, errorRate: { thresholdPercent: 5, minInvocations: 5 } };

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: groupSpec(names, artifacts, CANARY, { health }, 'ordered'), artifact: artifacts[0]! });
    const { status, samples } = await sampleUntilEnd(executionArn, names);

    // Assess: the api was wholly on version 2 while the worker was split; both are back on version 1.
    expect(['FAILED', 'ABORTED']).toContain(status);
    const workerSplit = samples.findIndex((sample) => sample.name === names[1] && sample.weights['2'] !== undefined);
    expect(workerSplit).toBeGreaterThanOrEqual(0);
    expect(samples.slice(0, workerSplit).some((sample) => sample.name === names[0] && whole(sample, '2'))).toBe(true);
    const group = await settledAs(world, id, 'ROLLED_BACK');
    expect(group.reason).toMatch(new RegExp(`${names[1]}|error rate of version 2`));
    for (const [index, name] of names.entries()) {
      expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
      expect((await settledAs(world, `${id}.m${index}`, 'ROLLED_BACK')).status).toBe('ROLLED_BACK');
      expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
    }
    expect(kinds(await historyOf(world, id)).at(-1)).toBe('rolledBack');
  });
});
