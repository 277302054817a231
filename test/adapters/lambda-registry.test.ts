import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  LambdaServiceException,
  PreconditionFailedException,
  PublishVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  ServiceException,
  TooManyRequestsException,
  UpdateAliasCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaRegistryAdapter } from '../../shared/adapters/lambda-registry';
import { AliasDriftedError, ArtifactUnavailableError, AwsCallFailedError, FunctionNotFoundError, FunctionUpdateFailedError, IncompatibleVersionsError, TransientAwsError } from '../../shared/model/engine-errors';
import type { FunctionConfigurationSpec } from '../../shared/model/spec';
import { networkError, serviceError } from './sdk-errors';

// Lambda's answers translated at the adapter boundary, on a mocked client: no AWS, milliseconds.

const client = new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const lambda = mockClient(client);
const clock = { now: () => 0, sleep: async () => undefined };
const registry = new LambdaRegistryAdapter(client, clock);
const routing = { version: '2', weights: { '3': 0.1 } };
const configuration = { role: 'arn:aws:iam::123456789012:role/fn', runtime: 'nodejs22.x', handler: 'index.handler' } as FunctionConfigurationSpec;

afterEach(() => {
  lambda.reset();
});

describe('the Lambda adapter', () => {
  it('reads a missing function or alias as absent', async () => {
    // Prepare
    lambda.on(GetFunctionConfigurationCommand).rejects(serviceError(ResourceNotFoundException, 'ResourceNotFoundException', 404));
    lambda.on(GetAliasCommand).rejects(serviceError(ResourceNotFoundException, 'ResourceNotFoundException', 404));

    // Act / Assess
    expect(await registry.getFunction('fn')).toBeUndefined();
    expect(await registry.getAlias('fn', 'live')).toBeUndefined();
  });

  it.each([
    ['a throttle', 'transient', serviceError(TooManyRequestsException, 'TooManyRequestsException', 429), TransientAwsError],
    ['a 500', 'transient', serviceError(ServiceException, 'ServiceException', 500), TransientAwsError],
    ['a dropped connection', 'transient', networkError('ECONNRESET'), TransientAwsError],
    ['access denied', 'a failed call, not retried', serviceError(LambdaServiceException, 'AccessDeniedException', 403), AwsCallFailedError],
  ])('reads %s as %s, naming the call', async (_what, _as, error, expected) => {
    // Prepare
    lambda.on(GetAliasCommand).rejects(error);

    // Act
    const failure = (await registry.getAlias('fn', 'live').catch((e: unknown) => e)) as Error;

    // Assess
    expect(failure).toBeInstanceOf(expected);
    expect(failure.message).toMatch(/^GetAlias fn:live: /);
  });

  it('reads a refused alias update as drift when the revision moved, and as transient while an update is in progress', async () => {
    // Prepare
    lambda.on(UpdateAliasCommand).rejectsOnce(serviceError(PreconditionFailedException, 'PreconditionFailedException', 412)).rejectsOnce(serviceError(ResourceConflictException, 'ResourceConflictException', 409, 'An update is in progress for resource: fn'));

    // Act
    const drifted = await registry.updateAlias({ functionName: 'fn', alias: 'live', routing, revisionId: 'r1' }).catch((e: unknown) => e);
    const busy = await registry.updateAlias({ functionName: 'fn', alias: 'live', routing, revisionId: 'r1' }).catch((e: unknown) => e);

    // Assess
    expect(drifted).toBeInstanceOf(AliasDriftedError);
    expect((drifted as Error).message).toBe('UpdateAlias fn:live: the alias changed since revision r1');
    expect(busy).toBeInstanceOf(TransientAwsError);
  });

  it("says the versions cannot share the alias when Lambda refuses the split over their roles, and names a missing function", async () => {
    // Prepare
    lambda
      .on(UpdateAliasCommand)
      .rejectsOnce(serviceError(InvalidParameterValueException, 'InvalidParameterValueException', 400, 'Alias with weights can not be used with functions of different execution role'))
      .rejectsOnce(serviceError(ResourceNotFoundException, 'ResourceNotFoundException', 404, 'Function not found: fn'));

    // Act
    const split = await registry.updateAlias({ functionName: 'fn', alias: 'live', routing, revisionId: 'r1' }).catch((e: unknown) => e);
    const missing = await registry.updateAlias({ functionName: 'fn', alias: 'live', routing, revisionId: 'r1' }).catch((e: unknown) => e);

    // Assess
    expect(split).toBeInstanceOf(IncompatibleVersionsError);
    expect((split as Error).message).toMatch(/cannot split the alias between version 2 and version 3 .*use strategy allAtOnce or blueGreen/);
    expect(missing).toBeInstanceOf(FunctionNotFoundError);
  });

  it('reads an alias created meanwhile by someone else as drift', async () => {
    // Prepare
    lambda.on(CreateAliasCommand).rejects(serviceError(ResourceConflictException, 'ResourceConflictException', 409, 'Alias already exists: live'));

    // Act / Assess
    await expect(registry.createAlias({ functionName: 'fn', alias: 'live', routing })).rejects.toBeInstanceOf(AliasDriftedError);
  });

  it('treats deleting what is gone already as done', async () => {
    // Prepare
    lambda.on(DeleteAliasCommand).rejects(serviceError(ResourceNotFoundException, 'ResourceNotFoundException', 404));
    lambda.on(DeleteFunctionCommand).rejects(serviceError(ResourceNotFoundException, 'ResourceNotFoundException', 404));

    // Act / Assess
    await expect(registry.deleteAlias('fn', 'live')).resolves.toBeUndefined();
    await expect(registry.deleteVersion('fn', '3')).resolves.toBeUndefined();
  });

  it('names the artifact Lambda could not fetch instead of a retryable failure', async () => {
    // Prepare
    lambda.on(CreateFunctionCommand).rejects(serviceError(InvalidParameterValueException, 'InvalidParameterValueException', 400, 'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.'));

    // Act
    const failure = await registry.createFunction({ functionName: 'fn', artifact: { bucket: 'b', key: 'k.zip' }, configuration, tags: {} }).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(ArtifactUnavailableError);
    expect((failure as ArtifactUnavailableError).location).toBe('s3://b/k.zip');
    expect((failure as Error).message).toContain('S3 answered NoSuchKey');
  });

  it('takes a create that conflicts with an existing function as the earlier attempt having succeeded', async () => {
    // Prepare
    lambda.on(CreateFunctionCommand).rejects(serviceError(ResourceConflictException, 'ResourceConflictException', 409, 'Function already exist: fn'));
    lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionName: 'fn', FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fn', Version: '$LATEST', CodeSha256: 'sha', RevisionId: 'r1', State: 'Active' });

    // Act
    const created = await registry.createFunction({ functionName: 'fn', artifact: { bucket: 'b', key: 'k.zip' }, configuration, tags: {} });

    // Assess
    expect(created).toMatchObject({ functionName: 'fn', revisionId: 'r1' });
  });

  it("refuses to publish code that is no longer the one checked, as someone else's push", async () => {
    // Prepare
    lambda.on(PublishVersionCommand).rejects(serviceError(InvalidParameterValueException, 'InvalidParameterValueException', 400, 'CodeSHA256 (abc) is different from current CodeSHA256 in $LATEST (def). Please try again with the CodeSHA256 in $LATEST.'));

    // Act / Assess
    await expect(registry.publishVersion({ functionName: 'fn', codeSha256: 'abc', revisionId: 'r1' })).rejects.toBeInstanceOf(FunctionUpdateFailedError);
  });

  it('keeps a throttled invoke retryable', async () => {
    // Prepare
    lambda.on(InvokeCommand).rejects(serviceError(TooManyRequestsException, 'TooManyRequestsException', 429, 'Rate Exceeded.'));

    // Act / Assess
    await expect(registry.invoke({ functionName: 'fn', qualifier: '3', payload: {} })).rejects.toThrow(new TransientAwsError('Invoke fn:3: TooManyRequestsException: Rate Exceeded.'));
  });
});
