import type { ArtifactLocation } from '../deployment/model';
import { checkImageUri, checkS3Bucket, checkS3Key, parseZipLocation } from '../spec/names';

/** What fledge can learn about a zip in S3 before starting a deployment from it. */
export type ArtifactFacts =
  | {
      readonly exists: false;
      /**
       * Why S3 showed nothing: `missing` (404), `forbidden` (403: absent, or in a bucket fledge may
       * not read — S3 does not say which), `invalid` (400: a version id or key S3 refuses),
       * `elsewhere` (a redirect: the bucket is in another region). Each is the request's fault.
       */
      readonly reason?: 'missing' | 'forbidden' | 'invalid' | 'elsewhere';
    }
  | { readonly exists: true; readonly sizeBytes: number; /** Region of the bucket, when fledge may ask. */ readonly region?: string; readonly versionId?: string };

/** Looks at an artifact in S3 (HeadObject + the bucket's region). Implemented by `shared/adapters/s3-artifacts.ts`. */
export interface ArtifactInspector {
  inspect(location: { bucket: string; key: string; versionId?: string }): Promise<ArtifactFacts>;
}

/**
 * Largest zip fledge hands to Lambda. Lambda's 50 MB limit applies to zips uploaded directly
 * through its API; code taken from S3 is limited by its unzipped size, 250 MB. A zip is never
 * smaller than what it holds by less than its compression, so anything above 250 MB zipped
 * cannot unpack below the limit (the unzipped size is Lambda's to check).
 */
export const MAX_ARTIFACT_BYTES = 250 * 1024 * 1024;

/** A problem with the artifact, in the same shape as a spec problem (path `artifact.zip`). */
export interface ArtifactProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Checks that the artifact exists, is not too large, and lives in the control plane's region
 * (Lambda reads code only from a bucket in the function's region). Container images are not
 * inspected: Lambda checks them itself.
 */
export async function checkArtifact(inspector: ArtifactInspector, artifact: ArtifactLocation, region: string | undefined): Promise<readonly ArtifactProblem[]> {
  if ('imageUri' in artifact) return [];
  const where = `s3://${artifact.bucket}/${artifact.key}${artifact.versionId ? ` (version ${artifact.versionId})` : ''}`;
  const facts = await inspector.inspect(artifact);
  if (!facts.exists) return [{ path: 'artifact.zip', message: unseen(where, facts.reason ?? 'missing') }];
  const problems: ArtifactProblem[] = [];
  if (facts.sizeBytes > MAX_ARTIFACT_BYTES) {
    problems.push({ path: 'artifact.zip', message: `the artifact ${where} has ${mib(facts.sizeBytes)}; Lambda takes at most ${mib(MAX_ARTIFACT_BYTES)} of code (unzipped)` });
  }
  if (region && facts.region && facts.region !== region) {
    problems.push({ path: 'artifact.zip', message: `the artifact ${where} is in ${facts.region}, but fledge and the function are in ${region}: Lambda reads code only from a bucket in its own region` });
  }
  return problems;
}

function unseen(where: string, reason: 'missing' | 'forbidden' | 'invalid' | 'elsewhere'): string {
  switch (reason) {
    case 'missing':
      return `the artifact ${where} does not exist`;
    case 'forbidden':
      return `fledge may not read the artifact ${where}: it does not exist, or its bucket is one fledge's role cannot read (fledge reads artifacts from its artifacts bucket)`;
    case 'invalid':
      return `S3 refused to look up the artifact ${where}: check its key and version id`;
    case 'elsewhere':
      return `the artifact ${where} is in a bucket of another region: Lambda reads code only from a bucket in its own region`;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A problem with one field of an artifact override, `field` being its path in the request (`artifact.key`). */
export interface OverrideProblem {
  readonly field: string;
  readonly message: string;
  readonly limit: string;
}

const OVERRIDE_FIELDS = ['bucket', 'key', 'versionId', 'imageUri'];
const VERSION_ID = /^[\x21-\x7e]{1,1024}$/;
const OVERRIDE_LIMITS = {
  artifact: '{"bucket", "key", "versionId"?}, {"imageUri"} or "s3://bucket/key"',
  bucket: "an S3 bucket name (S3's naming rules: 3-63 characters)",
  key: 'an S3 object key of 1-1024 UTF-8 bytes without control characters',
  versionId: 'an S3 version id: 1-1024 printable ASCII characters',
  imageUri: 'an ECR image URI with a tag or digest',
} as const;

/**
 * Reads an artifact that overrides the spec's (the API's `artifact`: the CLI uploaded the zip
 * first): `{bucket, key, versionId?}`, `{imageUri}` or `"s3://bucket/key"`, each part held to
 * the same rules as a spec's `artifact` ({@link checkS3Bucket}, {@link checkS3Key},
 * {@link checkImageUri}), so nothing S3 or Lambda would refuse gets as far as a call to them.
 */
export function parseArtifactOverride(value: unknown): { readonly ok: true; readonly value: ArtifactLocation } | { readonly ok: false; readonly problems: readonly OverrideProblem[] } {
  const refuse = (field: keyof typeof OVERRIDE_LIMITS, message: string) => ({ ok: false as const, problems: [{ field: field === 'artifact' ? 'artifact' : `artifact.${field}`, message, limit: OVERRIDE_LIMITS[field] }] });
  if (typeof value === 'string') {
    if (!value.startsWith('s3://')) return refuse('artifact', `must be ${OVERRIDE_LIMITS.artifact}`);
    const parsed = parseZipLocation(value);
    if (!parsed.ok) return refuse('artifact', parsed.message);
    return { ok: true, value: { bucket: parsed.value.bucket!, key: parsed.value.key } };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return refuse('artifact', `must be ${OVERRIDE_LIMITS.artifact}`);
  const a = value as Record<string, unknown>;
  const unknown = Object.keys(a).filter((k) => !OVERRIDE_FIELDS.includes(k));
  if (unknown.length > 0) return refuse('artifact', `has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}; known: ${OVERRIDE_FIELDS.join(', ')}`);
  if (a['imageUri'] !== undefined) {
    if (a['bucket'] !== undefined || a['key'] !== undefined || a['versionId'] !== undefined) return refuse('artifact', 'holds both an image and a zip: give "imageUri" or "bucket" and "key"');
    if (typeof a['imageUri'] !== 'string' || a['imageUri'].length > 512) return refuse('imageUri', `must be ${OVERRIDE_LIMITS.imageUri}`);
    const image = checkImageUri(a['imageUri']);
    return image.ok ? { ok: true, value: { imageUri: image.value } } : refuse('imageUri', image.message);
  }
  const problems: OverrideProblem[] = [];
  const bucket = a['bucket'];
  const key = a['key'];
  const versionId = a['versionId'];
  if (typeof bucket !== 'string') problems.push({ field: 'artifact.bucket', message: `is required: ${OVERRIDE_LIMITS.bucket}`, limit: OVERRIDE_LIMITS.bucket });
  else {
    const check = checkS3Bucket(bucket);
    if (!check.ok) problems.push({ field: 'artifact.bucket', message: check.message, limit: OVERRIDE_LIMITS.bucket });
  }
  if (typeof key !== 'string') problems.push({ field: 'artifact.key', message: `is required: ${OVERRIDE_LIMITS.key}`, limit: OVERRIDE_LIMITS.key });
  else {
    const check = checkS3Key(key);
    if (!check.ok) problems.push({ field: 'artifact.key', message: check.message, limit: OVERRIDE_LIMITS.key });
  }
  if (versionId !== undefined && (typeof versionId !== 'string' || !VERSION_ID.test(versionId))) {
    problems.push({ field: 'artifact.versionId', message: `must be ${OVERRIDE_LIMITS.versionId}`, limit: OVERRIDE_LIMITS.versionId });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { bucket: bucket as string, key: key as string, ...(typeof versionId === 'string' ? { versionId } : {}) } };
}
