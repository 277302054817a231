import { createHash } from 'node:crypto';
import { ulid } from 'ulid';

/** Execution names (= deployment ids): 1–80 characters of letters, digits, `-` and `_`. */
export const DEPLOYMENT_ID = /^[A-Za-z0-9_-]{1,80}$/;

function digest(parts: readonly string[]): string {
  // 32 base64url characters = 192 bits: collisions are out of reach; the alphabet is the one
  // execution names allow. Parts are length-prefixed so ("ab","c") and ("a","bc") differ.
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.length}:${part}\n`);
  return hash.digest('base64url').slice(0, 32);
}

/**
 * The deployment id of a spec dropped into S3: derived from the object's identity, so a
 * duplicate or replayed event names the same execution and starts nothing twice. A new upload
 * of the same key is a new version (or a new ETag when versioning is off): a new deployment.
 */
export function deploymentIdForObject(object: { bucket: string; key: string; versionId?: string; eTag?: string }): string {
  return `s3-${digest(['s3', object.bucket, object.key, object.versionId ?? '', object.versionId ? '' : (object.eTag ?? '').replace(/"/g, '')])}`;
}

/** The deployment id of an API request with an `Idempotency-Key`: per caller, so two callers' keys never meet. */
export function deploymentIdForIdempotencyKey(caller: string, key: string): string {
  return `api-${digest(['api', caller, key])}`;
}

/** A fresh deployment id, sortable by creation time. */
export function newDeploymentId(prefix: string): string {
  return `${prefix}-${ulid()}`;
}

/** The fingerprint of a request's meaning (spec text and artifact), to recognise a retry. */
export function requestFingerprint(parts: readonly string[]): string {
  return digest(['request', ...parts]);
}
