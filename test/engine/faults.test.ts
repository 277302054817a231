import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { aliasOf, deploymentId, executionEnd, executionHistory, existingFunction, guardAliases, historyOf, kinds, recordStatus, ROLE, spec, startDeployment, startEngine, uploadArtifact, USER_TIMEOUT, userCode, TIMED_PAUSES, type EngineWorld } from '../support/engine';
import { failure } from '../support/local-aws';

describe('AWS failures during a deployment: transient ones retried, permanent ones named', () => {
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

  it('fails Publish once, named, and rolls back cleanly when Lambda cannot read the artifact, whatever S3 answered', async () => {
    // Prepare: one zip that does not exist (S3 answers NoSuchKey), one S3 refuses to Lambda
    // (AccessDenied: what a missing key looks like without s3:ListBucket).
    const missing = touch('missing-zip-fn');
    const denied = touch('denied-zip-fn');
    await existingFunction(world, missing);
    await existingFunction(world, denied);
    const before = { missing: await aliasOf(world, missing), denied: await aliasOf(world, denied) };
    const deniedZip = await uploadArtifact(world, `${denied}/v2.zip`, userCode('v2'));
    const accessDenied = { service: 'lambda', operation: 'UpdateFunctionCode', kind: 'error', code: 'InvalidParameterValueException', status: 400, message: 'Error occurred while GetObject. S3 Error Code: AccessDenied. S3 Error Message: Access Denied', count: 1 } as const;
    const canary = { kind: 'canary', steps: [{ type: 'setWeight', percent: 25 }, { type: 'pause', duration: 60 }] } as const;

    // Act
    const first = await startDeployment(world, { deploymentId: deploymentId('missing-zip'), spec: spec(missing, canary), artifact: { bucket: world.plane.bucket, key: `${missing}/nowhere.zip` } });
    await executionEnd(world, first.executionArn);
    world.aws.faults.add(accessDenied);
    const second = await startDeployment(world, { deploymentId: deploymentId('denied-zip'), spec: spec(denied, canary), artifact: deniedZip });
    await executionEnd(world, second.executionArn);

    // Assess
    const records = { missing: await recordStatus(world, first.deploymentId, 'ROLLED_BACK'), denied: await recordStatus(world, second.deploymentId, 'ROLLED_BACK') };
    expect(records.missing.reason).toBe(`fledge.ArtifactUnavailable: artifact not found or not readable: s3://${world.plane.bucket}/${missing}/nowhere.zip (Lambda could not read it: S3 answered NoSuchKey)`);
    expect(records.denied.reason).toBe(`fledge.ArtifactUnavailable: artifact not found or not readable: s3://${world.plane.bucket}/${denied}/v2.zip (Lambda could not read it: S3 answered AccessDenied)`);
    expect(await aliasOf(world, missing)).toEqual(before.missing);
    expect(await aliasOf(world, denied)).toEqual(before.denied);
    // Not retried: one failed Publish each, no published version.
    expect([await retriesOf(first.executionArn), await retriesOf(second.executionArn)]).toEqual([1, 1]);
    expect(kinds(await historyOf(world, first.deploymentId))).toEqual(['started', 'rolledBack']);
  });

  it('fails Prepare named, creates no function and rolls back cleanly when the artifact of a new function is missing', async () => {
    // Prepare
    const name = deploymentId('missing-new-fn');
    const configuration = { runtime: 'nodejs22.x', handler: 'index.handler', role: ROLE, timeout: USER_TIMEOUT };

    // Act
    const { deploymentId: id, executionArn } = await startDeployment(world, { deploymentId: deploymentId('missing-new'), spec: spec(name, { kind: 'allAtOnce' }, { configuration }), artifact: { bucket: world.plane.bucket, key: 'nowhere/new.zip' } });
    await executionEnd(world, executionArn);

    // Assess
    expect((await recordStatus(world, id, 'ROLLED_BACK')).reason).toBe(`fledge.ArtifactUnavailable: artifact not found or not readable: s3://${world.plane.bucket}/nowhere/new.zip (Lambda could not read it: S3 answered NoSuchKey)`);
    expect((await failure(world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })))).name).toBe('ResourceNotFoundException');
    expect(await retriesOf(executionArn)).toBe(1);
  });
});
