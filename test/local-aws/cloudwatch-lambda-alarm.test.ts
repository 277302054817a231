import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { CreateAliasCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '@fledge-local/embedded-aws';
import { clientConfig, eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { versionAlarmInput } from '../../shared/adapters/cloudwatch-health';

const ROLE = 'arn:aws:iam::000000000000:role/fledge-test';

/** fledge's canary alarm: error rate of one version behind one alias, above 5 % over at least 20 invocations. */
function versionErrorRateAlarm(alarmName: string, functionName: string, alias: string, version: string): PutMetricAlarmCommandInput {
  return versionAlarmInput({ alarmName, functionName, alias, version, thresholdPercent: 5, minInvocations: 20, periodSeconds: 60, description: 'test' });
}

describe('a failing canary turns its CloudWatch alarm red (embedded Lambda + CloudWatch)', () => {
  let aws: LocalAws;
  let lambda: LambdaClient;
  let cloudwatch: CloudWatchClient;

  // Real time, so a minute of metrics outlasts the invocations; alarms are evaluated every half second.
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, lambda: { updateDelayMs: 20 }, cloudwatch: { evaluationIntervalSeconds: 0.5 } });
    lambda = new LambdaClient(clientConfig(aws));
    cloudwatch = new CloudWatchClient(clientConfig(aws));
  });
  afterAll(async () => {
    lambda.destroy();
    cloudwatch.destroy();
    await aws.stop();
  });

  /** Waits until the function (or one of its versions) is Active with its last update done, as AWS requires before using it. */
  async function settled(name: string, qualifier?: string): Promise<void> {
    await eventually(async () => {
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: qualifier }));
      return config.State === 'Active' && config.LastUpdateStatus === 'Successful' ? true : undefined;
    }, { what: `${name}${qualifier ? `:${qualifier}` : ''} to settle` });
  }

  async function stateOf(alarmName: string): Promise<string | undefined> {
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
    return MetricAlarms[0]?.StateValue;
  }

  it('shows Errors under the ExecutedVersion that throws and turns that version\'s error-rate alarm to ALARM, not the stable one\'s', async () => {
    // Prepare: version 1 works, version 2 throws; the alias sends half of the traffic to version 2.
    const fn = 'checkout-canary';
    await lambda.send(new CreateFunctionCommand({ FunctionName: fn, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: functionZip({ 'index.mjs': 'export const handler = async () => ({ ok: true });\n' }) } }));
    await settled(fn);
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: functionZip({ 'index.mjs': "export const handler = async () => { throw new Error('release 2 is broken'); };\n" }) }));
    await settled(fn);
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await settled(fn, '1');
    await settled(fn, '2');
    await lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
    await cloudwatch.send(new PutMetricAlarmCommand(versionErrorRateAlarm('checkout-v2-errors', fn, 'live', '2')));
    await cloudwatch.send(new PutMetricAlarmCommand(versionErrorRateAlarm('checkout-v1-errors', fn, 'live', '1')));

    // Act: invoke the alias until version 2 has answered 25 times (routing is random per invocation).
    const answeredBy: Record<string, { count: number; failed: number }> = { '1': { count: 0, failed: 0 }, '2': { count: 0, failed: 0 } };
    for (let i = 0; i < 1_000 && answeredBy['2']!.count < 25; i += 1) {
      const result = await lambda.send(new InvokeCommand({ FunctionName: fn, Qualifier: 'live', Payload: Buffer.from('{}') }));
      const tally = answeredBy[result.ExecutedVersion ?? '']!;
      tally.count += 1;
      if (result.FunctionError) tally.failed += 1;
    }

    // Assess
    expect(answeredBy['2']).toEqual({ count: 25, failed: 25 });
    expect(answeredBy['1']!.failed).toBe(0);
    await eventually(async () => ((await stateOf('checkout-v2-errors')) === 'ALARM' ? true : undefined), { what: 'the version 2 alarm to turn ALARM' });
    // The pass that judged version 2 judged version 1 too: healthy, so OK.
    expect(await stateOf('checkout-v1-errors')).toBe('OK');
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['checkout-v2-errors'] }));
    expect(MetricAlarms[0]?.StateReason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[100\.0 \(/);
  });
});
