/**
 * Issue 3's "Done when", end to end: the real `fledge local-aws` process, and the unmodified SDK
 * clients configured by nothing but the standard environment (AWS_ENDPOINT_URL and dummy keys).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';

const FUNCTION = 'acceptance-fn';
const ROLE = 'arn:aws:iam::000000000000:role/acceptance';

let cli: ChildProcessWithoutNullStreams;
const savedEnv = { ...process.env };

async function startLocalAwsCli(): Promise<string> {
  cli = spawn(process.execPath, ['dist/fledge.mjs', 'local-aws', '--port', '0', '--time-scale', '0.01'], { stdio: 'pipe' });
  let output = '';
  cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return eventually(() => /listening on (http:\/\/\S+)/.exec(output)?.[1], { timeoutMs: 15_000, what: `fledge local-aws to start (output so far: ${output})` });
}

/** Polls until a function (or one of its versions) is Active and its last update settled. */
async function settled(lambda: LambdaClient, qualifier?: string): Promise<void> {
  await eventually(async () => {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: FUNCTION, Qualifier: qualifier }));
    return config.State === 'Active' && config.LastUpdateStatus !== 'InProgress' ? true : undefined;
  }, { what: `${FUNCTION}:${qualifier ?? '$LATEST'} to be Active` });
}

describe('the embedded AWS as a user starts it: `fledge local-aws` and AWS_ENDPOINT_URL', () => {
  beforeAll(async () => {
    const endpoint = await startLocalAwsCli();
    // Only the standard environment: no endpoint, credentials or region in the client code below.
    Object.assign(process.env, { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });
  });

  afterAll(async () => {
    process.env = savedEnv;
    if (cli.exitCode === null) {
      const exited = new Promise((resolve) => cli.once('exit', resolve));
      cli.kill('SIGINT');
      await exited;
    }
  });

  it('splits an alias 90/10 between two versions built from S3 zips, and the failing one turns its own alarm red', async () => {
    // Prepare: a bucket holding v1 (healthy) and v2 (always throws) of the function
    const s3 = new S3Client({});
    const lambda = new LambdaClient({});
    const cloudwatch = new CloudWatchClient({});
    await s3.send(new CreateBucketCommand({ Bucket: 'artifacts' }));
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'v1.zip', Body: functionZip({ 'index.mjs': 'export const handler = async () => ({ ok: true });\n' }) }));
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts', Key: 'v2.zip', Body: functionZip({ 'index.mjs': 'export const handler = async () => { throw new TypeError("v2 is broken"); };\n' }) }));

    // Act: create from S3, publish v1, update from S3, publish v2, route 10% to v2
    await lambda.send(new CreateFunctionCommand({ FunctionName: FUNCTION, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { S3Bucket: 'artifacts', S3Key: 'v1.zip' } }));
    await settled(lambda);
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: FUNCTION }));
    const update = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FUNCTION, S3Bucket: 'artifacts', S3Key: 'v2.zip' }));
    await settled(lambda);
    const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: FUNCTION, CodeSha256: update.CodeSha256 }));
    await settled(lambda, v2.Version);
    await lambda.send(new CreateAliasCommand({ FunctionName: FUNCTION, Name: 'live', FunctionVersion: v1.Version, RoutingConfig: { AdditionalVersionWeights: { [v2.Version!]: 0.1 } } }));
    await cloudwatch.send(new PutMetricAlarmCommand({
      AlarmName: 'acceptance-v2-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: FUNCTION }, { Name: 'Resource', Value: `${FUNCTION}:live` }, { Name: 'ExecutedVersion', Value: v2.Version }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }));

    const answeredBy = new Map<string, { count: number; errors: number }>();
    const invokeOnce = async (): Promise<void> => {
      const result = await lambda.send(new InvokeCommand({ FunctionName: FUNCTION, Qualifier: 'live', Payload: '{}' }));
      const tally = answeredBy.get(result.ExecutedVersion!) ?? { count: 0, errors: 0 };
      tally.count += 1;
      if (result.FunctionError) tally.errors += 1;
      answeredBy.set(result.ExecutedVersion!, tally);
    };
    for (let batch = 0; batch < 125; batch += 1) await Promise.all(Array.from({ length: 8 }, invokeOnce));

    // Assess: ~10% on v2 (±4.5σ of Binomial(1000, 0.1)), every v2 answer an error, no v1 error
    const onV2 = answeredBy.get(v2.Version!) ?? { count: 0, errors: 0 };
    const onV1 = answeredBy.get(v1.Version!) ?? { count: 0, errors: 0 };
    expect(onV1.count + onV2.count).toBe(1000);
    expect(onV2.count).toBeGreaterThanOrEqual(58);
    expect(onV2.count).toBeLessThanOrEqual(142);
    expect(onV2.errors).toBe(onV2.count);
    expect(onV1.errors).toBe(0);

    const now = Date.now();
    const metrics = await cloudwatch.send(new GetMetricDataCommand({
      StartTime: new Date(now - 3_600_000),
      EndTime: new Date(now + 86_400_000),
      MetricDataQueries: [{
        Id: 'v2errors',
        MetricStat: {
          Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: FUNCTION }, { Name: 'Resource', Value: `${FUNCTION}:live` }, { Name: 'ExecutedVersion', Value: v2.Version! }] },
          Period: 86_400,
          Stat: 'Sum',
        },
      }],
    }));
    const recordedErrors = (metrics.MetricDataResults?.[0]?.Values ?? []).reduce((sum, value) => sum + value, 0);
    expect(recordedErrors).toBe(onV2.count);

    const alarmState = await eventually(async () => {
      const { MetricAlarms } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['acceptance-v2-errors'] }));
      return MetricAlarms?.[0]?.StateValue === 'ALARM' ? 'ALARM' : undefined;
    }, { what: 'the v2 error alarm to turn ALARM' });
    expect(alarmState).toBe('ALARM');
  });

  it('runs a state machine with a Wait, a Lambda task and a callback task to completion after SendTaskSuccess', async () => {
    // Prepare
    const lambda = new LambdaClient({});
    const sfn = new SFNClient({});
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'acceptance-task',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: ROLE,
      Code: { ZipFile: functionZip({ 'index.mjs': 'export const handler = async (event) => ({ seen: event.step });\n' }) },
    }));
    await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'acceptance-task' }))).State === 'Active' ? true : undefined));
    const taskArn = 'arn:aws:lambda:us-east-1:000000000000:function:acceptance-task';
    const definition = {
      StartAt: 'Bake',
      States: {
        Bake: { Type: 'Wait', Seconds: 300, Next: 'Work' },
        Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: taskArn, Payload: { step: 'work' } }, ResultSelector: { 'seen.$': '$.Payload.seen' }, ResultPath: '$.work', TimeoutSeconds: 60, Next: 'AwaitApproval' },
        AwaitApproval: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: taskArn, Payload: { step: 'approval', 'token.$': '$$.Task.Token' } }, ResultPath: '$.decision', TimeoutSeconds: 3600, End: true },
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'acceptance', definition: JSON.stringify(definition), roleArn: ROLE }));

    // Act: start, find the token the callback task was given, answer it
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'run-1', input: '{}' }));
    const token = await eventually(async () => {
      const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      const scheduled = events?.filter((event) => event.type === 'TaskScheduled').map((event) => JSON.parse(event.taskScheduledEventDetails?.parameters ?? '{}') as { Payload?: { token?: string } });
      return scheduled?.find((parameters) => parameters.Payload?.token)?.Payload?.token;
    }, { what: 'the callback task to be scheduled with its token' });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvedBy: 'acceptance' }) }));

    // Assess
    const finished = await eventually(async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    }, { what: 'the execution to finish' });
    expect(finished.status).toBe('SUCCEEDED');
    expect(JSON.parse(finished.output ?? '{}')).toEqual({ work: { seen: 'work' }, decision: { approvedBy: 'acceptance' } });
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.filter((event) => event.type?.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails?.name)).toEqual(['Bake', 'Work', 'AwaitApproval']);
  });
});
