import type { WebhookAttempt } from '../../ports/webhooks';
import { LIMITS } from '../../model/spec-limits';
import { hostOf } from '../spec/webhooks';
import type { WebhookPoint, WebhookSpec } from '../../model/webhooks';
import { sanitise } from '../../text/sanitise';
import type { EngineDeps } from './deps';
import { WebhookRejectedError, WebhookUnreachableError } from '../../model/engine-errors';
import { event, eventKeys } from './events';
import type { DeploymentRecord, EngineState } from '../../model/deployment';

/*
 * The spec's webhooks (docs/spec.md#webhooks): at each point the deployment reaches, every webhook
 * of that point is called (together), each tried up to `retries + 1` times, and each answer is
 * recorded in the history with its latency. At a gating point any answer other than 2xx, or no
 * answer, rolls back; `onRollback` is only told.
 *
 * The request carries the deployment's facts and never a secret or a task token: it is built here
 * from named fields only, never from the state wholesale.
 */

type Deps = Pick<EngineDeps, 'webhooks' | 'store' | 'clock'>;

/** Points whose answer gates the deployment. */
export type GatingPoint = Exclude<WebhookPoint, 'onRollback'>;

/** Where in the deployment a point is reached: the weight, and the step and check when there is one. */
export interface WebhookMoment {
  /** Percent of traffic on the new version now. */
  readonly weight: number;
  /** The traffic step (index into the expanded steps) a `beforeStep` or `check` belongs to. */
  readonly step?: number;
  /** The check's number within its pause (`check`). */
  readonly check?: number;
  /** The weight about to be set (`beforeStep`). */
  readonly nextWeight?: number;
  /** Why the deployment rolls back (`onRollback`). */
  readonly reason?: string;
  /** How the rollback ended: `ROLLED_BACK`, or `DRIFTED` when someone else had changed the alias (`onRollback`). */
  readonly outcome?: string;
}

/** What one webhook did at one point. */
interface Answered {
  readonly webhook: WebhookSpec;
  readonly index: number;
  readonly deliveryId: string;
  readonly tries: number;
  readonly last: WebhookAttempt;
  /** Every try: its status (or why there was none) and latency. */
  readonly attempts: readonly { readonly status?: number; readonly failure?: string; readonly latencyMs: number }[];
  readonly totalMs: number;
}

/**
 * Calls the webhooks of a gating `point` and returns when every one answered 2xx; otherwise
 * throws {@link WebhookRejectedError} (an answer other than 2xx) or
 * {@link WebhookUnreachableError} (no answer), naming each webhook and what it said, after every
 * answer was recorded. Safe to retry: a retried task sends the same `X-Fledge-Delivery`, and the
 * history keeps the first record of each delivery.
 */
export async function gateOnWebhooks(deps: Deps, state: EngineState, point: GatingPoint, moment: WebhookMoment, record?: DeploymentRecord): Promise<void> {
  const webhooks = state.spec.webhooks?.[point];
  if (!webhooks?.length) return;
  const results = await callAll(deps, state, point, webhooks, moment, record);
  const stopped = results.filter((result) => !isGo(result.last));
  if (stopped.length === 0) return;
  const reason = stopped.map((result) => `${point} webhook ${label(result.webhook)} ${describeAnswer(result)}`).join('; ');
  if (stopped.some((result) => result.last.kind === 'answered')) throw new WebhookRejectedError(reason);
  throw new WebhookUnreachableError(reason);
}

/**
 * Tells the `onRollback` webhooks that the deployment rolled back. Informational: whatever they
 * answer, or fail to, the rollback has happened and goes on; nothing here throws.
 */
export async function tellWebhooksOfRollback(deps: Deps, state: EngineState, moment: WebhookMoment, record?: DeploymentRecord): Promise<void> {
  const webhooks = state.spec.webhooks?.onRollback;
  if (!webhooks?.length) return;
  try {
    await callAll(deps, state, 'onRollback', webhooks, moment, record);
  } catch {
    // Only fledge's own failures get here (its signing secret, the history): never a reason to hold a rollback.
  }
}

async function callAll(deps: Deps, state: EngineState, point: WebhookPoint, webhooks: readonly WebhookSpec[], moment: WebhookMoment, record: DeploymentRecord | undefined): Promise<Answered[]> {
  const at = [moment.step, moment.check].filter((n): n is number => n !== undefined);
  return Promise.all(
    webhooks.map(async (webhook, index) => {
      const deliveryId = [state.deploymentId, point, ...at, `w${index}`].join('.');
      const result = await callOne(deps, point, webhook, index, deliveryId, requestBody(state, point, deliveryId, webhook, moment, record));
      await recordAnswer(deps, state.deploymentId, point, at, result);
      return result;
    }),
  );
}

/** The request's body for one try, from named facts only. */
function requestBody(state: EngineState, point: WebhookPoint, deliveryId: string, webhook: WebhookSpec, moment: WebhookMoment, record: DeploymentRecord | undefined) {
  return (attempt: number, sentAt: number): string =>
    JSON.stringify({
      type: 'fledge.webhook',
      version: 1,
      point,
      deliveryId,
      attempt,
      sentAt: new Date(sentAt).toISOString(),
      deploymentId: state.deploymentId,
      function: state.spec.function.name,
      alias: state.spec.alias,
      newVersion: state.published?.version ?? record?.newVersion ?? null,
      previousVersion: record?.snapshot?.alias?.version ?? state.snapshot?.alias?.version ?? null,
      weight: moment.weight,
      ...(moment.nextWeight !== undefined && { nextWeight: moment.nextWeight }),
      ...(moment.step !== undefined && { step: moment.step }),
      ...(moment.check !== undefined && { check: moment.check }),
      ...(moment.reason !== undefined && { reason: moment.reason }),
      ...(moment.outcome !== undefined && { outcome: moment.outcome }),
      webhook: webhook.name,
      metadata: webhook.metadata ?? {},
    });
}

async function callOne(deps: Deps, point: WebhookPoint, webhook: WebhookSpec, index: number, deliveryId: string, body: (attempt: number, sentAt: number) => string): Promise<Answered> {
  let last: WebhookAttempt | undefined;
  const attempts: Answered['attempts'][number][] = [];
  let totalMs = 0;
  let tries = 0;
  while (tries <= webhook.retries) {
    tries += 1;
    last = await deps.webhooks.deliver({ url: webhook.url, body: body(tries, deps.clock.now()), deliveryId, point, timeoutMs: webhook.timeout * 1000 });
    totalMs += last.latencyMs;
    attempts.push(last.kind === 'answered' ? { status: last.status, latencyMs: last.latencyMs } : { failure: last.failure, latencyMs: last.latencyMs });
    if (!worthRetrying(last) || tries > webhook.retries) break;
    await deps.clock.sleep(LIMITS.webhookRetryDelay * 1000);
  }
  return { webhook, index, deliveryId, tries, last: last!, attempts, totalMs };
}

/** No answer, or an answer that says "later": 408, 425, 429, 5xx. Any other answer is final. */
function worthRetrying(attempt: WebhookAttempt): boolean {
  if (attempt.kind === 'failed') return true;
  return attempt.status === 408 || attempt.status === 425 || attempt.status === 429 || attempt.status >= 500;
}

function isGo(attempt: WebhookAttempt): boolean {
  return attempt.kind === 'answered' && attempt.status >= 200 && attempt.status < 300;
}

async function recordAnswer(deps: Deps, deploymentId: string, point: WebhookPoint, at: readonly number[], result: Answered): Promise<void> {
  const { last } = result;
  const go = isGo(last);
  const verdict = point === 'onRollback' ? (go ? 'told' : 'not told (the rollback goes on)') : go ? 'go' : 'stop';
  const answer = last.kind === 'answered' ? excerpt(last.excerpt) : undefined;
  await deps.store.appendEvent(
    event(deploymentId, eventKeys.webhook(point, at, result.index), 'webhook', deps.clock.now(), `${point} webhook ${label(result.webhook)} ${describeAnswer(result)}: ${verdict}`, {
      point,
      webhook: sanitise(result.webhook.name),
      host: sanitise(hostOf(result.webhook.url) ?? ''),
      deliveryId: result.deliveryId,
      outcome: point === 'onRollback' ? (go ? 'told' : 'failed') : go ? 'go' : 'stop',
      tries: result.tries,
      attempts: result.attempts,
      latencyMs: last.latencyMs,
      totalMs: result.totalMs,
      ...(last.kind === 'answered' ? { status: last.status, statusText: sanitise(last.statusText).slice(0, 100) } : { failure: last.failure }),
      ...(answer ? { answer } : {}),
    }),
  );
}

/** `answered 409 Conflict in 12 ms after 2 tries: "freeze"`, `gave no answer after 3 tries (no answer within 1s)`. */
function describeAnswer(result: Answered): string {
  const { last, tries } = result;
  const after = tries > 1 ? ` after ${tries} tries` : '';
  if (last.kind === 'failed') return `gave no answer${after} (${sanitise(last.message)}, ${last.latencyMs} ms)`;
  const status = `${last.status}${last.statusText ? ` ${sanitise(last.statusText).slice(0, 100)}` : ''}`;
  const redirect = last.location !== undefined ? `; redirects are not followed (to ${sanitise(originOf(last.location))})` : '';
  const answer = excerpt(last.excerpt);
  return `answered ${status} in ${last.latencyMs} ms${after}${answer ? `: "${answer}"` : ''}${redirect}`;
}

/** How a webhook is named in messages: its name, with its host when that differs. Never its path or query. */
function label(webhook: WebhookSpec): string {
  const host = hostOf(webhook.url) ?? '';
  return webhook.name === host ? sanitise(host) : `${sanitise(webhook.name)} (${sanitise(host)})`;
}

/** At most 200 characters of what a webhook answered, on one line, every odd character visible. */
function excerpt(text: string): string {
  const line = sanitise(text.trim());
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/** The origin of a redirect's target (a relative one is on the same host): never its path or query. */
function originOf(location: string): string {
  try {
    return new URL(location).origin;
  } catch {
    return 'the same host';
  }
}
