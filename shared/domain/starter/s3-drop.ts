import { TransientAwsError } from '../../model/engine-errors';
import { adoptedArtifact, type ArtifactLocation } from '../../model/deployment';
import type { DeploymentSpec } from '../../model/spec';
import type { SpecObjects } from '../../ports/spec-objects';
import { specTooLarge } from '../spec/source';
import { StartInterruptedError } from '../../model/starter-errors';
import { START_GRACE_MS, startDeadlineOf } from './expire';
import { deploymentIdForObject } from './ids';
import { refusedSpec, UNKNOWN } from './refused';
import { startDeployment, type StartOutcome, type StarterDeps } from './start';

/** Keys under this prefix are watched; the bucket notification uses the same prefix. */
export const DROP_PREFIX = 'deployments/';
const SPEC_EXTENSIONS = /\.(ya?ml|json)$/i;

/** One object of an S3 event, key decoded (`functions/lib/events.ts` reads it from the event). */
export interface DroppedObject {
  readonly eventName: string;
  readonly bucket: string;
  /** Decoded: spaces, `+` and unicode as the uploader wrote them. */
  readonly key: string;
  readonly versionId?: string;
  readonly eTag?: string;
  readonly region?: string;
  /** Who uploaded it, as S3 reports it (`AWS:AIDA…`). */
  readonly principal?: string;
}

/** What the drop handler needs beyond the starter: reading the spec object. */
export interface S3DropDeps extends StarterDeps, SpecObjects {}

/** What happened to one dropped object. */
export type DropOutcome = { readonly kind: 'ignored'; readonly reason: string } | StartOutcome;

/**
 * Starts a deployment for a spec dropped under `deployments/`. Zips and other objects start
 * nothing; the deployment id comes from the object's identity so a duplicate or replayed event
 * starts nothing twice. A spec that is invalid, too large or unreadable, or whose artifact is
 * missing, unreadable, too large or in another region becomes a REJECTED record with the problems
 * and a notification: a drop never ends without a trace.
 *
 * When AWS fails transiently (reading the spec, recording, starting) it throws, so that S3's
 * asynchronous invocation is retried, and every step of the retry is idempotent. A drop that
 * could not even be recorded leaves a placeholder record (`PENDING`, with a start deadline) so
 * that it never vanishes: a retry replaces it, or the repair loop REJECTs it
 * (`expireStalledStart`) once the deadline has passed.
 */
export async function handleDrop(deps: S3DropDeps, object: DroppedObject): Promise<DropOutcome> {
  try {
    return await drop(deps, object);
  } catch (error) {
    if (error instanceof TransientAwsError || (error instanceof StartInterruptedError && error.started === 'no')) await holdPlace(deps, object, error);
    throw error;
  }
}

async function drop(deps: S3DropDeps, object: DroppedObject): Promise<DropOutcome> {
  if (!object.eventName.startsWith('ObjectCreated:')) return { kind: 'ignored', reason: `${object.eventName} is not an upload` };
  if (!object.key.startsWith(DROP_PREFIX)) return { kind: 'ignored', reason: `${object.key} is not under ${DROP_PREFIX}` };
  if (!SPEC_EXTENSIONS.test(object.key)) return { kind: 'ignored', reason: `${object.key} is not a spec (.yaml, .yml, .json)` };
  const where = { bucket: object.bucket, key: object.key, ...(object.versionId ? { versionId: object.versionId } : {}) };
  const uri = `s3://${object.bucket}/${object.key}`;
  const deploymentId = deploymentIdOf(object);
  const base = { deploymentId, specSource: uri, startedBy: startedByOf(object), source: 's3', recordRefusals: true, resumable: true } as const;

  const existing = await deps.store.getDeployment(deploymentId);
  // A placeholder is replaced by reading the spec, unless it is too late to start (then the starter expires it).
  if (existing && (!existing.placeholder || deps.clock.now() >= startDeadlineOf(existing))) return startDeployment(deps, { ...base, specText: '', resolveArtifact: () => ({ problem: 'unused' }) });
  const read = await deps.readSpec(where);
  if (read.kind === 'tooLarge') {
    // Not read: the starter records the refusal with the size as its problem, worded as the parser words it.
    const problem = specTooLarge(read.size);
    return startDeployment(deps, { ...base, specText: '', resolveArtifact: () => ({ problem: problem.message }), refuseWith: [problem] });
  }
  if (read.kind === 'unreadable') {
    // Not read: the starter records the refusal with why as its problem.
    const message = `spec not found or not readable: ${uri} (${read.detail})`;
    const problem = { path: '', message, line: 0, column: 0 };
    return startDeployment(deps, { ...base, specText: '', resolveArtifact: () => ({ problem: message }), refuseWith: [problem] });
  }
  return startDeployment(deps, { ...base, specText: read.body, resolveArtifact: (spec) => resolveDropArtifact(spec, object) });
}

function deploymentIdOf(object: DroppedObject): string {
  return deploymentIdForObject({ bucket: object.bucket, key: object.key, ...(object.versionId ? { versionId: object.versionId } : {}), ...(object.eTag ? { eTag: object.eTag } : {}) });
}

function startedByOf(object: DroppedObject): string {
  const uri = `s3://${object.bucket}/${object.key}`;
  return object.principal ? `${uri} (uploaded by ${object.principal})` : uri;
}

/**
 * Records that a drop arrived but could not be read or recorded yet: a `PENDING` placeholder
 * (function and alias unknown) with a start deadline, unless a record exists. Best effort:
 * when DynamoDB fails too, nothing can be recorded, and Lambda's retries, then the failed-events
 * queue, keep the event (docs/deploy.md, "Operating").
 */
async function holdPlace(deps: S3DropDeps, object: DroppedObject, failure: Error): Promise<void> {
  const now = deps.clock.now();
  const deploymentId = deploymentIdOf(object);
  try {
    await deps.store.createDeployment({
      deploymentId,
      functionName: UNKNOWN,
      alias: UNKNOWN,
      status: 'PENDING',
      spec: refusedSpec(''),
      artifact: { bucket: '', key: '' },
      startedBy: startedByOf(object),
      source: 's3',
      createdAt: now,
      updatedAt: now,
      startDeadline: now + START_GRACE_MS,
      placeholder: true,
      startFailure: failure.message,
    });
  } catch {
    // The original failure is what the invocation reports; this one only means DynamoDB is down too.
  }
}

/** The artifact of a dropped spec: `artifact.zip` relative to the spec's folder, or as written. */
export function resolveDropArtifact(spec: DeploymentSpec, object: Pick<DroppedObject, 'bucket' | 'key'>): ArtifactLocation {
  const artifact = spec.artifact;
  if (artifact.kind === 'image') return { imageUri: artifact.imageUri };
  if (artifact.kind !== 'zip') return adoptedArtifact(artifact)!;
  if (artifact.bucket) return { bucket: artifact.bucket, key: artifact.key, ...(artifact.versionId ? { versionId: artifact.versionId } : {}) };
  const folder = object.key.slice(0, object.key.lastIndexOf('/') + 1);
  return { bucket: object.bucket, key: `${folder}${artifact.key}`, ...(artifact.versionId ? { versionId: artifact.versionId } : {}) };
}
