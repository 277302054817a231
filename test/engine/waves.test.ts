import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { StsService } from '@fledge-local/embedded-aws';
import { clientConfig } from '@fledge-local/embedded-aws/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingFunction as createExistingFunction } from '../../local/world/functions';
import { targetDeploymentId } from '../../shared/domain/deployment/waves';
import type { ExecutionInput } from '../../shared/model/deployment';
import type { TargetSpec } from '../../shared/model/spec';
import { SWEEP_DEFAULTS, sweep } from '../../shared/domain/deployment/sweeper';
import { alarmEvent, deploymentId, kinds, ROLE, spec, startEngine, TIMED_PAUSES, uploadArtifact, userCode, type EngineWorld } from '../support/engine';
import { eventually } from '../support/local-aws';

const EXTERNAL_ID = 'fledge-waves-test';
const EU: TargetSpec = { id: 'eu', accountId: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/fledge-target', externalId: EXTERNAL_ID, dependsOn: [] };
const US: TargetSpec = { id: 'us', accountId: '222222222222', region: 'us-east-1', roleArn: 'arn:aws:iam::222222222222:role/fledge-target', externalId: EXTERNAL_ID, dependsOn: ['eu'] };

/** The Lambda of a target's account and region, as the person who owns it sees it. */
async function targetLambda(world: EngineWorld, target: TargetSpec): Promise<LambdaClient> {
  const sts = new STSClient(clientConfig(world.aws));
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: target.roleArn, RoleSessionName: 'test', ExternalId: target.externalId }));
  return new LambdaClient({ ...clientConfig(world.aws), region: target.region, credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken } });
}

async function aliasIn(world: EngineWorld, target: TargetSpec, name: string): Promise<{ version?: string; weights: Record<string, number>; revisionId?: string }> {
  const out = await (await targetLambda(world, target)).send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
  return { version: out.FunctionVersion, weights: { ...(out.RoutingConfig?.AdditionalVersionWeights ?? {}) }, revisionId: out.RevisionId };
}

/** Runs a wave run on the real wave runner's state machine until its execution ends; its status and the run's record. */
async function runWaves(world: EngineWorld, input: ExecutionInput): Promise<{ execution: string; status: string | undefined }> {
  const sfn = world.plane.clients.sfn;
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: world.plane.wavesStateMachineArn, name: input.deploymentId, input: JSON.stringify(input) }));
  const execution = await eventually(async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === 'RUNNING' ? undefined : described;
  }, { timeoutMs: 120_000, intervalMs: 50, what: `wave run ${input.deploymentId} to end` });
  return { execution: `${execution.status}${execution.error ? ` ${execution.error}` : ''}`, status: (await world.plane.deps.store.getDeployment(input.deploymentId))?.status };
}

describe('waves across accounts and regions', () => {
  let world: EngineWorld;
  let artifact: { bucket: string; key: string };
  let n = 0;

  beforeAll(async () => {
    world = await startEngine();
    const sts = world.aws.service<StsService>('sts');
    for (const target of [EU, US]) sts.putRole({ roleArn: target.roleArn, trustedAccounts: ['000000000000'], externalId: EXTERNAL_ID });
    artifact = await uploadArtifact(world, 'waves/v2.zip', userCode('v2'));
  }, 60_000);
  afterAll(async () => world.stop());

  /** A function serving v1 behind `live` in each target; the spec deploys v2 there in waves (canary 50%, one pause). */
  async function prepared(label: string, targets: readonly TargetSpec[], overrides: { rollbackPromotedWaves?: boolean; pause?: number; errorRate?: boolean } = {}) {
    n += 1;
    const name = `checkout-${label}-${n}`;
    for (const target of targets) await createExistingFunction({ lambda: await targetLambda(world, target) }, name, userCode('v1'), { role: ROLE, alias: 'live' });
    const input: ExecutionInput = {
      deploymentId: deploymentId(label),
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: overrides.pause ?? 60 }] }, {
        // With an error rate, fledge makes its alarm on the new version (in the target's account and region).
        health: { ...TIMED_PAUSES, ...(overrides.errorRate ? { errorRate: { thresholdPercent: 50, minInvocations: 1000 } } : {}) },
        targets,
        rollbackPromotedWaves: overrides.rollbackPromotedWaves ?? true,
      }),
      artifact,
      startedBy: 'waves-test',
      source: 'test',
    };
    return { name, input };
  }

  /** The input with a beforeTraffic hook that exists in EU's account only: the US target's deployment fails before its traffic moves. */
  async function withHookInEuOnly(name: string, input: ExecutionInput): Promise<ExecutionInput> {
    await createExistingFunction({ lambda: await targetLambda(world, EU) }, `${name}-precheck`, userCode('hook'), { role: ROLE, alias: 'live' });
    return { ...input, spec: { ...input.spec, hooks: { beforeTraffic: `${name}-precheck` } } };
  }

  it('deploys eu-west-1 of one account, then us-east-1 of another, each promoted in its own partition', async () => {
    // Prepare
    const { name, input } = await prepared('waves-ok', [EU, US]);

    // Act
    const step = await runWaves(world, input);

    // Assess
    expect(step).toEqual({ execution: 'SUCCEEDED', status: 'SUCCEEDED' });
    const eu = await world.plane.deps.store.getDeployment(targetDeploymentId(input.deploymentId, 'eu'));
    const us = await world.plane.deps.store.getDeployment(targetDeploymentId(input.deploymentId, 'us'));
    expect([eu?.status, us?.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(eu?.target).toEqual({ id: 'eu', accountId: '111111111111', region: 'eu-west-1' });
    // The second wave started only after the first had ended.
    expect(us!.createdAt).toBeGreaterThanOrEqual(eu!.updatedAt);
    expect(await aliasIn(world, EU, name)).toMatchObject({ version: '2', weights: {} });
    expect(await aliasIn(world, US, name)).toMatchObject({ version: '2', weights: {} });
  }, 150_000);

  it('rolls back both waves when the second fails, with rollbackPromotedWaves by default', async () => {
    // Prepare: the beforeTraffic hook exists in the first wave's account only, so the second wave's deployment fails
    const { name, input } = await prepared('waves-fail', [EU, US]);
    const failing = await withHookInEuOnly(name, input);

    // Act
    const step = await runWaves(world, failing);

    // Assess
    expect(step).toEqual({ execution: 'FAILED fledge.RolledBack', status: 'ROLLED_BACK' });
    const parent = await world.plane.deps.store.getDeployment(input.deploymentId);
    expect(parent?.reason).toContain('target us (account 222222222222, us-east-1) ended ROLLED_BACK');
    const eu = await world.plane.deps.store.getDeployment(targetDeploymentId(input.deploymentId, 'eu'));
    expect(eu?.status).toBe('ROLLED_BACK');
    expect(eu?.reason).toContain('wave rolled back because target us');
    expect(await aliasIn(world, EU, name)).toMatchObject({ version: '1', weights: {} });
    expect(await aliasIn(world, US, name)).toMatchObject({ version: '1', weights: {} });
  }, 150_000);

  it('keeps the promoted first wave when the second fails and rollbackPromotedWaves is false', async () => {
    // Prepare
    const { name, input } = await prepared('waves-keep', [EU, US], { rollbackPromotedWaves: false });
    const failing = await withHookInEuOnly(name, input);

    // Act
    const step = await runWaves(world, failing);

    // Assess
    expect(step).toEqual({ execution: 'FAILED fledge.RolledBack', status: 'ROLLED_BACK' });
    const parent = await world.plane.deps.store.getDeployment(input.deploymentId);
    expect(parent?.reason).toContain('promoted targets kept (rollbackPromotedWaves: false): eu');
    expect((await world.plane.deps.store.getDeployment(targetDeploymentId(input.deploymentId, 'eu')))?.status).toBe('SUCCEEDED');
    expect(await aliasIn(world, EU, name)).toMatchObject({ version: '2', weights: {} });
    expect(await aliasIn(world, US, name)).toMatchObject({ version: '1', weights: {} });
  }, 150_000);

  /** Starts a wave run (default eu, then us) on the real wave runner and waits until eu's alias is split. */
  async function splitFirstWave(label: string, options: { targets?: readonly TargetSpec[]; pause?: number; errorRate?: boolean } = {}): Promise<{ name: string; input: ExecutionInput; runnerArn: string; euId: string }> {
    const { targets = [EU, US], ...overrides } = options;
    const { name, input } = await prepared(label, targets, { pause: 3600, ...overrides });
    const { executionArn } = await world.plane.clients.sfn.send(new StartExecutionCommand({ stateMachineArn: world.plane.wavesStateMachineArn, name: input.deploymentId, input: JSON.stringify(input) }));
    await eventually(async () => (Object.keys((await aliasIn(world, EU, name)).weights).length > 0 ? true : undefined), { timeoutMs: 60_000, what: `${name} to be split in eu-west-1` });
    return { name, input, runnerArn: executionArn!, euId: targetDeploymentId(input.deploymentId, 'eu') };
  }

  it('restores a target\'s alias in the target when its execution is stopped from outside: the safety net acts there, with the target\'s role', async () => {
    // Prepare
    const { name, input, euId } = await splitFirstWave('waves-net');
    const euExecution = (await world.plane.deps.orchestrator.findExecution(euId))!;

    // Act: StopExecution runs no Catch; only the safety net can restore the alias.
    await world.plane.clients.sfn.send(new StopExecutionCommand({ executionArn: euExecution.executionArn, error: 'Operator', cause: 'stopped from the console' }));

    // Assess: back on v1 in eu-west-1 (not DRIFTED for want of the alias in fledge's account), the run rolled back, us never started.
    const eu = await eventually(async () => {
      const record = await world.plane.deps.store.getDeployment(euId);
      return record?.status === 'ROLLED_BACK' ? record : undefined;
    }, { timeoutMs: 60_000, what: 'the eu target to be rolled back' });
    expect(eu.ending?.data).toMatchObject({ repairedBy: 'safety-net', aliasWasChanged: true });
    expect(await aliasIn(world, EU, name)).toMatchObject({ version: '1', weights: {} });
    const parent = await eventually(async () => {
      const record = await world.plane.deps.store.getDeployment(input.deploymentId);
      return record?.status === 'ROLLED_BACK' ? record : undefined;
    }, { timeoutMs: 60_000, what: 'the wave run to end' });
    expect(parent.reason).toContain('target eu (account 111111111111, eu-west-1) ended ROLLED_BACK');
    expect(await world.plane.deps.store.getDeployment(targetDeploymentId(input.deploymentId, 'us'))).toBeUndefined();
  }, 150_000);

  it('rolls a target back in its target on an alarm event forwarded from the target\'s account, and never on a same-named alarm of fledge\'s own', async () => {
    // Prepare: the first wave split; fledge's alarm on the new version lives in eu-west-1 of the target account.
    const { name, euId } = await splitFirstWave('waves-alarm', { errorRate: true });
    const eu = (await world.plane.deps.store.getDeployment(euId))!;
    expect(eu.alarmName).toBeDefined();
    const event = (account: string, region: string) => alarmEvent(world, eu.alarmName!, { id: `alarm-${account}`, from: { account, region } });

    // Act
    const home = await world.aws.services.lambda.invoke(world.plane.functions.Abort, event('000000000000', world.aws.region));
    const untouched = await aliasIn(world, EU, name);
    const forwarded = await world.aws.services.lambda.invoke(world.plane.functions.Abort, event(EU.accountId, EU.region));

    // Assess
    expect(JSON.parse(home.payload.toString('utf8'))).toEqual({ outcomes: [] });
    expect(Object.keys(untouched.weights)).toEqual(['2']);
    expect(JSON.parse(forwarded.payload.toString('utf8'))).toMatchObject({ outcomes: [{ deploymentId: euId, outcome: 'rolled-back' }] });
    expect(await aliasIn(world, EU, name)).toMatchObject({ version: '1', weights: {} });
    expect((await world.plane.deps.store.getDeployment(euId))?.reason).toContain(`alarm ${eu.alarmName} went to ALARM`);
  }, 150_000);

  it('winds down a wave run whose runner died: the repair loop stops the target in flight, then ends the run, and starts no later wave', async () => {
    // Prepare: the first wave split, then the wave runner's own execution stopped.
    const { name, input, runnerArn, euId } = await splitFirstWave('waves-orphan');
    await world.plane.clients.sfn.send(new StopExecutionCommand({ executionArn: runnerArn, error: 'Operator', cause: 'stopped from the console' }));
    const sweepNow = () => sweep(world.plane.deps, { ...SWEEP_DEFAULTS, graceMs: 0 });

    // Act: the repair loop, as often as it runs on AWS, until the run has ended.
    const parent = await eventually(async () => {
      const report = await sweepNow();
      expect(report.failures).toEqual([]);
      const record = await world.plane.deps.store.getDeployment(input.deploymentId);
      return record !== undefined && record.status !== 'RUNNING' ? record : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250, what: 'the orphaned wave run to be wound down' });

    // Assess
    expect(parent.status).toBe('ROLLED_BACK');
    expect(parent.reason).toContain("the wave runner's execution ended ABORTED without ending the run");
    expect((await world.plane.deps.store.getDeployment(euId))?.status).toBe('ROLLED_BACK');
    expect(kinds(await world.plane.deps.store.listEvents(euId))).toContain('stopRequested');
    expect(await aliasIn(world, EU, name)).toMatchObject({ version: '1', weights: {} });
    expect(await world.plane.deps.store.getDeployment(targetDeploymentId(input.deploymentId, 'us'))).toBeUndefined();
    expect(parent.waves?.find((wave) => wave.id === 'us')?.reason).toContain('never started');
  }, 150_000);

  it('ends a wave run whose runner died after its last target succeeded SUCCEEDED, never undoing the promoted targets', async () => {
    // Prepare: one target, mid-bake; the runner is stopped, the target's own execution goes on to promote.
    const { name, input, runnerArn, euId } = await splitFirstWave('waves-late', { targets: [EU], pause: 600 });
    await world.plane.clients.sfn.send(new StopExecutionCommand({ executionArn: runnerArn, error: 'Operator', cause: 'stopped from the console' }));
    await eventually(async () => ((await world.plane.deps.store.getDeployment(euId))?.status === 'SUCCEEDED' ? true : undefined), { timeoutMs: 60_000, what: 'the eu target to be promoted' });

    // Act
    const report = await sweep(world.plane.deps, { ...SWEEP_DEFAULTS, graceMs: 0 });

    // Assess
    expect(report.failures).toEqual([]);
    expect((await world.plane.deps.store.getDeployment(input.deploymentId))?.status).toBe('SUCCEEDED');
    expect((await world.plane.deps.store.getDeployment(euId))?.status).toBe('SUCCEEDED');
    expect(await aliasIn(world, EU, name)).toMatchObject({ version: '2', weights: {} });
  }, 150_000);

  it('deploys a group to two targets at once: each target\'s members lock and promote in their own account and region, neither refusing the other', async () => {
    // Prepare: the api and its worker in both targets, deployed together as a group, the two targets in one wave.
    const parallel = [EU, { ...US, dependsOn: [] }];
    const { name, input } = await prepared('waves-group', parallel);
    const worker = `${name}-worker`;
    for (const target of parallel) await createExistingFunction({ lambda: await targetLambda(world, target) }, worker, userCode('v1'), { role: ROLE, alias: 'live' });
    const members = [name, worker].map((fn) => ({ function: { name: fn }, alias: 'live', artifact: { kind: 'zip' as const, bucket: artifact.bucket, key: artifact.key } }));
    const grouped: ExecutionInput = { ...input, spec: { ...input.spec, group: { shift: 'lockstep', members } } };

    // Act
    const step = await runWaves(world, grouped);

    // Assess
    expect(step).toEqual({ execution: 'SUCCEEDED', status: 'SUCCEEDED' });
    for (const target of parallel) {
      const groupId = targetDeploymentId(input.deploymentId, target.id);
      for (const [index, fn] of [name, worker].entries()) {
        expect(await aliasIn(world, target, fn)).toMatchObject({ version: '2', weights: {} });
        expect(await world.plane.deps.store.getDeployment(`${groupId}.m${index}`)).toMatchObject({ status: 'SUCCEEDED', target: { id: target.id, accountId: target.accountId, region: target.region } });
      }
    }
  }, 150_000);

  it('refuses the whole run before anything moves when a target\'s role cannot be assumed, naming the target', async () => {
    // Prepare: the second target's external id is not what its role's trust policy requires
    const badUs = { ...US, externalId: 'not-the-one' };
    const { name, input } = await prepared('waves-denied', [EU, US]);
    const refused = { ...input, spec: { ...input.spec, targets: [EU, badUs] } };
    const before = { eu: await aliasIn(world, EU, name), us: await aliasIn(world, US, name) };

    // Act
    const step = await runWaves(world, refused);

    // Assess
    expect(step).toEqual({ execution: 'FAILED fledge.Rejected', status: 'REJECTED' });
    const parent = await world.plane.deps.store.getDeployment(input.deploymentId);
    expect(parent?.reason).toContain('target us (account 222222222222, us-east-1): fledge cannot assume arn:aws:iam::222222222222:role/fledge-target');
    expect(await world.plane.deps.store.getDeployment(targetDeploymentId(input.deploymentId, 'eu'))).toBeUndefined();
    expect({ eu: await aliasIn(world, EU, name), us: await aliasIn(world, US, name) }).toEqual(before);
  }, 60_000);
});

describe('a spec with targets run as one deployment', () => {
  let world: EngineWorld;
  beforeAll(async () => {
    world = await startEngine();
  }, 60_000);
  afterAll(async () => world.stop());

  it('is refused by Prepare before anything moves, instead of deploying where fledge runs', async () => {
    // Prepare
    const { existingFunction, startDeployment, recordStatus, aliasOf } = await import('../support/engine');
    await existingFunction(world, 'waves-home');
    const before = await aliasOf(world, 'waves-home');
    const artifact = await uploadArtifact(world, 'waves/home.zip', userCode('v2'));

    // Act
    const { deploymentId: id } = await startDeployment(world, { deploymentId: deploymentId('waves-home'), spec: spec('waves-home', { kind: 'allAtOnce' }, { health: { ...TIMED_PAUSES }, targets: [EU] }), artifact });

    // Assess
    const record = await recordStatus(world, id, 'REJECTED');
    expect(record.reason).toContain('runs as a wave run');
    expect(await aliasOf(world, 'waves-home')).toEqual(before);
  }, 60_000);
});

describe('notifications of a target\'s deployment', () => {
  it('name the target in the subject and the body', async () => {
    // Prepare
    const { factsOf } = await import('../../shared/domain/deployment/finish');
    const { render } = await import('../../shared/adapters/sns-notifier');
    const facts = factsOf({ deploymentId: 'run--us', functionName: 'checkout', alias: 'live', startedBy: 'ci', spec: {}, target: { id: 'us', accountId: '222222222222', region: 'us-east-1' } } as never);

    // Act
    const { subject, body } = render({ kind: 'rolledBack', ...facts, reason: 'wave rolled back because target us failed' });

    // Assess
    expect(subject).toContain('checkout:live in us (account 222222222222, us-east-1)');
    expect(body).toContain('Function: checkout:live in us (account 222222222222, us-east-1)');
  });
});
