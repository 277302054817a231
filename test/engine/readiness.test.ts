import { CreateAliasCommand, CreateFunctionCommand, PublishVersionCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaService } from '@fledge-local/embedded-aws';
import { IncompatibleVersionsError } from '../../shared/model/engine-errors';
import { splitsTraffic } from '../../shared/domain/spec/steps';
import { functionZip } from '../support/zip';
import {
  aliasOf,
  deploymentId,
  executionEnd,
  existingFunction,
  guardAliases,
  historyOf,
  kinds,
  ROLE,
  settled,
  spec,
  startDeployment,
  startEngine,
  trafficUntilEnd,
  uploadArtifact,
  USER_TIMEOUT,
  userCode,
  type EngineWorld,
} from '../support/engine';

const OTHER_ROLE = 'arn:aws:iam::000000000000:role/fledge-test-other';
const DLQ = 'arn:aws:sqs:us-east-1:000000000000:orders-dlq';
const CANARY = { kind: 'canary' as const, steps: [{ type: 'setWeight' as const, percent: 10 }, { type: 'pause' as const, duration: 120 }] };

describe('versions that are ready for traffic, on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);
  const activation = (name: string, value: Parameters<LambdaService['setVersionActivation']>[1]) => world.aws.service<LambdaService>('lambda').setVersionActivation(name, value);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('moves no weight until a slowly published version is Active, so no call routed through the alias fails', async () => {
    // Prepare: versions published from now on stay Pending for 2 minutes (a SnapStart snapshot).
    const name = touch('slow-version-fn');
    await existingFunction(world, name);
    activation(name, { pendingMs: 2 * 60_000 });
    const id = deploymentId('slow-version');

    // Act: production traffic runs through the alias during the whole deployment.
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY), artifact: await uploadArtifact(world, 'slow/v2.zip', userCode('v2')) });
    const { status, byVersion } = await trafficUntilEnd(world, name, executionArn);

    // Assess: every call succeeded (trafficUntilEnd rejects on the first failed call), some on v2.
    expect(status).toBe('SUCCEEDED');
    expect(byVersion['2']).toBeGreaterThan(0);
    const history = await historyOf(world, id);
    // Two checks in the 2-minute pause, more when a slow machine's traffic needs the evidence extension.
    const seen = kinds(history);
    expect(seen.slice(0, 3)).toEqual(['started', 'published', 'weight']);
    expect(seen.at(-1)).toBe('promoted');
    expect(seen.slice(3, -1).every((kind) => kind === 'check') && seen.length >= 6).toBe(true);
    const published = history.find((event) => event.kind === 'published')!;
    const weight = history.find((event) => event.kind === 'weight')!;
    expect(weight.at - published.at).toBeGreaterThanOrEqual(2 * 60_000 - 30_000);
  });

  it('rolls back with nothing shifted when the new version is still Pending at the deployment\'s timeout', async () => {
    // Prepare: a version that takes an hour, a deployment allowed two minutes.
    const name = touch('pending-version-fn');
    await existingFunction(world, name);
    activation(name, { pendingMs: 3_600_000 });
    const before = await aliasOf(world, name);
    const id = deploymentId('pending-version');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY, { timeout: 120 }), artifact: await uploadArtifact(world, 'pending/v2.zip', userCode('v2')) });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'ROLLED_BACK', currentWeight: 0 });
    expect(record?.reason).toMatch(new RegExp(`^fledge\\.VersionNotReady: version 2 of ${name} is still Pending after \\d+ s .*no traffic was moved$`));
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'rolledBack']);
  });

  it('ends the deployment with nothing shifted, naming SnapStart, when a SnapStart version stays Pending past readiness.timeout', async () => {
    // Prepare: SnapStart on; the embedded Lambda takes a minute (simulated) to snapshot a version, the spec waits 20 s.
    const name = touch('snapstart-pending-fn');
    await existingFunction(world, name);
    await world.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, SnapStart: { ApplyOn: 'PublishedVersions' } }));
    await settled(world, name);
    const before = await aliasOf(world, name);
    const id = deploymentId('snapstart-pending');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY, { readiness: { timeout: 20 } }), artifact: await uploadArtifact(world, 'snapstart/v2.zip', userCode('v2')) });

    // Assess: the alias never moved; the record says why, naming SnapStart and the limit.
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'ROLLED_BACK', currentWeight: 0 });
    expect(record?.reason).toMatch(new RegExp(`^fledge\\.VersionNotReady: version 2 of ${name} is still Pending after \\d+ s: Lambda is still taking its SnapStart snapshot .*at most 20 s for it \\(readiness\\.timeout\\).*no traffic was moved$`));
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'rolledBack']);
  });

  it('rolls back with nothing shifted when the new version ends Failed, giving Lambda\'s reason', async () => {
    // Prepare
    const name = touch('failed-version-fn');
    await existingFunction(world, name);
    activation(name, { pendingMs: 1_000, failure: { reason: 'SnapStart could not restore the snapshot', code: 'SnapStartFailure' } });
    const before = await aliasOf(world, name);
    const id = deploymentId('failed-version');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }), artifact: await uploadArtifact(world, 'failed/v2.zip', userCode('v2')) });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect((await world.plane.deps.store.getDeployment(id))?.reason).toBe(`fledge.VersionNotReady: version 2 of ${name} is Failed: SnapStart could not restore the snapshot: no traffic was moved`);
  });

  it('refuses, touching nothing, an alias whose version could not be rolled back to', async () => {
    // Prepare: `live` points at a version that failed; `latest` points at $LATEST.
    const name = touch('failed-target-fn');
    await world.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: USER_TIMEOUT, Code: { ZipFile: functionZip(userCode('v1')) } }));
    await settled(world, name);
    activation(name, { pendingMs: 0, failure: { reason: 'the image could not be prepared', code: 'ImageAccessDenied' } });
    await world.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await world.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
    await world.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'latest', FunctionVersion: '$LATEST' }));
    activation(name, undefined);
    const artifact = await uploadArtifact(world, 'failed-target/v2.zip', userCode('v2'));

    // Act
    const failedTarget = await startDeployment(world, { deploymentId: deploymentId('failed-target'), spec: spec(name, CANARY), artifact });
    const latestTarget = await startDeployment(world, { deploymentId: deploymentId('latest-target'), spec: spec(name, CANARY, { alias: 'latest' }), artifact });

    // Assess: both rejected before publishing anything.
    expect(await executionEnd(world, failedTarget.executionArn)).toBe('FAILED');
    expect(await executionEnd(world, latestTarget.executionArn)).toBe('FAILED');
    expect(await world.plane.deps.store.getDeployment(failedTarget.deploymentId)).toMatchObject({
      status: 'REJECTED',
      reason: expect.stringContaining(`alias ${name}:live points at version 1, which is Failed: the image could not be prepared: it cannot be the version to roll back to`),
    });
    expect(await world.plane.deps.store.getDeployment(latestTarget.deploymentId)).toMatchObject({
      status: 'REJECTED',
      reason: expect.stringContaining(`alias ${name}:latest points at $LATEST, which this deployment rewrites`),
    });
    expect(await world.plane.deps.lambda.listVersions(name)).toEqual(['1']);
  });

  it.each([
    ['execution role', { role: OTHER_ROLE }, /the execution role differs \(version 1: arn:aws:iam::000000000000:role\/fledge-test-function, version 2: arn:aws:iam::000000000000:role\/fledge-test-other\)/],
    ['dead-letter queue', { deadLetterTarget: DLQ }, /the dead-letter queue differs \(version 1: none, version 2: arn:aws:sqs:us-east-1:000000000000:orders-dlq\)/],
  ])('rolls a canary back with the alias whole when the new %s differs from the old version\'s', async (what, configuration, difference) => {
    // Prepare
    const name = touch(`split-${what.replace(/\W+/g, '-')}-fn`);
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const id = deploymentId('split-config');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY, { configuration }), artifact: await uploadArtifact(world, `split-${id}/v2.zip`, userCode('v2')) });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toMatch(/^fledge\.IncompatibleVersions: Lambda cannot split alias .*:live between version 1 and version 2: /);
    expect(record?.reason).toMatch(difference);
    expect(record?.reason).toContain('deploy this change with strategy allAtOnce or blueGreen');
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'rolledBack']);
  });

  it('changes the role with allAtOnce, which never splits the alias', async () => {
    // Prepare
    const name = touch('role-all-at-once-fn');
    await existingFunction(world, name);
    const id = deploymentId('role-all-at-once');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }, { configuration: { role: OTHER_ROLE } }), artifact: await uploadArtifact(world, 'role-all/v2.zip', userCode('v2')) });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect((await world.plane.deps.lambda.getFunction(name, '2'))?.role).toBe(OTHER_ROLE);
  });

  it('reads Lambda\'s refusal of a weighted alias across roles as IncompatibleVersions, leaving the alias as it was', async () => {
    // Prepare: version 2 runs with another role than version 1.
    const name = touch('refused-split-fn');
    await existingFunction(world, name);
    await world.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Role: OTHER_ROLE }));
    await settled(world, name);
    await world.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const before = await aliasOf(world, name);

    // Act
    const refused = await world.plane.deps.lambda.updateAlias({ functionName: name, alias: 'live', routing: { version: '1', weights: { 2: 0.1 } }, revisionId: before.revisionId }).catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(IncompatibleVersionsError);
    expect((refused as Error).message).toContain('Specified versions must be associated with the same execution role');
    expect(await aliasOf(world, name)).toEqual(before);
  });
});

describe('which strategies split the alias', () => {
  const defaults = { timeout: 600 };

  it('counts a weight below 100% followed by a pause or an approval, never consecutive weights ending in 100%', () => {
    expect(splitsTraffic([{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }, { type: 'setWeight', percent: 100 }], defaults)).toBe(true);
    expect(splitsTraffic([{ type: 'approval', timeout: 60 }, { type: 'setWeight', percent: 10 }, { type: 'approval', timeout: 60 }, { type: 'setWeight', percent: 100 }], defaults)).toBe(true);
    expect(splitsTraffic([{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 0 }, { type: 'setWeight', percent: 100 }], defaults)).toBe(false);
    expect(splitsTraffic([{ type: 'approval', timeout: 60 }, { type: 'setWeight', percent: 100 }], defaults)).toBe(false);
    expect(splitsTraffic([{ type: 'setWeight', percent: 100 }], defaults)).toBe(false);
  });
});
