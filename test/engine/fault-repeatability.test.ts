import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deploymentId, executionEnd, existingFunction, guardAliases, historyOf, kinds, spec, startDeployment, startEngine, TIMED_PAUSES, uploadArtifact, userCode, type EngineWorld } from '../support/engine';

/** How many times the same faulted deployment runs: each must end the same way. */
const RUNS = 3;

describe('a transient fault never changes the outcome (local mode\'s SDK retries)', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    // As `fledge local` runs: three SDK attempts per call, then the state machine's Retry.
    world = await startEngine({ sdkMaxAttempts: 3 });
  });
  afterEach(() => {
    world.aws.faults.clear();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('has the SDK of fledge\'s own functions back off in simulated time, not real seconds', async () => {
    // Prepare
    const name = touch('backoff-fn');
    await existingFunction(world, name);
    world.aws.faults.add({ service: 'lambda', operation: 'GetFunctionConfiguration', kind: 'throttle', count: 2 });

    // Act
    const out = await world.plane.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));

    // Assess: two retries, each backing off at most 20 simulated seconds (the SDK's cap), even
    // though Lambda asks for Retry-After — one simulated second.
    expect(out.$metadata.attempts).toBe(3);
    expect(out.$metadata.totalRetryDelay).toBeLessThanOrEqual(world.aws.clock.toRealMs(2 * 20_000) + 1);
  });

  it(`ends a canary whose UpdateFunctionCode is throttled three times SUCCEEDED, ${RUNS} times out of ${RUNS}`, async () => {
    const outcomes: string[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      // Prepare
      const name = touch(`throttled-code-${run}`);
      await existingFunction(world, name);
      const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
      world.aws.faults.add({ service: 'lambda', operation: 'UpdateFunctionCode', kind: 'throttle', count: 3 });

      // Act
      const id = deploymentId(`throttled-code-${run}`);
      const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 25 }, { type: 'pause', duration: 60 }] }, { health: TIMED_PAUSES }), artifact });
      const end = await executionEnd(world, executionArn);
      const record = await world.plane.deps.store.getDeployment(id);
      outcomes.push(`${end} ${record?.status ?? 'no record'}${record?.reason ? ` (${record.reason})` : ''} ${kinds(await historyOf(world, id)).join(',')}`);
      world.aws.faults.clear();
    }

    // Assess
    expect(outcomes).toEqual(Array.from({ length: RUNS }, () => 'SUCCEEDED SUCCEEDED started,published,weight,check,promoted'));
  });
});
