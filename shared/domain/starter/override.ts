import type { ArtifactLocation } from '../../model/deployment';
import { checkImageUri, checkS3Bucket, checkS3Key, parseZipLocation } from '../spec/names';

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
