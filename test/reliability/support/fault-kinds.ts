import type { Service } from './operations';

/** The fault kinds of the embedded AWS (local/faults.ts), as the matrix uses them. */
export type FaultKind = 'throttle' | 'serverError' | 'error' | 'latency';

/**
 * `transient`: a few calls fail (or are slow), then the service is well again.
 * `persistent`: every call fails until the execution has ended and the doors have given up;
 * then the fault is cleared and the repair loop runs.
 */
export type Persistence = 'transient' | 'persistent';

/** A rule for `POST /_fledge/faults`, without the operation. */
export interface FaultShape {
  readonly kind: FaultKind;
  readonly count: number;
  readonly code?: string;
  readonly status?: number;
  readonly message?: string;
  readonly latencyMs?: number;
}

/** "Until cleared": more calls than any case makes. */
export const HELD = 1_000_000;

/**
 * Simulated milliseconds a `latency` fault holds each call: half a minute, longer than a check
 * interval is long at this scale, far shorter than any timeout fledge sets.
 */
export const LATENCY_MS = 30_000;

/**
 * What a refusal that no retry can cure looks like in each service: access denied, as when a
 * role lacks a permission. Each is a 4xx the SDK does not retry and fledge's adapters do not
 * take for transient.
 */
const ACCESS_DENIED: Readonly<Record<Service, { readonly code: string; readonly status: number }>> = {
  lambda: { code: 'AccessDeniedException', status: 403 },
  dynamodb: { code: 'AccessDeniedException', status: 400 },
  monitoring: { code: 'AccessDenied', status: 403 },
  sns: { code: 'AuthorizationError', status: 403 },
  s3: { code: 'AccessDenied', status: 403 },
  states: { code: 'AccessDeniedException', status: 400 },
  events: { code: 'AccessDeniedException', status: 400 },
};

/** The kinds and how long each lasts when transient (count) — persistent ones are {@link HELD}. */
export const FAULT_KINDS: Readonly<Record<FaultKind, { readonly transientCount: number; readonly persistent: boolean; readonly retryable: boolean; readonly describe: string }>> = {
  // Two calls: fewer than any retry policy of fledge's gives up after, so the outcome must not change.
  throttle: { transientCount: 2, persistent: true, retryable: true, describe: "the service's own throttling error (e.g. TooManyRequestsException 429)" },
  serverError: { transientCount: 2, persistent: true, retryable: true, describe: "the service's own internal error (e.g. ServiceException 500)" },
  // One call: a refusal is final at once, whatever its count; held, it also meets the rollback.
  error: { transientCount: 1, persistent: true, retryable: false, describe: 'access denied: a 4xx no retry cures (AccessDeniedException, AuthorizationError, …)' },
  // Slowness is transient by nature: three calls held 30 simulated seconds, then served.
  latency: { transientCount: 3, persistent: false, retryable: true, describe: `each call held ${LATENCY_MS / 1000} s of simulated time, then served` },
};

/** The rule of one case. */
export function faultShape(service: Service, kind: FaultKind, persistence: Persistence): FaultShape {
  const count = persistence === 'persistent' ? HELD : FAULT_KINDS[kind].transientCount;
  switch (kind) {
    case 'error':
      return { kind, count, ...ACCESS_DENIED[service], message: `not authorized to perform this action (fault injected by the reliability suite)` };
    case 'latency':
      return { kind, count, latencyMs: LATENCY_MS };
    default:
      return { kind, count };
  }
}
