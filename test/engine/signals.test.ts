import { CreateFunctionCommand, CreateAliasCommand, InvokeCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { CloudWatchService } from '@fledge-local/embedded-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import type { DeploymentEvent } from '../../shared/model/deployment';
import type { HealthSpec, StrategySpec } from '../../shared/model/spec';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { aliasOf, deploymentId, guardAliases, historyOf, recordStatus, ROLE, settled, spec, startDeployment, startEngine, uploadArtifact, USER_TIMEOUT, type EngineWorld } from '../support/engine';

/**
 * A release that takes `sleepMs` real milliseconds per call and fails a share of its calls.
 *
 * The embedded Lambda's Duration is the handler's run as its runtime times it, real time ÷ the
 * time scale (1 real ms is 200 simulated ms here), without cold starts. A handler that awaits
 * nothing runs in microseconds whatever the machine's load. A timer wakes at most a millisecond
 * early, but load wakes it late: with both cores saturated, a 100 ms sleep measured a median of
 * 108 ms, a 90th percentile of 138 ms. So these tests keep a wide margin: the slow version's sleep
 * alone is well over the ceiling, a comparison's sleeps are long enough for that lateness to be
 * small against them, and no verdict that is not about latency depends on time at all.
 */
function releaseCode(tag: string, options: { sleepMs?: number; failShare?: number } = {}): Record<string, string> {
  const sleep = options.sleepMs ? `  await new Promise((resolve) => setTimeout(resolve, ${options.sleepMs}));\n` : '';
  return {
    'index.mjs':
      `let calls = 0;\n` +
      `export const handler = async () => {\n` +
      `  calls += 1;\n` +
      sleep +
      `  if (${options.failShare ?? 0} > 0 && calls % ${Math.round(1 / (options.failShare || 1))} === 0) throw new Error('release ${tag} failed');\n` +
      `  return { release: ${JSON.stringify(tag)} };\n` +
      `};\n`,
  };
}

/** A promise and its resolver: the traffic's callers wait on the next poll of the execution. */
function signal(): { readonly promise: Promise<void>; readonly resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
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

  /**
   * Calls the alias from the moment it routes to the new version until the execution ends (or
   * `until` holds), as production traffic would: `callers` clients, each making one call per poll
   * of the execution's status, so the traffic's pace is bounded and a slow version never holds up
   * the calls to the other (the embedded Lambda runs up to 4 calls of a version at once). No call
   * before the shift: no signal reads it, and on a loaded machine it would only slow the engine
   * down. Throttled calls are expected, not failures. `duringShift` runs at each poll from the shift on.
   */
  async function traffic(name: string, executionArn: string, options: { until?: () => Promise<boolean>; callers?: number; duringShift?: () => void } = {}): Promise<string> {
    let running = true;
    let polled = signal();
    const callers: Promise<void>[] = [];
    const caller = async (): Promise<void> => {
      while (running) {
        await world.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live', Payload: Buffer.from('{}') })).catch(() => undefined);
        await polled.promise;
      }
    };
    try {
      return await eventually(
        async () => {
          if (callers.length === 0 && Object.keys((await aliasOf(world, name)).weights).length > 0) callers.push(...Array.from({ length: options.callers ?? 4 }, caller));
          if (callers.length > 0) options.duringShift?.();
          const described = await world.plane.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
          const status = described.status !== 'RUNNING' ? described.status! : (await options.until?.()) ? 'RUNNING' : undefined;
          const previous = polled;
          polled = signal();
          previous.resolve();
          return status;
        },
        { timeoutMs: 90_000, intervalMs: 50, what: `execution ${executionArn} to end` },
      );
    } finally {
      running = false;
      polled.resolve();
      await Promise.all(callers);
    }
  }

  const checks = (history: readonly DeploymentEvent[]) => history.filter((event) => event.kind === 'check');
  const signalsOf = (event: DeploymentEvent | undefined) => (event?.data?.signals ?? []) as { name: string; value?: number; baseline?: number; threshold?: number; samples?: number; verdict: string; dryRun: boolean }[];

  it('rolls back a version whose p50 latency is over its ceiling, and promotes one under it', async () => {
    // Prepare: the ceiling, 8000 simulated ms, is 40 real ms. The slow version sleeps 100 ms (20000 ms), over it
    // however the machine is loaded; the fast one awaits nothing (well under a millisecond), under it however loaded.
    const health = { latency: { p50: 8000, minSamples: 10, dryRun: false } };
    const [slow, fast] = await Promise.all([deploy('latency-slow', health, releaseCode('v1'), releaseCode('v2', { sleepMs: 100 })), deploy('latency-fast', health, releaseCode('v1'), releaseCode('v2'))]);

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
    expect(signalsOf(failed)[0]!.value).toBeGreaterThanOrEqual(19_000);
    expect(failed?.message).toMatch(/signals: p50 of version 2 is \d+ms over \d+ samples, above 8000ms \[fail\]/);

    expect((await world.plane.deps.store.getDeployment(fast.id))?.reason).toBeUndefined();
    expect(fastStatus).toBe('SUCCEEDED');
    expect(await aliasOf(world, fast.name)).toMatchObject({ version: '2', weights: {} });
    const passed = checks(await historyOf(world, fast.id));
    expect(passed.map((event) => event.data?.verdict).at(-1)).toBe('next');
    expect(signalsOf(passed.at(-1))[0]).toMatchObject({ name: 'latency p50', verdict: 'pass' });
    expect(signalsOf(passed.at(-1))[0]!.value).toBeLessThan(8000);
  });

  it('rolls back a version 30% slower than the old one under the same traffic, and not one within noise', async () => {
    // Prepare: p50 may be at most 15% above the old version's. The old version sleeps 200 real ms, the slower one
    // 260 ms (30% more), the same one 200 ms: the alias interleaves both versions' calls, so load makes both late
    // alike, and a median of 10 calls or more moves by a few ms (seen: ±2.5% with both cores saturated), far less
    // than the 30 ms (15%) either verdict would need to flip. A pause that ends short of those calls (a loaded
    // machine) is extended by up to its length, not judged.
    const health = { baseline: { latency: { p50: 15 }, minSamples: 10, dryRun: false } };
    const [slower, same] = await Promise.all([
      deploy('baseline-slower', health, releaseCode('v1', { sleepMs: 200 }), releaseCode('v2', { sleepMs: 260 })),
      deploy('baseline-same', health, releaseCode('v1', { sleepMs: 200 }), releaseCode('v2', { sleepMs: 200 })),
    ]);

    // Act
    const [slowerStatus, sameStatus] = await Promise.all([traffic(slower.name, slower.executionArn, { callers: 8 }), traffic(same.name, same.executionArn, { callers: 8 })]);

    // Assess
    expect(slowerStatus).toBe('FAILED');
    expect((await world.plane.deps.store.getDeployment(slower.id))?.reason).toMatch(/p50 of version 2 is \d+ms, [\d.]+% against \d+ms of version 1; 15% allowed/);
    const failed = signalsOf(checks(await historyOf(world, slower.id)).at(-1))[0]!;
    expect(failed).toMatchObject({ name: 'baseline latency p50', verdict: 'fail' });
    expect(failed.value! / failed.baseline!).toBeGreaterThan(1.15);
    expect(failed.samples).toBeGreaterThanOrEqual(10);
    expect((await world.plane.deps.store.getDeployment(same.id))?.reason).toBeUndefined();
    expect(sameStatus).toBe('SUCCEEDED');
    const passed = signalsOf(checks(await historyOf(world, same.id)).at(-1))[0]!;
    expect(passed).toMatchObject({ name: 'baseline latency p50', verdict: 'pass' });
    expect(passed.value! / passed.baseline!).toBeLessThanOrEqual(1.15);
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

  it('rolls back a version Lambda throttles, and promotes the same release under the same traffic unthrottled', async () => {
    // Prepare: no throttle allowed. The embedded Lambda has no concurrency limits, so the test has Invoke answer
    // TooManyRequestsException (Reason ConcurrentInvocationLimitExceeded) as Lambda does when a function is over
    // its reserved concurrency; a throttled call through the alias counts in the Throttles of the version the alias
    // routed it to. Faults are not per function, so one at a time: the engine's own tasks retry a throttle
    // (Lambda.TooManyRequestsException), and at 50% a few throttled calls of the callers reach version 2 whatever
    // the load. The unthrottled deployment runs after, with no fault left.
    const health: Partial<HealthSpec> = { throttles: { max: 0, dryRun: false } };
    const throttled = await deploy('throttles-hit', health, releaseCode('v1'), releaseCode('v2'));
    const throttleOnce = { service: 'lambda', operation: 'Invoke', kind: 'throttle', count: 1 } as const;

    // Act
    let throttledStatus: string;
    try {
      throttledStatus = await traffic(throttled.name, throttled.executionArn, {
        duringShift: () => {
          if (!world.aws.faults.list().some((rule) => rule.service === 'lambda' && rule.operation === 'Invoke')) world.aws.faults.add(throttleOnce);
        },
      });
    } finally {
      world.aws.faults.clear();
    }
    const unthrottled = await deploy('throttles-none', health, releaseCode('v1'), releaseCode('v2'));
    const unthrottledStatus = await traffic(unthrottled.name, unthrottled.executionArn);

    // Assess
    expect(throttledStatus).toBe('FAILED');
    expect((await world.plane.deps.store.getDeployment(throttled.id))?.reason).toMatch(/^fledge\.HealthCheckFailed: [1-9]\d* throttles of version 2, above 0/);
    expect(await aliasOf(world, throttled.name)).toMatchObject({ version: '1', weights: {} });
    const failed = checks(await historyOf(world, throttled.id)).at(-1);
    expect(failed?.data?.verdict).toBe('unhealthy');
    expect(signalsOf(failed)).toEqual([expect.objectContaining({ name: 'throttles', threshold: 0, verdict: 'fail', dryRun: false })]);
    expect(signalsOf(failed)[0]!.value).toBeGreaterThanOrEqual(1);

    expect(unthrottledStatus).toBe('SUCCEEDED');
    expect((await world.plane.deps.store.getDeployment(unthrottled.id))?.reason).toBeUndefined();
    expect(await aliasOf(world, unthrottled.name)).toMatchObject({ version: '2', weights: {} });
    expect(signalsOf(checks(await historyOf(world, unthrottled.id)).at(-1))).toEqual([expect.objectContaining({ name: 'throttles', value: 0, threshold: 0, verdict: 'pass' })]);
  });

  it('rolls back a version whose calls spill over its provisioned concurrency, and promotes one whose calls do not', async () => {
    // Prepare: no spillover allowed. The embedded Lambda has no provisioned concurrency, so it never emits
    // ProvisionedConcurrencySpilloverInvocations: the test emits them for the spilling deployment's version 2 as
    // Lambda would (one datum per spilled call, on its three dimension sets, through the embedded CloudWatch's
    // sibling API: PutMetricData refuses AWS/ namespaces, as CloudWatch does). Nothing here depends on time.
    const health: Partial<HealthSpec> = { spillover: { max: 0, dryRun: false } };
    const [spilling, fitting] = await Promise.all([deploy('spillover-hit', health, releaseCode('v1'), releaseCode('v2')), deploy('spillover-none', health, releaseCode('v1'), releaseCode('v2'))]);
    const cloudwatch = world.aws.service<CloudWatchService>('monitoring');
    const spill = (): void => {
      const dimensionSets: Record<string, string>[] = [{ FunctionName: spilling.name }, { FunctionName: spilling.name, Resource: `${spilling.name}:live` }, { FunctionName: spilling.name, Resource: `${spilling.name}:live`, ExecutedVersion: '2' }];
      const timestamp = world.aws.clock.now();
      cloudwatch.internal.put('AWS/Lambda', dimensionSets.map((dimensions) => ({ metricName: 'ProvisionedConcurrencySpilloverInvocations', value: 1, unit: 'Count', dimensions, timestamp })));
    };

    // Act
    const [spillingStatus, fittingStatus] = await Promise.all([traffic(spilling.name, spilling.executionArn, { duringShift: spill }), traffic(fitting.name, fitting.executionArn)]);

    // Assess
    expect(spillingStatus).toBe('FAILED');
    expect((await world.plane.deps.store.getDeployment(spilling.id))?.reason).toMatch(/^fledge\.HealthCheckFailed: [1-9]\d* spillover invocations of version 2, above 0/);
    expect(await aliasOf(world, spilling.name)).toMatchObject({ version: '1', weights: {} });
    const failed = checks(await historyOf(world, spilling.id)).at(-1);
    expect(failed?.data?.verdict).toBe('unhealthy');
    expect(signalsOf(failed)).toEqual([expect.objectContaining({ name: 'spillover', threshold: 0, verdict: 'fail', dryRun: false })]);
    expect(signalsOf(failed)[0]!.value).toBeGreaterThanOrEqual(1);

    expect(fittingStatus).toBe('SUCCEEDED');
    expect((await world.plane.deps.store.getDeployment(fitting.id))?.reason).toBeUndefined();
    expect(await aliasOf(world, fitting.name)).toMatchObject({ version: '2', weights: {} });
    expect(signalsOf(checks(await historyOf(world, fitting.id)).at(-1))).toEqual([expect.objectContaining({ name: 'spillover', value: 0, threshold: 0, verdict: 'pass' })]);
  });

  it('tolerates failed checks up to failureLimit, then rolls back', async () => {
    // Prepare: a version that always fails, one failed check tolerated. The signal is its errors over the pause so far,
    // so once it has failed one call every check fails, however few calls the load lets through between two checks;
    // the 10-minute pause leaves ten checks for the first failure to happen before.
    const errors: Partial<HealthSpec> = {
      failureLimit: 1,
      metrics: [{ name: 'errors', metric: { namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: '${function}', Resource: '${function}:${alias}', ExecutedVersion: '${version}' }, stat: 'Sum' }, max: 0, dryRun: false }],
    };
    const strategy: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 600 }] };
    const { name, id, executionArn } = await deploy('failure-limit', errors, releaseCode('v1'), releaseCode('v2', { failShare: 1 }), strategy);

    // Act
    const status = await traffic(name, executionArn);

    // Assess
    expect(status).toBe('FAILED');
    const verdicts = checks(await historyOf(world, id)).map((event) => event.data?.verdict);
    expect(verdicts.filter((verdict) => verdict !== 'bake')).toEqual(['failed', 'unhealthy']);
    expect(verdicts.slice(-2)).toEqual(['failed', 'unhealthy']);
    expect((await world.plane.deps.store.getDeployment(id))?.reason).toMatch(/^fledge\.HealthCheckFailed: metric errors of version 2 is \d+: above 0 \(2 failed checks, 1 tolerated\)$/);
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
  });

  it('asks a person when the pause ends inconclusive and the strategy has approvers; a dry-run signal that fails never gates', async () => {
    // Prepare: p99 needs 100000 samples (never reached); p50 must be under 1 ms (a 5 ms sleep is 1000 simulated ms:
    // always fails) but is a dry run. One invocation is evidence enough, so the verdict is the signals' however
    // few calls the load lets through in the 3-minute pause.
    const strategy: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 180 }, { type: 'approval', timeout: 3600 }] };
    const health: Partial<HealthSpec> = {
      minInvocations: 1,
      latency: { p99: 60_000, minSamples: 100_000, dryRun: false },
      metrics: [{ name: 'slow', metric: { namespace: 'AWS/Lambda', metricName: 'Duration', dimensions: { FunctionName: '${function}', Resource: '${function}:${alias}', ExecutedVersion: '${version}' }, stat: 'p50' }, max: 1, dryRun: true }],
    };
    const { name, id, executionArn } = await deploy('inconclusive', health, releaseCode('v1'), releaseCode('v2', { sleepMs: 5 }), strategy);

    // Act
    await traffic(name, executionArn, { until: async () => (await world.plane.deps.store.getDeployment(id))?.status === 'AWAITING_APPROVAL' });
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');
    await decideApproval(world.plane.deps, { approvalId: waiting.approvalId!, approve: false, by: 'alice@example.com' });

    // Assess: the pause's own approval, saying why; rejecting rolls back.
    expect(waiting.approvalId).toBe(`${id}.a1`);
    const history = await historyOf(world, id);
    const last = checks(history).at(-1);
    expect(last?.data).toMatchObject({ verdict: 'inconclusive', onInsufficientData: 'pause' });
    expect(signalsOf(last)).toEqual([expect.objectContaining({ name: 'latency p99', verdict: 'inconclusive' }), expect.objectContaining({ name: 'metric slow', verdict: 'fail', dryRun: true })]);
    await eventually(async () => ((await world.plane.deps.store.getDeployment(id))?.status === 'ROLLED_BACK' ? true : undefined), { timeoutMs: 30_000, what: 'the rollback' });
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
  });
});
