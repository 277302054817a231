import { afterEach, describe, expect, it } from 'vitest';
import { inspect } from '@fledge-local/embedded-aws';
import { startLocalMode, type LocalMode } from '../../local/mode';
import { eventually } from '../support/local-aws';

interface Delivery { functionName: string; status: string; attempts: { outcome: string }[]; failure?: { condition: string; sentTo?: string } }

describe('local mode\'s failed events', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('mails a status change the safety net still failed on after Lambda\'s two retries, as the stack queues it', async () => {
    // Prepare: the deployments table is throttled, so the safety net cannot read the record.
    process.env['FLEDGE_LOG'] ??= 'off';
    const mode: LocalMode = await startLocalMode({ port: 0, apiPort: 0, dataDir: null, timeScale: 0.005, discoveryDir: false });
    cleanups.push(() => mode.stop());
    mode.aws.faults.add({ service: 'dynamodb', operation: 'GetItem', kind: 'throttle', count: 10_000 });
    const event = { 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', detail: { status: 'ABORTED', name: 'dep-left-split', executionArn: `${mode.plane.stateMachineArn.replace(':stateMachine:', ':execution:')}:dep-left-split` } };

    // Act
    await mode.aws.services.lambda.invoke(mode.plane.functions.SafetyNet, JSON.stringify(event), { invocationType: 'Event', source: 'events' });
    const delivery = await eventually(async () => {
      const [found] = (await inspect<{ deliveries: Delivery[] }>(mode.aws.endpoint, 'lambda', 'async', { function: mode.plane.functions.SafetyNet })).deliveries;
      return found?.status === 'failed' ? found : undefined;
    }, { timeoutMs: 20_000, what: 'the safety net to run out of retries' });
    const mail = await eventually(async () => {
      const { messages } = (await (await fetch(`${mode.aws.endpoint}/_fledge/sns/outbox?topicArn=${encodeURIComponent(mode.plane.failedEventsTopicArn)}`)).json()) as { messages: { to: string; body: string }[] };
      return messages[0];
    }, { what: 'the failed event in the mail' });

    // Assess
    expect(delivery.attempts.filter((attempt) => attempt.outcome === 'functionError')).toHaveLength(3);
    expect(delivery.failure).toEqual({ condition: 'RetriesExhausted', sentTo: mode.plane.failedEventsTopicArn });
    expect(mail.to).toBe(mode.email);
    expect(mail.body).toContain('"condition":"RetriesExhausted"');
    expect(mail.body).toContain('dep-left-split');
  });
});
