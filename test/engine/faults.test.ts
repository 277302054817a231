import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aliasOf, deploymentId, executionEnd, executionHistory, existingFunction, guardAliases, historyOf, kinds, spec, startDeployment, startEngine, uploadArtifact, userCode, TIMED_PAUSES, type EngineWorld } from '../support/engine';

describe('transient AWS failures during a deployment', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    // One SDK attempt per call (startEngine's default): every retry below is the state machine's.
    world = await startEngine();
  });
  afterEach(() => {
    world.aws.faults.clear();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** Deploys a canary onto `name`, injecting `faults` once the function exists (the test's own setup calls are not faulted). */
  async function deployCanary(name: string, label: string, faults: () => void) {
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    faults();
    const id = deploymentId(label);
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 25 }, { type: 'pause', duration: 60 }] }, { health: TIMED_PAUSES }),
      artifact,
    });
    return { id, executionArn };
  }

  async function retriesOf(executionArn: string): Promise<number> {
    // A retried task fails once per retry; those failures are in the execution's history.
    return (await executionHistory(world, executionArn)).filter((event) => event.type === 'TaskFailed' || event.type === 'LambdaFunctionFailed').length;
  }

  it('retries throttled alias updates and succeeds with one weight event, not three', async () => {
    // Prepare
    const name = touch('throttled-alias-fn');

    // Act
    const { id, executionArn } = await deployCanary(name, 'throttle', () => world.aws.faults.add({ service: 'lambda', operation: 'UpdateAlias', kind: 'throttle', count: 2 }));

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'weight', 'check', 'promoted']);
    expect(await retriesOf(executionArn)).toBe(2);
  });

  it('waits out "an update is in progress" on code updates and publishing', async () => {
    // Prepare
    const name = touch('conflicted-fn');
    const conflict = { service: 'lambda', kind: 'error', code: 'ResourceConflictException', status: 409, message: 'The operation cannot be performed at this time. An update is in progress for resource' } as const;

    // Act
    const { id, executionArn } = await deployCanary(name, 'conflict', () => {
      world.aws.faults.add({ ...conflict, operation: 'UpdateFunctionCode', count: 2 });
      world.aws.faults.add({ ...conflict, operation: 'PublishVersion', count: 1 });
    });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'weight', 'check', 'promoted']);
    expect(await retriesOf(executionArn)).toBe(3);
  });

  it('retries a throttled history table without duplicating events', async () => {
    // Prepare
    const name = touch('throttled-table-fn');

    // Act
    const { id, executionArn } = await deployCanary(name, 'table', () => {
      world.aws.faults.add({ service: 'dynamodb', operation: 'PutItem', kind: 'throttle', count: 3 });
      world.aws.faults.add({ service: 'lambda', operation: 'GetAlias', kind: 'serverError', count: 1 });
    });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect(kinds(await historyOf(world, id))).toEqual(['started', 'published', 'weight', 'check', 'promoted']);
  });
});
