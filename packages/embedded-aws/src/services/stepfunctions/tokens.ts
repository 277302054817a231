import { randomBytes } from 'node:crypto';
import { invalidToken, taskDoesNotExist, taskTimedOut } from './errors';

/** How a callback task ended, from the task token's point of view. */
export type TokenOutcome = { readonly kind: 'success'; readonly output: string } | { readonly kind: 'failure'; readonly error?: string; readonly cause?: string };

interface TokenEntry {
  readonly executionArn: string;
  readonly stateName: string;
  state: 'waiting' | 'done' | 'timedOut';
  settle?: (outcome: TokenOutcome) => void;
  onHeartbeat?: () => void;
}

/**
 * Task tokens of `.waitForTaskToken` tasks. Each state entry (and each retry) gets a fresh,
 * long, random, opaque token; the registry remembers finished tokens so a late
 * SendTaskSuccess answers `TaskDoesNotExist` or `TaskTimedOut` as AWS does, while a token it
 * never issued is `InvalidToken`.
 */
export class TaskTokens {
  private readonly entries = new Map<string, TokenEntry>();

  /** Mints a token for a task now waiting; `settle` receives the callback. */
  mint(executionArn: string, stateName: string): { token: string; outcome: Promise<TokenOutcome>; setHeartbeatListener(listener: () => void): void } {
    // AWS tokens are opaque base64 strings of several hundred characters (at most 2048).
    const token = `AQ${randomBytes(288).toString('base64url')}`;
    const entry: TokenEntry = { executionArn, stateName, state: 'waiting' };
    const outcome = new Promise<TokenOutcome>((resolve) => {
      entry.settle = resolve;
    });
    this.entries.set(token, entry);
    return { token, outcome, setHeartbeatListener: (listener) => void (entry.onHeartbeat = listener) };
  }

  /** Marks a token finished (`done`) or expired (`timedOut`): later callbacks are refused. */
  close(token: string, state: 'done' | 'timedOut'): void {
    const entry = this.entries.get(token);
    if (entry && entry.state === 'waiting') {
      entry.state = state;
      entry.settle = undefined;
      entry.onHeartbeat = undefined;
    }
  }

  /** Closes every waiting token of an execution that ended (stopped, timed out, failed elsewhere). */
  closeExecution(executionArn: string): void {
    for (const [token, entry] of this.entries) if (entry.executionArn === executionArn) this.close(token, 'done');
  }

  /** SendTaskSuccess / SendTaskFailure: settles the waiting task or throws AWS's error. */
  complete(token: unknown, outcome: TokenOutcome): void {
    const entry = this.waiting(token);
    const settle = entry.settle;
    this.close(token as string, 'done');
    settle?.(outcome);
  }

  /** SendTaskHeartbeat: restarts the task's heartbeat timer or throws AWS's error. */
  heartbeat(token: unknown): void {
    this.waiting(token).onHeartbeat?.();
  }

  private waiting(token: unknown): TokenEntry {
    const entry = typeof token === 'string' ? this.entries.get(token) : undefined;
    if (!entry) throw invalidToken('Invalid Token: the task token was not issued by this Step Functions service');
    if (entry.state === 'timedOut') throw taskTimedOut('Task Timed Out: the task of this token has timed out');
    if (entry.state === 'done') throw taskDoesNotExist('Task Does Not Exist: the task of this token is no longer running');
    return entry;
  }
}
