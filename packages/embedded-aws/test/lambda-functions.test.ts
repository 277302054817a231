import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig, eventually, failure, s3ClientConfig } from '../src/testing/clients';
import { functionZip, returningZip } from '../src/testing/zip';

const ROLE = 'arn:aws:iam::000000000000:role/fledge-test';

/** Polls until the function (or version) is Active and its last update Successful, as `waitUntilFunctionUpdatedV2` would. */
async function settled(lambda: LambdaClient, name: string, qualifier?: string) {
  return eventually(async () => {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: qualifier }));
    return config.State === 'Active' && config.LastUpdateStatus === 'Successful' ? config : undefined;
  }, { what: `${name} to become Active` });
}

describe('embedded Lambda: functions and versions', () => {
  let aws: LocalAws;
  let lambda: LambdaClient;
  let counter = 0;
  const fresh = (): string => `fn-${++counter}`;
  const create = (name: string, extra: Partial<CreateFunctionCommandInput> = {}) =>
    lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: returningZip(name) }, ...extra }));

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, lambda: { updateDelayMs: 30 } });
    lambda = new LambdaClient(clientConfig(aws));
  });
  afterAll(async () => {
    lambda.destroy();
    await aws.stop();
  });

  it('creates a function from a zip: Pending with AWS configuration shape, then Active with a new RevisionId', async () => {
    // Prepare
    const name = fresh();
    const zip = returningZip('hello');
    // Act
    const created = await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: zip }, Environment: { Variables: { STAGE: 'test' } } }));
    const active = await settled(lambda, name);
    // Assess
    const { createHash } = await import('node:crypto');
    expect(created).toMatchObject({
      FunctionName: name,
      FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: ROLE,
      Timeout: 3,
      MemorySize: 128,
      Version: '$LATEST',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
      CodeSize: zip.length,
      CodeSha256: createHash('sha256').update(zip).digest('base64'),
      Environment: { Variables: { STAGE: 'test' } },
      State: 'Pending',
      StateReasonCode: 'Creating',
    });
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(active.State).toBe('Active');
    expect(active.RevisionId).not.toBe(created.RevisionId);
  });

  it('creates a function from a zip in the embedded S3', async () => {
    // Prepare
    const s3 = new S3Client(s3ClientConfig(aws));
    await s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
    const zip = returningZip('from-s3');
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'builds/app 1.zip', Body: zip }));
    const name = fresh();
    // Act
    const created = await create(name, { Code: { S3Bucket: 'artifacts', S3Key: 'builds/app 1.zip' } });
    await settled(lambda, name);
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ echo: 1 }) }));
    const missing = await failure(create(fresh(), { Code: { S3Bucket: 'artifacts', S3Key: 'nope.zip' } }));
    // Assess
    expect(created.CodeSize).toBe(zip.length);
    expect(JSON.parse(Buffer.from(invoked.Payload!).toString())).toEqual({ value: 'from-s3', echo: 1 });
    expect(missing.name).toBe('InvalidParameterValueException');
    expect(missing.message).toContain('S3 Error Code: NoSuchKey');
    s3.destroy();
  });

  it('accepts the name, partial ARN and full ARN forms, and refuses names AWS refuses', async () => {
    // Prepare
    const name = fresh();
    await create(name);
    // Act
    const byName = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const byPartial = await lambda.send(new GetFunctionCommand({ FunctionName: `000000000000:function:${name}` }));
    const byArn = await lambda.send(new GetFunctionCommand({ FunctionName: `arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST` }));
    const otherRegion = await failure(lambda.send(new GetFunctionCommand({ FunctionName: `arn:aws:lambda:eu-west-1:000000000000:function:${name}` })));
    const badName = await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'not a name!' })));
    const tooLong = await failure(create('x'.repeat(65)));
    const missing = await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'does-not-exist' })));
    const conflicting = await failure(lambda.send(new GetFunctionCommand({ FunctionName: `${name}:1`, Qualifier: '2' })));
    // Assess
    expect(byName.Configuration?.FunctionName).toBe(name);
    expect(byPartial.Configuration?.FunctionName).toBe(name);
    expect(byArn.Configuration?.FunctionArn).toBe(`arn:aws:lambda:us-east-1:000000000000:function:${name}:$LATEST`);
    expect(byName.Code?.RepositoryType).toBe('S3');
    expect(otherRegion).toMatchObject({ name: 'ResourceNotFoundException', message: "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')" });
    expect(badName.name).toBe('ValidationException');
    expect(tooLong.name).toBe('InvalidParameterValueException');
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:does-not-exist', $metadata: { httpStatusCode: 404 } });
    expect(conflicting.name).toBe('InvalidParameterValueException');
  });

  it('refuses a second function of the same name with ResourceConflictException', async () => {
    // Prepare
    const name = fresh();
    await create(name);
    // Act
    const again = await failure(create(name));
    // Assess
    expect(again).toMatchObject({ name: 'ResourceConflictException', message: `Function already exist: ${name}`, $metadata: { httpStatusCode: 409 } });
  });

  it('keeps the tags given to CreateFunction and returns them from GetFunction, refusing tags AWS refuses', async () => {
    // Prepare
    const [tagged, plain, bad] = [fresh(), fresh(), fresh()];

    // Act
    await create(tagged, { Tags: { 'fledge:managed': 'true', team: '' } });
    await create(plain);
    const refused = await failure(create(bad, { Tags: { ['k'.repeat(129)]: 'v' } }));

    // Assess
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: tagged }))).Tags).toEqual({ 'fledge:managed': 'true', team: '' });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: plain }))).Tags).toBeUndefined();
    expect(refused).toMatchObject({ name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } });
    expect(await failure(lambda.send(new GetFunctionCommand({ FunctionName: bad })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('validates configuration with AWS error names', async () => {
    // Act
    const badRole = await failure(create(fresh(), { Role: 'not-a-role' }));
    const noRuntime = await failure(create(fresh(), { Runtime: undefined }));
    const oldRuntime = await failure(create(fresh(), { Runtime: 'nodejs14.x' }));
    const reserved = await failure(create(fresh(), { Environment: { Variables: { AWS_REGION: 'eu-west-1' } } }));
    const timeout = await failure(create(fresh(), { Timeout: 901 }));
    const notZip = await failure(create(fresh(), { Code: { ZipFile: Buffer.from('not a zip') } }));
    // Assess
    expect(badRole.name).toBe('ValidationException');
    expect(noRuntime).toMatchObject({ name: 'InvalidParameterValueException', message: 'Runtime and Handler are mandatory parameters for functions created with deployment packages.' });
    expect(oldRuntime.message).toContain('nodejs14.x is no longer supported');
    expect(reserved.message).toContain('Reserved keys used in this request: AWS_REGION');
    expect(timeout.name).toBe('ValidationException');
    expect(notZip).toMatchObject({ name: 'InvalidParameterValueException', message: 'Could not unzip uploaded file. Please check your file, then try to upload again.' });
  });

  it('publishes two versions, returns the existing version when nothing changed, and pages the version list', async () => {
    // Prepare
    const name = fresh();
    await create(name);
    await settled(lambda, name);
    // Act
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: name, Description: 'first' }));
    // A published version starts Pending; becoming Active changes its RevisionId, as on AWS.
    const active = await settled(lambda, name, '1');
    const again = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: returningZip('second') }));
    await settled(lambda, name);
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: updated.CodeSha256 }));
    const page1 = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: 2 }));
    const page2 = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: 2, Marker: page1.NextMarker }));
    // Assess
    expect(v1).toMatchObject({ Version: '1', Description: 'first', FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:1` });
    expect(v1.$metadata.httpStatusCode).toBe(201);
    expect(again.Version).toBe('1');
    expect(again.RevisionId).toBe(active.RevisionId);
    expect(v2.Version).toBe('2');
    expect(v2.CodeSha256).toBe(updated.CodeSha256);
    expect(v2.CodeSha256).not.toBe(v1.CodeSha256);
    expect(page1.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    expect(page1.NextMarker).toBeTruthy();
    expect(page2.Versions?.map((v) => v.Version)).toEqual(['2']);
    expect(page2.NextMarker).toBeUndefined();
  });

  it('guards PublishVersion with CodeSha256 and RevisionId, and updates with RevisionId', async () => {
    // Prepare
    const name = fresh();
    await create(name);
    const current = await settled(lambda, name);
    // Act
    const wrongSha = await failure(lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' })));
    const wrongRevision = await failure(lambda.send(new PublishVersionCommand({ FunctionName: name, RevisionId: 'not-the-revision' })));
    const staleUpdate = await failure(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 10, RevisionId: 'stale' })));
    const published = await lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: current.CodeSha256, RevisionId: current.RevisionId }));
    // Assess
    expect(wrongSha).toMatchObject({
      name: 'InvalidParameterValueException',
      message: `CodeSHA256 (AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=) is different from current CodeSHA256 in $LATEST (${current.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      $metadata: { httpStatusCode: 400 },
    });
    expect(wrongRevision).toMatchObject({ name: 'PreconditionFailedException', $metadata: { httpStatusCode: 412 } });
    expect(staleUpdate.name).toBe('PreconditionFailedException');
    expect(published.Version).toBe('1');
  });

  it('answers ResourceConflictException to an update or publish while the last update is InProgress', async () => {
    // Prepare: a window long enough that the second call surely lands inside it.
    const slow = await startLocalAws({ port: 0, lambda: { updateDelayMs: 400 } });
    const client = new LambdaClient(clientConfig(slow));
    const name = 'slow-fn';
    await client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: returningZip(1) } }));
    const whilePending = await failure(client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 5 })));
    await settled(client, name);
    // Act
    const first = await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 5 }));
    const second = await failure(client.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: returningZip(2) })));
    const publish = await failure(client.send(new PublishVersionCommand({ FunctionName: name })));
    const done = await settled(client, name);
    // Assess
    expect(whilePending).toMatchObject({ name: 'ResourceConflictException', message: expect.stringContaining('currently in the following state: Pending') });
    expect(first).toMatchObject({ LastUpdateStatus: 'InProgress', State: 'Active', Timeout: 5 });
    expect(second).toMatchObject({ name: 'ResourceConflictException', message: `The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:000000000000:function:${name}`, $metadata: { httpStatusCode: 409 } });
    expect(publish.name).toBe('ResourceConflictException');
    expect(done.LastUpdateStatus).toBe('Successful');
    expect(done.RevisionId).not.toBe(first.RevisionId);
    client.destroy();
    await slow.stop();
  });

  it('publishes from UpdateFunctionCode with Publish, and stores image functions it cannot run', async () => {
    // Prepare
    const name = fresh();
    await create(name);
    await settled(lambda, name);
    const image = fresh();
    // Act
    const published = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: returningZip('p'), Publish: true }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: image, PackageType: 'Image', Role: ROLE, Code: { ImageUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/app:1' } }));
    await settled(lambda, image);
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: image }));
    const invoked = await failure(lambda.send(new InvokeCommand({ FunctionName: image })));
    const zipToImage = await failure(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ImageUri: 'x' })));
    // Assess
    expect(published.Version).toBe('1');
    expect(got.Code).toMatchObject({ RepositoryType: 'ECR', ImageUri: '000000000000.dkr.ecr.us-east-1.amazonaws.com/app:1' });
    expect(got.Configuration?.PackageType).toBe('Image');
    expect(invoked).toMatchObject({ name: 'InvalidRuntimeException', message: expect.stringContaining('cannot run container images') });
    expect(zipToImage.message).toBe("Please don't provide ImageUri when updating a function with packageType Zip.");
  });

  it('refuses to delete a version an alias references, or $LATEST alone, and deletes the rest', async () => {
    // Prepare
    const name = fresh();
    await create(name);
    await settled(lambda, name);
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: 'two' }));
    await settled(lambda, name);
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
    // Act
    const aliased = await failure(lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: '1' })));
    const latest = await failure(lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: '$LATEST' })));
    const deleted = await lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: '2' }));
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    const gone = await failure(lambda.send(new GetFunctionCommand({ FunctionName: name })));
    // Assess
    expect(aliased).toMatchObject({ name: 'ResourceConflictException', message: 'Unable to delete version because the following aliases reference it: [live]', $metadata: { httpStatusCode: 409 } });
    expect(latest).toMatchObject({ name: 'InvalidParameterValueException', message: '$LATEST version cannot be deleted without deleting the function.' });
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  it('keeps functions, versions, aliases and code across a restart with a data directory', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'fledge-lambda-test-'));
    const first = await startLocalAws({ port: 0, dataDir, lambda: { updateDelayMs: 10 } });
    let client = new LambdaClient(clientConfig(first));
    await client.send(new CreateFunctionCommand({ FunctionName: 'durable', Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: returningZip('kept') } }));
    await settled(client, 'durable');
    const v1 = await client.send(new PublishVersionCommand({ FunctionName: 'durable' }));
    await client.send(new CreateAliasCommand({ FunctionName: 'durable', Name: 'live', FunctionVersion: '1' }));
    client.destroy();
    await first.stop();
    // Act
    const second = await startLocalAws({ port: 0, dataDir, lambda: { updateDelayMs: 10 } });
    client = new LambdaClient(clientConfig(second));
    const version = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'durable', Qualifier: '1' }));
    const invoked = await client.send(new InvokeCommand({ FunctionName: 'durable', Qualifier: 'live' }));
    const v2 = await client.send(new PublishVersionCommand({ FunctionName: 'durable' }));
    // Assess
    expect(version.CodeSha256).toBe(v1.CodeSha256);
    expect(version.RevisionId).toBeDefined();
    expect(invoked.ExecutedVersion).toBe('1');
    expect(JSON.parse(Buffer.from(invoked.Payload!).toString())).toMatchObject({ value: 'kept' });
    expect(v2.Version).toBe('1');
    client.destroy();
    await second.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves alias state read-only under /_fledge/lambda for tests and the demo', async () => {
    // Prepare
    const name = fresh();
    await create(name, { Code: { ZipFile: functionZip({ 'index.js': 'exports.handler = async () => 1;' }) } });
    await settled(lambda, name);
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
    // Act
    const state = (await (await fetch(`${aws.endpoint}/_fledge/lambda/functions/${name}/aliases/live`)).json()) as unknown;
    const absent = await fetch(`${aws.endpoint}/_fledge/lambda/functions/${name}/aliases/none`);
    // Assess
    expect(state).toEqual({ name: 'live', functionVersion: '1', additionalVersionWeights: {}, revisionId: alias.RevisionId });
    expect(absent.status).toBe(404);
  });
});
