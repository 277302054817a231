import type { DeploymentEvent, DeploymentEventKind } from '../../model/deployment';

/**
 * Deterministic event keys: the same step of the same deployment always yields the same key,
 * so an append retried after a lost response is a no-op instead of a duplicate.
 */
export const eventKeys = {
  started: () => 'started',
  /** The caller audit's warning (callers that bypass the alias), written once by Prepare. */
  callers: () => 'callers',
  published: () => 'published',
  noChange: () => 'no-change',
  verified: () => 'verified',
  weight: (stepIndex: number) => `weight-${pad(stepIndex)}`,
  /** An ordered group's member took all its traffic at the end of its turn (`<index>`: the member's). */
  turnEnded: (member: number) => `turn-ended-${pad(member)}`,
  check: (stepIndex: number, check: number) => `check-${pad(stepIndex)}-${pad(check)}`,
  approvalRequested: (approvalId: string) => `approval-${approvalId}-requested`,
  approvalDecided: (approvalId: string) => `approval-${approvalId}-decided`,
  promoteRequested: () => 'promote-requested',
  stopRequested: () => 'stop-requested',
  /** One per pause, named by when it was asked for: a retried request finds the same pause. */
  paused: (at: number) => `paused-${at}`,
  resumed: (pausedAt: number) => `resumed-${pausedAt}`,
  cleanup: () => 'cleanup',
  /** All traffic on the new version, its final bake begun (the spec's `finalBake`). */
  finalBake: () => 'final-bake',
  /** One webhook's answer at one point: `webhook-beforeStep-0002-w0`, `webhook-check-0002-0003-w1`. */
  webhook: (point: string, at: readonly number[], index: number) => `webhook-${point}${at.map((n) => `-${pad(n)}`).join('')}-w${index}`,
  /** One terminal event per deployment, whoever writes it (a task or the safety net). */
  outcome: () => 'outcome',
} as const;

function pad(value: number): string {
  return String(value).padStart(4, '0');
}

/** Builds an event. */
export function event(deploymentId: string, key: string, kind: DeploymentEventKind, at: number, message: string, data?: Record<string, unknown>): DeploymentEvent {
  return { deploymentId, key, kind, at, message, ...(data === undefined ? {} : { data }) };
}
