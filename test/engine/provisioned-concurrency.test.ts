import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ListProvisionedConcurrencyConfigsCommand, PutProvisionedConcurrencyConfigCommand, GetProvisionedConcurrencyConfigCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaService } from '@fledge-local/embedded-aws';
import { provisionedFor } from '../../shared/domain/deployment/provisioned-concurrency';
import { promote } from '../../shared/domain/deployment/promote';
import type { EngineState } from '../../shared/model/deployment';
import { deploymentId, executionEnd, existingFunction, guardAliases, historyOf, kinds, spec, startDeployment, startEngine, trafficUntilEnd, uploadArtifact, userCode, type EngineWorld } from '../support/engine';
import { eventually } from '../support/local-aws';

const CANARY = { kind: 'canary' as const, steps: [{ type: 'setWeight' as const, percent: 10 }, { type: 'pause' as const, duration: 120 }] };
/** PC on the stable version: 10% of it is 4 warm environments, as many as trafficUntilEnd's bursts. */
const TOTAL = 40;

describe('provisioned-concurrency-aware shifting, on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** A function on version 1 behind `live`, with READY PC on version 1. */
  async function withProvisionedStable(name: string): Promise<void> {
    await existingFunction(world, name);
    await world.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1', ProvisionedConcurrentExecutions: TOTAL }));
    await eventually(async () => ((await world.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1' }))).Status === 'READY' ? true : undefined), { what: 'PC on version 1 READY' });
  }

  /** The function's PC configurations: qualifier → requested. */
  async function provisioned(name: string): Promise<Record<string, number>> {
    const out = await world.lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name }));
    return Object.fromEntries((out.ProvisionedConcurrencyConfigs ?? []).map((c) => [c.FunctionArn!.split(':').at(-1)!, c.RequestedProvisionedConcurrentExecutions!]));
  }

  async function metricSum(metricName: string, dimensions: Record<string, string>): Promise<number> {
    const now = world.aws.clock.now();
    const result = await world.plane.clients.cloudwatch.send(new GetMetricDataCommand({
      StartTime: new Date(now - 6 * 3_600_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: metricName, Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) }, Period: 60, Stat: 'Sum' } }],
    }));
    return (result.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
  }

  it('gives the new version READY PC before each weight moves, so no canary call spills over, and moves the PC to it at promotion', async () => {
    // Prepare
    const name = touch('pc-canary-fn');
    await withProvisionedStable(name);
    const id = deploymentId('pc-canary');

    // Act: traffic through the alias during the whole deployment
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY), artifact: await uploadArtifact(world, 'pc/v2.zip', userCode('v2')) });
    const { status, byVersion } = await trafficUntilEnd(world, name, executionArn);

    // Assess
    expect(status).toBe('SUCCEEDED');
    expect(byVersion['2']).toBeGreaterThan(0);
    const canary = { FunctionName: name, Resource: `${name}:live`, ExecutedVersion: '2' };
    expect(await metricSum('ProvisionedConcurrencySpilloverInvocations', canary)).toBe(0);
    expect(await metricSum('ProvisionedConcurrencyInvocations', canary)).toBe(byVersion['2']);
    expect(await provisioned(name)).toEqual({ '2': TOTAL });
    const seen = kinds(await historyOf(world, id));
    expect(seen.indexOf('provisionedConcurrency')).toBeLessThan(seen.indexOf('weight'));
    expect(seen.at(-1)).toBe('promoted');
  });

  it('releases the old version\'s PC on a retried Promote whose first attempt recorded the success but died before releasing it', async () => {
    // Prepare: a promoted PC canary, then the old version's PC as a first attempt that died would leave it
    const name = touch('pc-retry-fn');
    await withProvisionedStable(name);
    const id = deploymentId('pc-retry');
    // allAtOnce: promoted without a bake, so no evidence a loaded machine could fall short of.
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }), artifact: await uploadArtifact(world, 'pc-retry/v2.zip', userCode('v2')) });
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await provisioned(name)).toEqual({ '2': TOTAL });
    await world.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1', ProvisionedConcurrentExecutions: 4 }));
    const record = (await world.plane.deps.store.getDeployment(id))!;

    // Act: the task's retry, with the state the first attempt had
    await promote(world.plane.deps, { deploymentId: id, spec: record.spec, published: { version: '2', changed: true, codeSha256: 'x' }, weight: 10, provisioned: { total: TOTAL } } as EngineState);

    // Assess: no PC left on version 1, which no alias uses; the record untouched
    expect(await provisioned(name)).toEqual({ '2': TOTAL });
    expect((await world.plane.deps.store.getDeployment(id))?.status).toBe('SUCCEEDED');
  });

  it('removes the new version\'s PC when the canary rolls back, leaving the stable version\'s', async () => {
    // Prepare
    const name = touch('pc-rollback-fn');
    await withProvisionedStable(name);
    const id = deploymentId('pc-rollback');

    // Act: a release that fails every call
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY, { health: { minInvocations: 1, errorRate: { thresholdPercent: 5, minInvocations: 1 } } }), artifact: await uploadArtifact(world, 'pc/broken.zip', userCode('v2', { fails: true })) });
    const { status } = await trafficUntilEnd(world, name, executionArn).catch(async () => ({ status: await executionEnd(world, executionArn) }));

    // Assess: rolled back by the Rollback task or by the alarm abort (which stops the execution)
    expect(['FAILED', 'ABORTED']).toContain(status);
    await eventually(async () => ((await world.plane.deps.store.getDeployment(id))?.status === 'ROLLED_BACK' ? true : undefined), { what: 'ROLLED_BACK' });
    expect(await provisioned(name)).toEqual({ '1': TOTAL });
  });

  it('rolls back cleanly, with no weight moved and no PC left on the new version, when its PC never becomes READY', async () => {
    // Prepare
    const name = touch('pc-stuck-fn');
    await withProvisionedStable(name);
    world.aws.service<LambdaService>('lambda').setProvisionedConcurrencyActivation(name, { readyMs: null });
    const id = deploymentId('pc-stuck');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY), artifact: await uploadArtifact(world, 'pc/stuck.zip', userCode('v2')) });

    // Assess
    expect(await executionEnd(world, executionArn, 120_000)).toBe('FAILED');
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'ROLLED_BACK', currentWeight: 0 });
    expect(record?.reason).toMatch(/^fledge\.ProvisionedConcurrency: provisioned concurrency 4 on version 2 was still IN_PROGRESS after 15 minutes; the weight stays at 0%/);
    expect(kinds(await historyOf(world, id))).not.toContain('weight');
    expect(await provisioned(name)).toEqual({ '1': TOTAL });
  });
});

describe('the new version\'s share of provisioned concurrency', () => {
  it('is the stable total in proportion to the weight, rounded up, never more than the total and none at 0%', () => {
    expect(provisionedFor(40, 10)).toBe(4);
    expect(provisionedFor(10, 1)).toBe(1);
    expect(provisionedFor(10, 25)).toBe(3);
    expect(provisionedFor(3, 50)).toBe(2);
    expect(provisionedFor(10, 0)).toBe(0);
    expect(provisionedFor(10, 100)).toBe(10);
    expect(provisionedFor(10, 150)).toBe(10);
    expect(provisionedFor(0, 50)).toBe(0);
    expect(provisionedFor(7, 30)).toBe(3);
  });
});
