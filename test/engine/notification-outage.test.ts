import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import type { DeploymentStatus } from '../../shared/model/deployment';
import {
  aliasOf,
  deploymentId,
  executionEnd,
  existingFunction,
  guardAliases,
  historyOf,
  recordStatus,
  spec,
  startDeployment,
  startEngine,
  subscribeEmail,
  TIMED_PAUSES,
  uploadArtifact,
  userCode,
  type EngineWorld,
} from '../support/engine';
import { eventually } from '../support/local-aws';

/**
 * Issue 16: a notification channel that keeps failing never changes a deployment's outcome. Here
 * SNS refuses every Publish (throttled, as long as the test runs): the progress events, the
 * approval request's e-mail and the ending's e-mail all fail. The same deployments run with and
 * without the outage end the same way, and the failures are in the history.
 */
describe('SNS throttled for good', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
    await subscribeEmail(world, world.plane.notificationTopicArn, 'oncall@example.com');
    await subscribeEmail(world, world.plane.approvalTopicArn, 'oncall@example.com');
  }, 60_000);
  afterEach(() => {
    world.aws.faults.clear();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** A canary with an approval step, decided as the approval pages decide; returns how it ended. */
  async function canary(name: string, approve: boolean): Promise<{ id: string; execution: string; status: DeploymentStatus; alias: { version: string; weights: Record<string, number> } }> {
    await existingFunction(world, touch(name));
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const id = deploymentId(name);
    const strategy = { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'approval', timeout: 3600 }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 60 }] } as const;
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, strategy, { health: TIMED_PAUSES }), artifact });
    const waiting = await recordStatus(world, id, 'AWAITING_APPROVAL');
    const { store, orchestrator, clock } = world.plane.deps;
    await decideApproval({ store, orchestrator, clock }, { approvalId: waiting.approvalId!, approve, by: 'alice@example.com' });
    const ended = await executionEnd(world, executionArn);
    const record = await eventually(async () => {
      const current = await store.getDeployment(id);
      return current && ['SUCCEEDED', 'ROLLED_BACK', 'FAILED', 'DRIFTED'].includes(current.status) ? current : undefined;
    });
    const { version, weights } = await aliasOf(world, name);
    return { id, execution: ended, status: record.status, alias: { version, weights } };
  }

  it.each([
    ['approved', true, 'SUCCEEDED'],
    ['rejected', false, 'ROLLED_BACK'],
  ] as const)('a canary %s ends as it does without the outage, and every notification SNS refused is in its history', async (label, approve, expected) => {
    // Prepare: the same deployment without the outage.
    const baseline = await canary(`sns-baseline-${label}-fn`, approve);
    expect(baseline.status).toBe(expected);
    world.aws.faults.add({ service: 'sns', operation: 'Publish', kind: 'throttle', count: 1_000_000 });

    // Act
    const outage = await canary(`sns-outage-${label}-fn`, approve);

    // Assess: the same ending, execution and alias.
    expect(outage.status).toBe(baseline.status);
    expect(outage.execution).toBe(baseline.execution);
    expect(outage.alias).toEqual(baseline.alias);
    // What SNS did not take is visible: each event it refused, the approval e-mail and the ending's e-mail.
    const failures = await eventually(async () => {
      const found = (await historyOf(world, outage.id)).filter((event) => event.kind === 'notificationFailed');
      return found.some((event) => event.message.includes('sns (e-mail)')) ? found : undefined;
    });
    const failedKinds = failures.map((event) => `${String(event.data?.['kind'])} ${String(event.data?.['channel'])}`);
    expect(failedKinds).toEqual(expect.arrayContaining(['started sns', 'weight sns', 'approvalRequested sns (approval e-mail)', `${approve ? 'approvalGiven' : 'approvalRejected'} sns`, `${approve ? 'promoted' : 'rolledBack'} sns (e-mail)`]));
    expect(failures.every((event) => event.message.includes('Throttled') && !event.message.includes('\n'))).toBe(true);
    expect((await historyOf(world, baseline.id)).filter((event) => event.kind === 'notificationFailed')).toEqual([]);
  }, 120_000);
});
