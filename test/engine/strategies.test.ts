import { CreateAliasCommand, GetFunctionCommand, InvokeCommand, PublishVersionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasOf, deploymentId, ROLE, settled, USER_TIMEOUT, executionEnd, existingFunction, guardAliases, historyOf, kinds, spec, startDeployment, startEngine, uploadArtifact, userCode, TIMED_PAUSES, type EngineWorld } from '../support/engine';

describe('deployment strategies on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function invokeAlias(name: string): Promise<unknown> {
    const out = await world.lambda.send(new InvokeCommand({ FunctionName: name, Qualifier: 'live', Payload: Buffer.from('{}') }));
    return JSON.parse(new TextDecoder().decode(out.Payload));
  }

  it('shifts a canary 10% for two checks, then promotes with routing cleared', async () => {
    // Prepare
    const name = 'canary-fn';
    touch(name);
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, 'canary/v2.zip', userCode('v2'));
    const id = deploymentId('canary');

    // Act
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 120 }] }, { health: TIMED_PAUSES }),
      artifact,
    });
    const status = await executionEnd(world, executionArn);

    // Assess
    expect(status).toBe('SUCCEEDED');
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'SUCCEEDED', newVersion: '2', currentWeight: 100 });
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect(await invokeAlias(name)).toMatchObject({ release: 'v2' });
    const history = await historyOf(world, id);
    expect(kinds(history)).toEqual(['started', 'published', 'weight', 'check', 'check', 'promoted']);
    expect(history.find((event) => event.kind === 'weight')?.data).toMatchObject({ percent: 10, version: '2', previousVersion: '1' });
  });

  it('walks a linear 50% every minute: one weight, one check, then promotion', async () => {
    // Prepare
    const name = 'linear-fn';
    touch(name);
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, 'linear/v2.zip', userCode('v2'));
    const id = deploymentId('linear');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'linear', percent: 50, interval: 60 }, { health: TIMED_PAUSES }), artifact });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    const history = await historyOf(world, id);
    expect(kinds(history)).toEqual(['started', 'published', 'weight', 'check', 'promoted']);
    expect(history.filter((event) => event.kind === 'weight').map((event) => event.data?.percent)).toEqual([50]);
  });

  it('moves all traffic at once without baking', async () => {
    // Prepare
    const name = 'all-at-once-fn';
    touch(name);
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, 'all/v2.zip', userCode('v2'));
    const id = deploymentId('all');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }), artifact });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'promoted']);
    expect(await invokeAlias(name)).toMatchObject({ release: 'v2' });
  });

  it('smoke-tests a blue/green version before switching every request to it', async () => {
    // Prepare
    const name = 'blue-green-fn';
    touch(name);
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, 'bg/v2.zip', userCode('v2'));
    const id = deploymentId('bluegreen');
    const health = { alarms: [], checkInterval: 60, smokeTest: { payload: { echo: 'ping' }, expect: { match: 'subset' as const, value: { release: 'v2', echo: 'ping' } } } };

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'blueGreen' }, { health }), artifact });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    const history = await historyOf(world, id);
    expect(kinds(history)).toEqual(['started', 'published', 'verified', 'promoted']);
    expect(history.find((event) => event.kind === 'verified')?.message).toContain('smoke test passed');
  });

  it('rolls a blue/green back before any traffic when the smoke test gets the wrong answer', async () => {
    // Prepare
    const name = 'blue-green-bad-fn';
    touch(name);
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, 'bg-bad/v2.zip', userCode('v2-wrong'));
    const id = deploymentId('bluegreen-bad');
    const health = { alarms: [], checkInterval: 60, smokeTest: { payload: {}, expect: { match: 'subset' as const, value: { release: 'v2' } } } };
    const before = await aliasOf(world, name);

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'blueGreen' }, { health }), artifact });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual(before);
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toMatch(/^fledge\.VerificationFailed: smoke test of version 2 returned/);
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'rolledBack']);
  });

  it('creates a function that does not exist, tagged fledge:managed=true, and points a new alias straight at its first version', async () => {
    // Prepare
    const name = 'brand-new-fn';
    touch(name);
    const artifact = await uploadArtifact(world, 'new/v1.zip', userCode('first'));
    const id = deploymentId('first');
    const configuration = { runtime: 'nodejs22.x', handler: 'index.handler', role: ROLE, timeout: USER_TIMEOUT };

    // Act
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }] }, { configuration }),
      artifact,
    });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
    expect(await invokeAlias(name)).toMatchObject({ release: 'first' });
    const history = await historyOf(world, id);
    expect(kinds(history)).toEqual(['started', 'published', 'promoted']);
    expect(history[0]?.data).toMatchObject({ functionExisted: false, previousVersion: null });
    // With RequireManagedTag=true fledge may act only on tagged functions: one it created untagged would be out of its reach.
    expect((await world.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Tags).toEqual({ 'fledge:managed': 'true' });
  });

  it('ends NO_CHANGE without touching the alias when the code is what the alias already serves', async () => {
    // Prepare
    const name = 'unchanged-fn';
    touch(name);
    await existingFunction(world, name, 'same');
    const artifact = await uploadArtifact(world, 'same/v1.zip', userCode('same'));
    const before = await aliasOf(world, name);
    const id = deploymentId('nochange');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }] }), artifact });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toEqual(before);
    expect(await world.plane.deps.store.getDeployment(id)).toMatchObject({ status: 'NO_CHANGE', newVersion: '1' });
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'noChange']);
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
  });

  it('cleans up old versions after promotion, never the version it moved away from nor one an alias uses', async () => {
    // Prepare: version 1 behind `stable`, version 2 unused, version 3 behind `live`.
    const name = touch('cleanup-fn');
    await existingFunction(world, name);
    await world.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'stable', FunctionVersion: '1' }));
    for (const release of ['v2', 'v3']) {
      await world.plane.deps.lambda.updateConfiguration({ functionName: name, configuration: { description: release } });
      await settled(world, name);
      await world.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    }
    await world.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '3' }));
    const id = deploymentId('cleanup');

    // Act: version 4, keeping one version.
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }, { cleanup: { keepVersions: 1 } }), artifact: await uploadArtifact(world, 'cleanup/v4.zip', userCode('v4')) });

    // Assess: 2 is gone; 1 stays for `stable`; 3 — the rollback target callers may still reach
    // while the alias update propagates — stays whatever keepVersions says; 4 is live.
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await world.plane.deps.lambda.listVersions(name)).toEqual(['1', '3', '4']);
    expect(await aliasOf(world, name)).toMatchObject({ version: '4', weights: {} });
    expect((await historyOf(world, id)).at(-1)?.data).toMatchObject({ previousVersion: '3', removedVersions: ['2'] });
  });

  it('refuses to start on an alias that already splits traffic, touching nothing', async () => {
    // Prepare: someone left the alias at 30% on another version.
    const name = touch('split-fn');
    await existingFunction(world, name);
    await world.plane.deps.lambda.updateConfiguration({ functionName: name, configuration: { description: 'v2' } });
    await settled(world, name);
    const v2 = await world.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await world.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { [v2.Version!]: 0.3 } } }));
    const before = await aliasOf(world, name);
    const id = deploymentId('split');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }), artifact: await uploadArtifact(world, 'split/v3.zip', userCode('v3')) });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    expect(await aliasOf(world, name)).toEqual(before);
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('REJECTED');
    expect(record?.reason).toContain('already splits traffic (70% on version 1, 30% on version 2)');
    // Settle it for the after-each invariant, as the person would.
    await world.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: {} } }));
  });
});
