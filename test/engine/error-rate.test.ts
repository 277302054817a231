import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudWatchService } from '@fledge-local/embedded-aws';
import { TransientAwsError } from '../../shared/model/engine-errors';
import { eventually } from '../support/local-aws';
import { aliasOf, deploymentId, existingFunction, guardAliases, historyOf, kinds, spec, startDeployment, startEngine, trafficUntilEnd, uploadArtifact, type EngineWorld } from '../support/engine';

/** A release that works until `flag` exists, then throws on every request: a failure that starts when the test says. */
function breakableCode(flag: string): Record<string, string> {
  return {
    'index.mjs': `import { existsSync } from 'node:fs';\nexport const handler = async () => {\n  if (existsSync(${JSON.stringify(flag)})) throw new Error('release v2 broke');\n  return { release: 'v2' };\n};\n`,
  };
}

describe('judging the new version\'s error rate at the check itself', () => {
  let world: EngineWorld;
  let scratch: string;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    // Alarms are evaluated only when the test asks: fledge's alarm cannot be what catches the failure.
    world = await startEngine({ cloudwatch: { evaluationIntervalSeconds: 10_000_000 } });
    scratch = mkdtempSync(join(tmpdir(), 'fledge-error-rate-'));
  });
  afterAll(async () => {
    await world?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('rolls back at the first check after the new version starts failing while its alarm still reads OK', async () => {
    // Prepare: version 2 is healthy until the flag file appears; checks every 5 minutes of a 30-minute bake.
    const name = touch('rate-at-check-fn');
    const flag = join(scratch, `${name}.broken`);
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const artifact = await uploadArtifact(world, 'rate-at-check/v2.zip', breakableCode(flag));
    const id = deploymentId('rate-at-check');
    const alarmName = `fledge-local.${name}.live.v2`;
    const health = { alarms: [], checkInterval: 300, errorRate: { thresholdPercent: 5, minInvocations: 5 } };
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 1800 }] }, { health }),
      artifact,
    });
    const traffic = trafficUntilEnd(world, name, executionArn);
    const firstCheck = await eventually(async () => (await historyOf(world, id)).find((event) => event.kind === 'check'), { timeoutMs: 30_000, what: 'the first check' });
    world.aws.service<CloudWatchService>('monitoring').evaluateAlarms();
    const alarmAtBreak = (await world.plane.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }))).MetricAlarms?.[0]?.StateValue;

    // Act: the failure starts after the first check; no alarm evaluation follows.
    writeFileSync(flag, 'broken');
    const { status, byVersion } = await traffic;

    // Assess
    expect(firstCheck.data).toMatchObject({ verdict: 'bake', alarms: [{ name: alarmName }], errorRate: { version: '2', errors: 0, thresholdPercent: 5, minInvocations: 5 } });
    expect(alarmAtBreak).toBe('OK');
    expect(status).toBe('FAILED');
    expect(byVersion['2']).toBeGreaterThan(0);
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toMatch(/^fledge\.HealthCheckFailed: error rate of version 2 is [\d.]+% \(\d+ errors? in \d+ invocations\), above 5%$/);
    const history = await historyOf(world, id);
    expect(kinds(history).at(-1)).toBe('rolledBack');
    const checks = history.filter((event) => event.kind === 'check');
    expect(checks.map((event) => event.data?.verdict)).toEqual(['bake', 'unhealthy']);
    expect(checks[1]?.data).toMatchObject({ alarms: [{ name: alarmName, state: 'OK' }], errorRate: { version: '2', thresholdPercent: 5, minInvocations: 5 } });
    const measured = checks[1]?.data?.errorRate as { errors: number; invocations: number; ratePercent: number };
    expect(measured.invocations).toBeGreaterThanOrEqual(5);
    expect(measured.errors).toBeGreaterThan(0);
    expect(measured.ratePercent).toBeCloseTo((100 * measured.errors) / measured.invocations);
    expect(measured.ratePercent).toBeGreaterThan(5);
  });

  it('reads a throttled metrics query as transient, for the state machine to retry', async () => {
    // Prepare
    world.aws.faults.add({ service: 'monitoring', operation: 'GetMetricData', kind: 'throttle', count: 1 });
    const now = world.aws.clock.now();
    const query = { functionName: 'absent-fn', alias: 'live', version: '3', from: now - 60_000, to: now };

    // Act
    const failure = await world.plane.deps.health.versionMetrics(query).catch((error: unknown) => error);
    const retried = await world.plane.deps.health.versionMetrics(query);

    // Assess
    expect(failure).toBeInstanceOf(TransientAwsError);
    expect((failure as Error).message).toContain('GetMetricData errors and invocations of absent-fn:live version 3');
    expect(retried).toEqual([]);
  });
});
