import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeAlarmsCommand, CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateFunctionCommand, GetAliasCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, PublishVersionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetBucketNotificationConfigurationCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { inspect } from '@fledge-local/embedded-aws';
import { startFledge, type Running } from '../local-mode/process';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';

const ROLE = 'arn:aws:iam::000000000000:role/crash-test';

interface Delivery { source: string; functionName: string; status: string; attempts: { stage: string; outcome: string }[] }

/** Creates a function from inline code and waits until it is Active. */
async function createFunction(lambda: LambdaClient, name: string, code: string): Promise<void> {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: 900, Code: { ZipFile: functionZip({ 'index.mjs': code }) } }));
  await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).State === 'Active' ? true : undefined), { what: `${name} to be Active` });
}

/** SDK clients of every service, pointed at one endpoint. */
function clientsOf(endpoint: string) {
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 } as const;
  return {
    s3: new S3Client({ ...config, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }),
    dynamodb: new DynamoDBClient(config),
    lambda: new LambdaClient(config),
    sns: new SNSClient(config),
    sfn: new SFNClient(config),
    cloudwatch: new CloudWatchClient(config),
    destroy() {
      for (const client of [this.s3, this.dynamodb, this.lambda, this.sns, this.sfn, this.cloudwatch]) client.destroy();
    },
  };
}

describe('the embedded AWS killed with SIGKILL', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(dataDir: string): Promise<{ running: Running; endpoint: string }> {
    const running = startFledge(['local-aws', '--port', '0', '--time-scale', '0.01', '--data-dir', dataDir]);
    cleanups.push(() => {
      if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
      return running.exit;
    });
    const endpoint = await eventually(() => /listening on (http:\/\/\S+)/.exec(running.stdout)?.[1], { timeoutMs: 20_000, what: `the endpoint line (stdout: ${running.stdout} stderr: ${running.stderr})` });
    return { running, endpoint };
  }

  it('keeps every write it answered, in every service, and the asynchronous events it took, across the restart', async () => {
    // Prepare: one embedded AWS on a data directory, with a function version to alias.
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await start(dataDir);
    const aws = clientsOf(first.endpoint);
    await createFunction(aws.lambda, 'checkout', 'export const handler = async () => 1;\n');
    await createFunction(aws.lambda, 'always-fails', 'export const handler = async () => { throw new Error("down"); };\n');
    const version = (await aws.lambda.send(new PublishVersionCommand({ FunctionName: 'checkout' }))).Version!;
    await aws.dynamodb.send(new CreateTableCommand({ TableName: 'deployments', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
    await aws.s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
    // The drop's function does not exist yet: S3 keeps retrying its notification.
    await aws.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'artifacts', NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: 'drop', LambdaFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:on-drop', Events: ['s3:ObjectCreated:*'] }] } }));
    const definition = JSON.stringify({ StartAt: 'Bake', States: { Bake: { Type: 'Wait', Seconds: 86_400, End: true } } });
    const { stateMachineArn } = await aws.sfn.send(new CreateStateMachineCommand({ name: 'deployment', definition, roleArn: ROLE }));

    // Act: the writes of a deployment in flight, each answered, then SIGKILL at once.
    await aws.lambda.send(new CreateAliasCommand({ FunctionName: 'checkout', Name: 'live', FunctionVersion: version }));
    await aws.lambda.send(new UpdateAliasCommand({ FunctionName: 'checkout', Name: 'live', RoutingConfig: { AdditionalVersionWeights: {} }, Description: 'shifted' }));
    await aws.dynamodb.send(new PutItemCommand({ TableName: 'deployments', Item: { pk: { S: 'deployment#1' }, status: { S: 'BAKING' } } }));
    await aws.dynamodb.send(new UpdateItemCommand({ TableName: 'deployments', Key: { pk: { S: 'deployment#1' } }, UpdateExpression: 'SET step = :s', ExpressionAttributeValues: { ':s': { N: '2' } } }));
    const { TopicArn } = await aws.sns.send(new CreateTopicCommand({ Name: 'approvals' }));
    await aws.sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'you@example.com' }));
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: 'checkout-errors', Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
    const { executionArn } = await aws.sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'deployment-1', input: '{"id":1}' }));
    await aws.s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'deployments/v2.yaml', Body: 'function: checkout\n' }));
    const accepted = await aws.lambda.send(new InvokeCommand({ FunctionName: 'always-fails', InvocationType: 'Event', Payload: '{"order":7}' }));
    first.running.child.kill('SIGKILL');
    expect(await first.running.exit).toBe('SIGKILL');
    aws.destroy();
    const second = await start(dataDir);
    const again = clientsOf(second.endpoint);
    cleanups.push(() => again.destroy());
    await createFunction(again.lambda, 'on-drop', 'export const handler = async () => "got it";\n');
    const deliveries = (status: string) => async () => {
      const all = (await inspect<{ deliveries: Delivery[] }>(second.endpoint, 'lambda', 'async')).deliveries.filter((delivery) => delivery.status === status);
      return all.length > 0 ? all : undefined;
    };

    // Assess
    const alias = await again.lambda.send(new GetAliasCommand({ FunctionName: 'checkout', Name: 'live' }));
    expect([alias.FunctionVersion, alias.Description]).toEqual([version, 'shifted']);
    const item = await again.dynamodb.send(new GetItemCommand({ TableName: 'deployments', Key: { pk: { S: 'deployment#1' } } }));
    expect(item.Item).toEqual({ pk: { S: 'deployment#1' }, status: { S: 'BAKING' }, step: { N: '2' } });
    const object = await again.s3.send(new GetObjectCommand({ Bucket: 'artifacts', Key: 'deployments/v2.yaml' }));
    expect(await object.Body!.transformToString()).toBe('function: checkout\n');
    const notification = await again.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'artifacts' }));
    expect(notification.LambdaFunctionConfigurations?.map((configuration) => configuration.Id)).toEqual(['drop']);
    const subscriptions = await again.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(subscriptions.Subscriptions?.map((subscription) => subscription.Endpoint)).toEqual(['you@example.com']);
    const alarms = await again.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['checkout-errors'] }));
    expect(alarms.MetricAlarms?.map((alarm) => alarm.AlarmName)).toEqual(['checkout-errors']);
    // The execution cannot resume after a restart (docs/local.md): it is there, and ABORTED.
    const execution = await again.sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect([execution.name, execution.input, execution.status]).toEqual(['deployment-1', '{"id":1}', 'ABORTED']);
    // The notification S3 took before the kill reaches the function created after the restart.
    const delivered = await eventually(deliveries('succeeded'), { timeoutMs: 20_000, what: 'the S3 notification taken before the kill to be delivered' });
    expect(delivered.map((delivery) => [delivery.source, delivery.functionName])).toEqual([['s3', 'on-drop']]);
    // The Event invoke answered 202 before the kill goes on with Lambda's retries after it.
    expect(accepted.StatusCode).toBe(202);
    const failed = await eventually(deliveries('failed'), { timeoutMs: 20_000, what: 'the Event invoke taken before the kill to run out of retries' });
    expect(failed.map((delivery) => [delivery.source, delivery.functionName, delivery.attempts.filter((attempt) => attempt.outcome === 'functionError').length])).toEqual([['api', 'always-fails', 3]]);
  });
});
