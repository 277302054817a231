import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { QUEUE_POLL_SECONDS } from '../../shared/domain/deployment/conflict';
import { TASK_SUBSTITUTIONS } from '../../functions/engine-functions';
import { deploymentDefinition, loadDeploymentDefinition } from '../../state-machines/definition';

type State = Record<string, unknown> & { Type: string; Next?: string; Default?: string; Choices?: { Next: string }[]; Catch?: { ErrorEquals: string[]; Next: string }[]; Retry?: { ErrorEquals: string[]; JitterStrategy?: string; MaxDelaySeconds?: number }[] };

const arns = Object.fromEntries(TASK_SUBSTITUTIONS.map((name) => [name, `arn:aws:lambda:us-east-1:123456789012:function:fledge-${name.replace('FunctionArn', '').toLowerCase()}`]));
const definition = deploymentDefinition(arns) as { StartAt: string; States: Record<string, State> };
const states = definition.States;
const tasks = Object.entries(states).filter(([, state]) => state.Type === 'Task');

describe('the deployment state machine file', () => {
  it('loads as an object that asl-validator accepts', () => {
    // Act
    const result = aslValidator(definition, { checkArn: true, checkPaths: true });

    // Assess
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('keeps the ARNs as substitutions, every one of them known', () => {
    // Prepare
    const text = JSON.stringify(loadDeploymentDefinition());

    // Act
    const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]));

    // Assess
    expect([...used].sort()).toEqual([...TASK_SUBSTITUTIONS].sort());
    expect(JSON.stringify(definition)).not.toContain('${');
  });

  it('gives every Task a Retry on transient errors with backoff, a cap and full jitter, and a Catch', () => {
    for (const [name, state] of tasks) {
      expect(state.Retry, name).toBeDefined();
      const transient = state.Retry!.find((retrier) => retrier.ErrorEquals.includes('fledge.Transient'));
      expect(transient, `${name} retries fledge.Transient`).toBeDefined();
      expect(transient!.ErrorEquals, name).toEqual(expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.ServiceException']));
      for (const retrier of state.Retry!) {
        expect(retrier.JitterStrategy, name).toBe('FULL');
        expect(retrier.MaxDelaySeconds, name).toBeGreaterThan(0);
      }
      expect(state.Catch?.some((catcher) => catcher.ErrorEquals.includes('States.ALL')), `${name} catches States.ALL`).toBe(true);
      expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, `${name} has a timeout`).toBeDefined();
    }
  });

  it('never retries the approval on States.Timeout: a timed-out approval is a rejection', () => {
    // Act
    const retried = states.RequestApproval!.Retry!.flatMap((retrier) => retrier.ErrorEquals);

    // Assess
    expect(states.RequestApproval!.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(states.RequestApproval!.TimeoutSecondsPath).toBe('$.approval.timeoutSeconds');
    expect(retried).not.toContain('States.Timeout');
    expect(retried).not.toContain('States.ALL');
  });

  it('sends drift to RecordDrift and every other failure of the flow to Rollback', () => {
    for (const name of ['Publish', 'PreTraffic', 'NextStep', 'Check', 'Promote']) {
      const catchers = states[name]!.Catch!;
      expect(catchers[0], name).toMatchObject({ ErrorEquals: ['fledge.AliasDrifted'], Next: 'RecordDrift' });
      expect(catchers.at(-1), name).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Rollback' });
    }
    // A queued deployment (onConflict: enqueue | supersede) waits and tries its locks again; a refused one is recorded.
    expect(states.Prepare!.Catch![0]).toMatchObject({ ErrorEquals: ['fledge.Queued'], Next: 'Queued' });
    expect(states.Queued).toMatchObject({ Type: 'Wait', Seconds: QUEUE_POLL_SECONDS, Next: 'Prepare' });
    expect(states.Prepare!.Catch![1]).toMatchObject({ ErrorEquals: ['fledge.LockConflict', 'fledge.Refused'], Next: 'RecordRejected' });
    expect(states.Rollback!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.rollbackFailure', Next: 'RollbackFailed' }]);
  });

  it('bakes with a Wait on an absolute timestamp and has the shape the planner counts', () => {
    // Prepare: the happy path, as the cost model in shared/domain/plan/cost.ts counts it.
    const path = (from: string, to: string): string[] => {
      const out: string[] = [];
      let at: string | undefined = from;
      while (at && at !== to) {
        out.push(at);
        const state: State = states[at]!;
        at = state.Type === 'Choice' ? state.Choices!.find((choice) => choice.Next !== 'RecordNoChange')?.Next ?? state.Default : state.Next;
      }
      return out;
    };

    // Assess
    expect(states.Bake).toMatchObject({ Type: 'Wait', TimestampPath: '$.bake.nextCheckAt', Next: 'Check' });
    expect(path('Prepare', 'NextStep')).toEqual(['Prepare', 'Publish', 'PublishedChoice', 'PreTraffic']);
    expect(states.NextStep!.Next).toBe('Route');
    expect(states.Check!.Next).toBe('AfterCheck');
    expect(states.Route!.Choices!.map((choice) => choice.Next)).toEqual(['Bake', 'RequestApproval', 'Promote', 'WarmUp']);
    // Provisioned concurrency still IN_PROGRESS: wait, then NextStep reads it again (docs/engine.md#provisioned-concurrency).
    expect(states.WarmUp).toMatchObject({ Type: 'Wait', TimestampPath: '$.provisioned.nextPollAt', Next: 'NextStep' });
    // A pause short of evidence may hand the decision to a person: the approval path Route uses.
    expect(states.AfterCheck!.Choices!.map((choice) => choice.Next)).toEqual(['Bake', 'NextStep', 'Promote', 'RequestApproval', 'WarmUp']);
    expect(states.RequestApproval!.Next).toBe('NextStep');
    // Promote → AfterPromote: a final bake goes back to Bake, anything else succeeds.
    expect(states.Promote!.Next).toBe('AfterPromote');
    expect(states.AfterPromote!.Type).toBe('Choice');
    expect(states.AfterPromote!.Choices!.map((choice) => choice.Next)).toEqual(['Bake']);
    expect(states.AfterPromote!.Default).toBe('Succeeded');
    expect(states.Succeeded!.Type).toBe('Succeed');
  });

  it('reaches every state from StartAt and ends every path in a terminal state', () => {
    // Prepare
    const seen = new Set<string>();
    const queue = [definition.StartAt];

    // Act
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const state = states[name];
      expect(state, `state ${name} exists`).toBeDefined();
      for (const next of [state!.Next, state!.Default, ...(state!.Choices ?? []).map((c) => c.Next), ...(state!.Catch ?? []).map((c) => c.Next)]) if (next) queue.push(next);
    }

    // Assess
    expect([...seen].sort()).toEqual(Object.keys(states).sort());
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Fail' || state.Type === 'Succeed' || state.Type === 'Choice') continue;
      expect(state.Next ?? state.End, `${name} continues or ends`).toBeDefined();
    }
  });
});
