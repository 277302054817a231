import { describe, expect, it } from 'vitest';
import { taskHandler } from '../../functions/lib/task-handler';
import { taskInput } from '../../functions/lib/task-input';
import { handler as prepareHandler } from '../../functions/prepare';
import { handler as trafficHandler } from '../../functions/traffic';
import { render } from '../../shared/adapters/sns-notifier';
import { HealthCheckFailedError } from '../../shared/model/engine-errors';
import { spec } from '../support/engine';

// Unexpected errors are logged with their stack: keep the test output clean.
process.env.FLEDGE_LOG = 'off';

const state = { deploymentId: 'dep-1', spec: spec('fn', { kind: 'allAtOnce' }), artifact: { bucket: 'b', key: 'k' }, startedBy: 'test', source: 'test' };
const context = { awsRequestId: 'req-1', functionName: 'fledge-test' };

describe('the task handler wrapper', () => {
  it('hands the checked input to the domain and returns its result', async () => {
    // Prepare
    const handler = taskHandler('demo', taskInput(['Demo'] as const), async ({ task, state: s }) => ({ task, id: s.deploymentId }));

    // Act
    const result = await handler({ task: 'Demo', state }, context);

    // Assess
    expect(result).toEqual({ task: 'Demo', id: 'dep-1' });
  });

  it('refuses an unknown task or a broken state before calling the domain', async () => {
    // Prepare
    let called = false;
    const handler = taskHandler('demo', taskInput(['Demo'] as const), async () => {
      called = true;
    });

    // Act / Assess
    await expect(handler({ task: 'Other', state }, context)).rejects.toMatchObject({ name: 'fledge.InvalidInput' });
    await expect(handler({ task: 'Demo', state: { ...state, deploymentId: '' } }, context)).rejects.toMatchObject({ name: 'fledge.InvalidInput' });
    expect(called).toBe(false);
  });

  it('lets fledge errors through with their name, which the state machine matches', async () => {
    // Prepare
    const handler = taskHandler('demo', taskInput(['Demo'] as const), async () => {
      throw new HealthCheckFailedError('alarm a is in ALARM');
    });

    // Act / Assess
    await expect(handler({ task: 'Demo', state }, context)).rejects.toMatchObject({ name: 'fledge.HealthCheckFailed', message: 'alarm a is in ALARM' });
  });

  it('hides the internals of an unexpected error behind fledge.Unexpected', async () => {
    // Prepare
    const handler = taskHandler('demo', taskInput(['Demo'] as const), async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'secret')");
    });

    // Act
    const failure = await handler({ task: 'Demo', state }, context).catch((error: unknown) => error as Error);

    // Assess
    expect(failure).toMatchObject({ name: 'fledge.Unexpected' });
    expect(failure.message).toBe('demo failed unexpectedly (request req-1); details are in the function\'s log');
  });

  it('fails its first invocation with every configuration problem when the environment is incomplete', async () => {
    // Act: the module read an environment without FLEDGE_* variables at load.
    const failure = (await trafficHandler({ task: 'NextStep', state }, context).catch((error: unknown) => error)) as Error;

    // Assess: the traffic function records and notifies; it needs the table and the topic.
    expect(failure).toMatchObject({ name: 'fledge.Configuration' });
    expect(failure.message).toContain('FLEDGE_TABLE_NAME is not set');
    expect(failure.message).toContain('FLEDGE_NOTIFICATION_TOPIC_ARN is not set');
  });

  it('asks the environment for the slice its ports need, and no more', async () => {
    // Act: prepare notifies (the `started` event) but starts no executions.
    const failure = (await prepareHandler({ task: 'Prepare', state }, context).catch((error: unknown) => error)) as Error;

    // Assess
    expect(failure).toMatchObject({ name: 'fledge.Configuration', message: 'fledge is misconfigured: FLEDGE_TABLE_NAME is not set; FLEDGE_NOTIFICATION_TOPIC_ARN is not set' });
  });
});

describe('notification messages', () => {
  const facts = { deploymentId: 'dep-1', functionName: 'checkout', alias: 'live', newVersion: '8', previousVersion: '7', startedBy: 'ci' };

  it('say exactly what state the alias is in when a rollback failed', () => {
    // Act
    const { subject, body } = render({ kind: 'failed', ...facts, reason: 'rollback failed', aliasDescription: 'alias checkout:live: 90% on version 7, 10% on version 8' });

    // Assess
    expect(subject).toBe('fledge: checkout:live deployment FAILED');
    expect(body).toContain('The alias is now: alias checkout:live: 90% on version 7, 10% on version 8.');
    expect(body).toContain('Versions: version 7 → version 8');
  });

  it('carry approval links when a link builder is given, and CLI commands otherwise', () => {
    const request = { kind: 'approvalRequested' as const, ...facts, approvalId: 'dep-1.a2', expiresAt: Date.parse('2026-11-22T12:00:00Z'), currentWeight: 10, health: 'green' };
    expect(render(request, { approve: 'https://x/approve', reject: 'https://x/reject' }).body).toContain('Approve: https://x/approve');
    expect(render(request).body).toContain('Approve: fledge approve dep-1');
    expect(render(request).body).toContain('Decide before: 2026-11-22T12:00:00.000Z');
  });
});
