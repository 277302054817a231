import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteEventSourceMappingCommand,
  GetFunctionConfigurationCommand,
  GetPolicyCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  RemovePermissionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig, eventually, failure } from '../src/testing/clients';
import { functionZip } from '../src/testing/zip';

const ROLE = 'arn:aws:iam::000000000000:role/fledge-test';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:orders';

describe('embedded Lambda: SnapStart and who invokes a function', () => {
  let aws: LocalAws;
  let lambda: LambdaClient;
  let counter = 0;

  async function deploy(): Promise<string> {
    const name = `snap-fn-${++counter}`;
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: functionZip({ 'index.mjs': 'export const handler = async () => "ok";' }) } }));
    await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).LastUpdateStatus === 'Successful' ? true : undefined), { what: `${name} Active` });
    return name;
  }

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, lambda: { updateDelayMs: 20, snapStartDelayMs: 300 } });
    lambda = new LambdaClient(clientConfig(aws));
  });
  afterAll(async () => {
    lambda.destroy();
    await aws.stop();
  });

  it('keeps a version of a SnapStart function Pending and InProgress while its snapshot is taken, then Active with SnapStart on', async () => {
    // Prepare
    const name = await deploy();
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, SnapStart: { ApplyOn: 'PublishedVersions' } }));
    await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).LastUpdateStatus === 'Successful' ? true : undefined), { what: `${name} updated` });

    // Act
    const published = await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const pending = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: published.Version! }));
    const active = await eventually(async () => {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: published.Version! }));
      return config.State === 'Active' ? config : undefined;
    }, { what: `${name}:1 Active` });

    // Assess
    expect(updated.SnapStart).toEqual({ ApplyOn: 'PublishedVersions', OptimizationStatus: 'Off' });
    expect(pending).toMatchObject({ State: 'Pending', LastUpdateStatus: 'InProgress', SnapStart: { ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' } });
    expect(active).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful', SnapStart: { ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' } });
  });

  it('refuses a SnapStart setting Lambda does not know', async () => {
    const name = await deploy();
    expect(await failure(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, SnapStart: { ApplyOn: 'Always' as never } })))).toMatchObject({ name: 'ValidationException' });
  });

  it('lists event source mappings by function, whatever qualifier they invoke, and by qualifier', async () => {
    // Prepare
    const name = await deploy();
    const unqualified = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: QUEUE }));
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const onVersion = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${name}:1`, EventSourceArn: `${QUEUE}-2` }));

    // Act
    const all = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: name }));
    const version = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: `${name}:1` }));
    const duplicate = await failure(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: QUEUE })));
    const missing = await failure(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${name}:9`, EventSourceArn: QUEUE })));
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: onVersion.UUID! }));

    // Assess
    expect(unqualified).toMatchObject({ State: 'Creating', FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, EventSourceArn: QUEUE });
    expect(all.EventSourceMappings?.map((m) => m.FunctionArn)).toEqual([`arn:aws:lambda:us-east-1:000000000000:function:${name}`, `arn:aws:lambda:us-east-1:000000000000:function:${name}:1`]);
    expect(version.EventSourceMappings?.map((m) => m.UUID)).toEqual([onVersion.UUID]);
    expect(duplicate).toMatchObject({ name: 'ResourceConflictException' });
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: name }))).EventSourceMappings).toHaveLength(1);
  });

  it('keeps one policy per qualifier, refuses $LATEST and duplicate statement ids, and answers ResourceNotFound without one', async () => {
    // Prepare
    const name = await deploy();
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));

    // Act
    const added = await lambda.send(new AddPermissionCommand({ FunctionName: name, Qualifier: '1', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: 'arn:aws:sns:us-east-1:000000000000:t' }));
    const onVersion = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: '1' }))).Policy ?? '{}');
    const onFunction = await failure(lambda.send(new GetPolicyCommand({ FunctionName: name })));
    const latest = await failure(lambda.send(new AddPermissionCommand({ FunctionName: name, Qualifier: '$LATEST', StatementId: 'x', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' })));
    const duplicate = await failure(lambda.send(new AddPermissionCommand({ FunctionName: name, Qualifier: '1', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com' })));
    await lambda.send(new RemovePermissionCommand({ FunctionName: name, Qualifier: '1', StatementId: 'sns' }));

    // Assess
    expect(JSON.parse(added.Statement ?? '{}')).toMatchObject({ Sid: 'sns', Resource: `arn:aws:lambda:us-east-1:000000000000:function:${name}:1` });
    expect(onVersion.Statement).toEqual([
      { Sid: 'sns', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:us-east-1:000000000000:function:${name}:1`, Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:sns:us-east-1:000000000000:t' } } },
    ]);
    expect(onFunction).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(latest).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(duplicate).toMatchObject({ name: 'ResourceConflictException' });
    expect(await failure(lambda.send(new GetPolicyCommand({ FunctionName: name, Qualifier: '1' })))).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('puts function URLs on the function or an alias, never on a version', async () => {
    // Prepare
    const name = await deploy();
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));

    // Act
    const url = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE' }));
    const onVersion = await failure(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, Qualifier: '1', AuthType: 'NONE' })));
    const again = await failure(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'AWS_IAM' })));
    const listed = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: name }));

    // Assess
    expect(url).toMatchObject({ AuthType: 'NONE', FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, FunctionUrl: expect.stringMatching(/^https:\/\/\w+\.lambda-url\.us-east-1\.on\.aws\/$/) });
    expect(onVersion).toMatchObject({ name: 'ValidationException' });
    expect(again).toMatchObject({ name: 'ResourceConflictException' });
    expect(listed.FunctionUrlConfigs?.map((u) => u.FunctionUrl)).toEqual([url.FunctionUrl]);
  });
});
