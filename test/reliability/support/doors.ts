import { PutObjectCommand } from '@aws-sdk/client-s3';
import { deploymentIdForIdempotencyKey, deploymentIdForObject } from '../../../shared/domain/starter/ids';
import type { Door } from './operations';
import type { ReliabilityWorld } from './world';

/** What a door answered a request for a deployment. */
export interface DoorAnswer {
  /** The deployment the request names (known before any answer: derived from the key or the object). */
  readonly deploymentId: string;
  /**
   * `accepted`: the API answered 202, or the spec is in the bucket (the drop answers nobody).
   * `unavailable`: the API answered 503 TryAgain (or nothing) to every attempt — come back later.
   * `refused`: any other answer; the caller was told, and retrying the same request is pointless.
   */
  readonly state: 'accepted' | 'unavailable' | 'refused';
  /** HTTP statuses of every attempt, in order (the drop: none). */
  readonly statuses: readonly number[];
  /** The refusal's `error.code` and message, for the record. */
  readonly refusal?: string;
}

/** How often a client tries an API call that answers 503 before it gives up for now, and how long it waits between. */
export const API_ATTEMPTS = 8;
const API_RETRY_MS = 100;

/** Where a drop door case puts its spec. */
export function specKey(functionName: string): string {
  return `deployments/${functionName}/release.yaml`;
}

/**
 * Asks for a deployment through `door`, as a person or CI would: the API with an
 * `Idempotency-Key` (so a retry names the same deployment), retrying `503 TryAgain` as the API
 * asks; the drop puts the spec under `deployments/` and is done.
 */
export async function request(world: ReliabilityWorld, door: Door, functionName: string, spec: string, idempotencyKey: string): Promise<DoorAnswer> {
  if (door === 'drop') {
    const key = specKey(functionName);
    const out = await world.s3.send(new PutObjectCommand({ Bucket: world.mode.plane.bucket, Key: key, Body: spec, ContentType: 'application/yaml' }));
    const deploymentId = deploymentIdForObject({ bucket: world.mode.plane.bucket, key, ...(out.VersionId ? { versionId: out.VersionId } : {}), ...(out.ETag ? { eTag: out.ETag.replace(/"/g, '') } : {}) });
    return { deploymentId, state: 'accepted', statuses: [] };
  }
  // Local mode's API has no IAM: every caller is "local".
  const deploymentId = deploymentIdForIdempotencyKey('local', idempotencyKey);
  const attempt = () => fetch(`${world.apiUrl}/deployments`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey }, body: JSON.stringify({ spec }) });
  const answer = await withApiRetries(attempt);
  if (answer.state === 'accepted') {
    const body = answer.body as { deploymentId?: string };
    if (body.deploymentId !== deploymentId) throw new Error(`POST /deployments answered deployment ${String(body.deploymentId)}, not ${deploymentId}, for Idempotency-Key ${idempotencyKey}`);
  }
  return { deploymentId, state: answer.state, statuses: answer.statuses, ...(answer.refusal ? { refusal: answer.refusal } : {}) };
}

/** What the person did with an approval request through `POST /deployments/{id}/approve|reject`. */
export interface Decision {
  /** `decided`: 200; `closed`: 409, nothing is pending any more; `unavailable`: only 503s; `refused`: anything else. */
  readonly state: 'decided' | 'closed' | 'unavailable' | 'refused';
  readonly statuses: readonly number[];
  readonly refusal?: string;
}

/** Approves or rejects the approval `approvalId` of a deployment through the API, retrying 503 as it asks. */
export async function decide(world: ReliabilityWorld, deploymentId: string, approvalId: string, decision: 'approve' | 'reject'): Promise<Decision> {
  const attempt = () => fetch(`${world.apiUrl}/deployments/${deploymentId}/${decision}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ approvalId, comment: 'reliability suite' }) });
  const answer = await withApiRetries(attempt, 200);
  if (answer.state === 'accepted') return { state: 'decided', statuses: answer.statuses };
  if (answer.state === 'refused' && answer.statuses.at(-1) === 409) return { state: 'closed', statuses: answer.statuses, ...(answer.refusal ? { refusal: answer.refusal } : {}) };
  return { state: answer.state, statuses: answer.statuses, ...(answer.refusal ? { refusal: answer.refusal } : {}) };
}

async function withApiRetries(attempt: () => Promise<Response>, okStatus = 202): Promise<{ state: 'accepted' | 'unavailable' | 'refused'; statuses: number[]; body?: unknown; refusal?: string }> {
  const statuses: number[] = [];
  for (let n = 1; n <= API_ATTEMPTS; n += 1) {
    let response: Response;
    try {
      response = await attempt();
    } catch {
      // No answer at all (connection reset): as unavailable as a 503.
      statuses.push(0);
      await new Promise((resolve) => setTimeout(resolve, API_RETRY_MS));
      continue;
    }
    statuses.push(response.status);
    const text = await response.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (response.status === okStatus) return { state: 'accepted', statuses, body };
    if (response.status !== 503) {
      const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
      return { state: 'refused', statuses, body, refusal: `${response.status} ${error?.code ?? '?'}: ${error?.message ?? text.slice(0, 200)}` };
    }
    await new Promise((resolve) => setTimeout(resolve, API_RETRY_MS));
  }
  return { state: 'unavailable', statuses };
}
