import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStateMachineCommand, DescribeExecutionCommand, DescribeStateMachineCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig, eventually } from '../src/testing/clients';

describe('embedded Step Functions across restarts', () => {
  let aws: LocalAws | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await aws?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    aws = undefined;
  });

  it('keeps state machines and finished executions, and marks executions it was running ABORTED with a status change', async () => {
    // Prepare
    dataDir = await mkdtemp(join(tmpdir(), 'fledge-sfn-'));
    aws = await startLocalAws({ port: 0, dataDir, timeScale: 0.01 });
    let sfn = new SFNClient(clientConfig(aws));
    const definition = JSON.stringify({ StartAt: 'Hold', States: { Hold: { Type: 'Wait', SecondsPath: '$.seconds', End: true } } });
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'kept', definition, roleArn: 'arn:aws:iam::000000000000:role/states' }));
    const quick = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'quick', input: '{"seconds":0}' }));
    await eventually(async () => ((await sfn.send(new DescribeExecutionCommand({ executionArn: quick.executionArn }))).status === 'SUCCEEDED' ? true : undefined), { what: 'the quick execution' });
    const slow = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'slow', input: '{"seconds":86400}' }));
    sfn.destroy();
    await aws.stop();
    const delivered: { detail: { status: string; name: string; executionArn: string } }[] = [];
    // Act
    aws = await startLocalAws({ port: 0, dataDir, timeScale: 0.01, stepFunctions: { statusChangeSubscriptions: [{ functionName: 'on-status', statuses: ['ABORTED'] }] } });
    // Registered after the restart, as local mode does: the delivery is retried until the function exists.
    aws.services.lambda.registerInProcessFunction({ functionName: 'on-status', handler: async (event) => void delivered.push(event as (typeof delivered)[number]) });
    sfn = new SFNClient(clientConfig(aws));
    const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    const quickAfter = await sfn.send(new DescribeExecutionCommand({ executionArn: quick.executionArn }));
    const slowAfter = await sfn.send(new DescribeExecutionCommand({ executionArn: slow.executionArn }));
    const slowHistory = await sfn.send(new GetExecutionHistoryCommand({ executionArn: slow.executionArn }));
    // Assess
    expect(machine.definition).toBe(definition);
    expect(quickAfter.status).toBe('SUCCEEDED');
    expect(slowAfter).toMatchObject({ status: 'ABORTED', cause: expect.stringContaining('restarted') });
    expect(slowHistory.events!.map((event) => event.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
    const change = await eventually(() => delivered.find((event) => event.detail.executionArn === slow.executionArn), { what: 'the ABORTED status change' });
    expect(change).toMatchObject({ 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', detail: { status: 'ABORTED', name: 'slow', stateMachineArn } });
    sfn.destroy();
  });
});
