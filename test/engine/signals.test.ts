import { CreateFunctionCommand, CreateAliasCommand, InvokeCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import type { DeploymentEvent } from '../../shared/model/deployment';
import type { HealthSpec, StrategySpec } from '../../shared/model/spec';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { aliasOf, deploymentId, guardAliases, historyOf, recordStatus, ROLE, settled, spec, startDeployment, startEngine, uploadArtifact, USER_TIMEOUT, type EngineWorld } from '../support/engine';

/**
 * A release that takes `sleepMs` real milliseconds per call (the embedded Lambda reports Duration
 * on the simulated clock: real time ÷ the time scale) and fails a share of its calls.
 */
function releaseCode(tag: string, options: { sleepMs?: number; failShare?: number } = {}): Record<string, string> {
  return {
    'index.mjs':
      `let calls = 0;\n` +
      `export const handler = async () => {\n` +
      `  calls += 1;\n` +
      `  await new Promise((resolve) => setTimeout(resolve, ${options.sleepMs ?? 0}));\n` +
      `  if (${options.failShare ?? 0} > 0 && calls % ${Math.round(1 / (options.failShare || 1))} === 0) throw new Error('release ${tag} failed');\n` +
      `  return { release: ${JSON.stringify(tag)} };\n` +
      `};\n`,
  };
}

const CANARY: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 300 }] };

describe('judging a canary by its latency, throttles, metrics and the old version', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** Version 1 of `name` runs `old`; a deployment of `next` starts with `health`. */
  async function deploy(label: string, health: Partial<HealthSpec>, old: Record<string, string>, next: Record<string, string>, strategy: StrategySpec = CANARY) {
    const name = touch(`${label}-fn`);
    await world.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: USER_TIMEOUT, Code: { ZipFile: functionZip(old) } }));
    await settled(world, name);
    const v1 = await world.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await world.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: v1.Version! }));
    const artifact = await uploadArtifact(world, `${label}/v2.zip`, next);
    const id = deploymentId(label);
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, strategy, { health: { checkInterval: 60, minInvocations: 10, ...health } }), artifact });
    return { name, id, executionArn };
  }

  /** Calls the alias until the execution ends, as production traffic would; throttled calls are expected, not failures. */
  async function traffic(name: string, executionArn: string, until: () => Promise<boolean> = async () => false): Promise<string> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`execution ${executionArn} did not end within 90 s`);
      await Promise.all(Array.from({ length: 4 }, () => world.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live', Payload: Buffer.from('{}') })).catch(() => undefined)));
      const described = await world.plane.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described.status!;
      if (await until()) return 'RUNNING';
    }
  }

  const checks = (history: readonly DeploymentEvent[]) => history.filter((event) => event.kind === 'check');
  const signalsOf = (event: DeploymentEvent | undefined) => (event?.data?.signals ?? []) as { name: string; value?: number; baseline?: number; threshold?: number; verdict: string; dryRun: boolean }[];

  it('rolls back a version whose p50 latency is over its ceiling, and promotes one under it', async () => {
    // Prepare: 1 ms real is 200 simulated ms; the old version answers in ~20 ms real (~4 s), the slow one in ~60 ms (~12 s).
    // p50: the first calls of a new version are cold starts (hundreds of real ms), which a p90 of a few dozen samples would see.
    const health = { latency: { p50: 8000, minSamples: 10, dryRun: false } };
    const slow = await deploy('latency-slow', health, releaseCode('v1', { sleepMs: 20 }), releaseCode('v2', { sleepMs: 60 }));
    const fast = await deploy('latency-fast', health, releaseCode('v1', { sleepMs: 20 }), releaseCode('v2', { sleepMs: 20 }));

    // Act
    const [slowStatus, fastStatus] = await Promise.all([traffic(slow.name, slow.executionArn), traffic(fast.name, fast.executionArn)]);

    // Assess
    expect(slowStatus).toBe('FAILED');
    const rolledBack = await world.plane.deps.store.getDeployment(slow.id);
    expect(rolledBack?.status).toBe('ROLLED_BACK');
    expect(rolledBack?.reason).toMatch(/^fledge\.HealthCheckFailed: p50 of version 2 is \d+ms over \d+ samples, above 8000ms/);
    expect(await aliasOf(world, slow.name)).toMatchObject({ version: '1', weights: {} });
    const failed = checks(await historyOf(world, slow.id)).at(-1);
    expect(failed?.data?.verdict).toBe('unhealthy');
    expect(signalsOf(failed)).toEqual([expect.objectContaining({ name: 'latency p50', threshold: 8000, verdict: 'fail', dryRun: false })]);
    expect(signalsOf(failed)[0]!.value).toBeGreaterThan(8000);
    expect(failed?.message).toMatch(/signals: p50 of version 2 is \d+ms over \d+ samples, above 8000ms \[fail\]/);

    expect((await world.plane.deps.store.getDeployment(fast.id))?.reason).toBeUndefined();
    expect(fastStatus).toBe('SUCCEEDED');
    expect(await aliasOf(world, fast.name)).toMatchObject({ version: '2', weights: {} });
    const passed = checks(await historyOf(world, fast.id));
    expect(passed.map((event) => event.data?.verdict).at(-1)).toBe('next');
    expect(signalsOf(passed.at(-1))[0]).toMatchObject({ name: 'latency p50', verdict: 'pass' });
  });

  it('rolls back a version 30% slower than the old one under the same traffic, and not one within noise', async () => {
    // Prepare: p50 may be at most 15% above the old version's.
    const health = { baseline: { latency: { p50: 15 }, minSamples: 10, dryRun: false } };
    const slower = await deploy('baseline-slower', health, releaseCode('v1', { sleepMs: 30 }), releaseCode('v2', { sleepMs: 39 }));
    const same = await deploy('baseline-same', health, releaseCode('v1', { sleepMs: 30 }), releaseCode('v2', { sleepMs: 30 }));

    // Act
    const [slowerStatus, sameStatus] = await Promise.all([traffic(slower.name, slower.executionArn), traffic(same.name, same.executionArn)]);

    // Assess
    expect(slowerStatus).toBe('FAILED');
    expect((await world.plane.deps.store.getDeployment(slower.id))?.reason).toMatch(/p50 of version 2 is \d+ms, [\d.]+% against \d+ms of version 1; 15% allowed/);
    const failed = signalsOf(checks(await historyOf(world, slower.id)).at(-1))[0]!;
    expect(failed).toMatchObject({ name: 'baseline latency p50', verdict: 'fail' });
    expect(failed.value! / failed.baseline!).toBeGreaterThan(1.15);
    expect(sameStatus).toBe('SUCCEEDED');
    expect(signalsOf(checks(await historyOf(world, same.id)).at(-1))[0]).toMatchObject({ name: 'baseline latency p50', verdict: 'pass' });
  });

  it("rolls back a version whose error rate is significantly above the old version's (Fisher's exact test), measured by a metric-math expression too", async () => {
    // Prepare: the new version fails every other call; the old one never does.
    const health: Partial<HealthSpec> = {
      baseline: { errorRate: { significance: 0.05 }, minSamples: 10, dryRun: false },
      metrics: [
        {
          name: 'failure-share',
          expression: '100 * errors / calls',
          using: {
            errors: { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: '${function}', Resource: '${function}:${alias}', ExecutedVersion: '${version}' }, stat: 'Sum' },
            calls: { namespace: 'AWS/Lambda', metricName: 'Invocations', dimensions: { FunctionName: '${function}', Resource: '${function}:${alias}', ExecutedVersion: '${version}' }, stat: 'Sum' },
          },
          max: 10,
          dryRun: true,
        },
      ],
    };
    const { id, executionArn } = await deploy('baseline-errors', health, releaseCode('v1'), releaseCode('v2', { failShare: 0.5 }));

    // Act
    const status = await traffic(`baseline-errors-fn`, executionArn);

    // Assess: the comparison gates; the dry-run metric is measured and recorded, and says the same.
    expect(status).toBe('FAILED');
    expect((await world.plane.deps.store.getDeployment(id))?.reason).toMatch(/error rate of version 2 [\d.]+% \(\d+ of \d+\) against 0% \(0 of \d+\) of version 1: significantly higher \(Fisher's exact test, p = [\d.e-]+, level 0\.05\)/);
    const last = checks(await historyOf(world, id)).at(-1);
    const [comparison, share] = signalsOf(last);
    expect(comparison).toMatchObject({ name: 'baseline error rate', verdict: 'fail', baseline: 0 });
    expect(share).toMatchObject({ name: 'metric failure-share', verdict: 'fail', dryRun: true, threshold: 10 });
    expect(share!.value).toBeGreaterThan(30);
  });

  it('tolerates failed checks up to failureLimit, then rolls back', async () => {
    // Prepare: a version that always fails, with one failed check tolerated.
    const { name, id, executionArn } = await deploy('failure-limit', { failureLimit: 1, errorRate: { thresholdPercent: 5, minInvocations: 5 } }, releaseCode('v1'), releaseCode('v2', { failShare: 1 }));

    // Act
    const status = await traffic(name, executionArn);

    // Assess
    expect(status).toBe('FAILED');
    const verdicts = checks(await historyOf(world, id)).map((event) => event.data?.verdict);
    expect(verdicts.slice(-2)).toEqual(['failed', 'unhealthy']);
    expect((await world.plane.deps.store.getDeployment(id))?.reason).toMatch(/\(2 failed checks, 1 tolerated\)$/);
  });

  it('asks a person when the pause ends inconclusive and the strategy has approvers; a dry-run signal that fails never gates', async () => {
    // Prepare: p99 needs 100000 samples (never reached); p50 must be under 1 ms (always fails) but is a dry run.
    const strategy: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 120 }, { type: 'approval', timeout: 3600 }] };
    const { name, id, executionArn } = await deploy('inconclusive', { latency: { p99: 60_000, minSamples: 100_000, dryRun: false }, metrics: [{ name: 'slow', metric: { namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: { FunctionName: '${function}', Resource: '${function}:${alias}', ExecutedVersion: '${version}' }, stat: 'p50' }, max: 1, dryRun: true }] }, releaseCode('v1'), releaseCode('v2', { sleepMs: 5 }), strategy);

    // Act
    await traffic(name, executionArn, async () => (await world.plane.deps.store.getDeployment(id))?.status === 'AWAITING_APPROVAL');
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');
    await decideApproval(world.plane.deps, { approvalId: waiting.approvalId!, approve: false, by: 'alice@example.com' });

    // Assess: the pause's own approval, saying why; rejecting rolls back.
    expect(waiting.approvalId).toBe(`${id}.a1`);
    const history = await historyOf(world, id);
    const last = checks(history).at(-1);
    expect(last?.data).toMatchObject({ verdict: 'inconclusive', onInsufficientData: 'pause' });
    expect(signalsOf(last)).toEqual([expect.objectContaining({ name: 'latency p99', verdict: 'inconclusive' }), expect.objectContaining({ name: 'metric slow', verdict: 'fail', dryRun: true })]);
    await eventually(async () => ((await world.plane.deps.store.getDeployment(id))?.status === 'ROLLED_BACK' ? true : undefined), { what: 'the rollback' });
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
  });
});
