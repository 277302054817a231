import { GetBucketLocationCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ArtifactUnavailableError } from '../model/engine-errors';
import { describeArtifact } from '../model/deployment';
import { LIMITS } from '../model/spec-limits';
import type { ArtifactFacts, ArtifactInspector } from '../ports/artifact-inspector';
import type { SpecObject } from '../ports/spec-objects';
import { sdkError, translate } from './aws-errors';

/** S3's names for "not there" and "not yours to read"; HEAD answers carry only the status. */
const UNAVAILABLE_NAMES = new Set(['NotFound', 'NoSuchKey', 'NoSuchBucket', 'NoSuchVersion', 'AccessDenied', 'Forbidden', 'InvalidObjectState', 'PermanentRedirect', 'AuthorizationHeaderMalformed']);

/**
 * Whether S3 answered that the object cannot be read: 404 (missing key, bucket or version), 403
 * (denied — and what S3 answers for a missing key to a caller without `s3:ListBucket`, or for an
 * archived object), or 301 (the bucket is in another region). No retry changes any of these.
 */
function isUnavailable(error: unknown): boolean {
  const e = sdkError(error);
  const status = e.$metadata?.httpStatusCode;
  return status === 301 || status === 403 || status === 404 || UNAVAILABLE_NAMES.has(e.name);
}

/** What S3 answered, in words for a person: the error code, or the HTTP status of a HEAD. */
function answered(error: unknown): string {
  const e = sdkError(error);
  const status = e.$metadata?.httpStatusCode;
  const code = UNAVAILABLE_NAMES.has(e.name) ? e.name : status === 403 ? 'AccessDenied' : status === 404 ? 'NotFound' : status === 301 ? 'PermanentRedirect' : `HTTP ${status ?? '?'}`;
  return `S3 answered ${code}`;
}

/**
 * {@link ArtifactInspector} over S3: HeadObject for existence and size, GetBucketLocation for the
 * region. An object S3 will not show — 404 or 403, whichever it answers — is one
 * {@link ArtifactUnavailableError}; throttling and 5xx stay transient.
 */
export class S3ArtifactInspector implements ArtifactInspector {
  private readonly regions = new Map<string, string>();

  constructor(private readonly client: S3Client) {}

  async inspect(location: { bucket: string; key: string; versionId?: string }): Promise<ArtifactFacts> {
    let size: number;
    let versionId: string | undefined;
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key, ...(location.versionId ? { VersionId: location.versionId } : {}) }));
      size = out.ContentLength ?? 0;
      versionId = out.VersionId;
    } catch (error) {
      if (isUnavailable(error)) throw new ArtifactUnavailableError(describeArtifact(location), answered(error), { cause: error });
      throw translate(error, `HeadObject ${describeArtifact(location)}`);
    }
    return { sizeBytes: size, region: await this.regionOf(location), ...(versionId && versionId !== 'null' ? { versionId } : {}) };
  }

  private async regionOf(location: { bucket: string; key: string; versionId?: string }): Promise<string> {
    const known = this.regions.get(location.bucket);
    if (known) return known;
    try {
      const out = await this.client.send(new GetBucketLocationCommand({ Bucket: location.bucket }));
      // An empty constraint is us-east-1; "EU" is the legacy name of eu-west-1.
      const region = !out.LocationConstraint ? 'us-east-1' : out.LocationConstraint === 'EU' ? 'eu-west-1' : out.LocationConstraint;
      this.regions.set(location.bucket, region);
      return region;
    } catch (error) {
      // Without the bucket's region the artifact cannot be checked: as unusable as a missing one.
      if (isUnavailable(error)) throw new ArtifactUnavailableError(describeArtifact(location), `the region of bucket ${location.bucket} cannot be read: ${answered(error)}`, { cause: error });
      throw translate(error, `GetBucketLocation ${location.bucket}`);
    }
  }
}

/**
 * Reads a dropped spec object, refusing, unread, anything larger than the spec reader's own limit ({@link LIMITS.maxSpecBytes}). An
 * object S3 will not show (404 or 403 — the same to a reader without `s3:ListBucket`) is
 * `unreadable`: the drop is refused on the record, not lost.
 */
export async function readSpecObject(client: S3Client, object: { bucket: string; key: string; versionId?: string }): Promise<SpecObject> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ...(object.versionId ? { VersionId: object.versionId } : {}) }));
    const size = out.ContentLength ?? 0;
    if (size > LIMITS.maxSpecBytes) {
      out.Body?.transformToWebStream().cancel().catch(() => undefined);
      return { kind: 'tooLarge', size };
    }
    return { kind: 'read', body: (await out.Body?.transformToByteArray()) ?? new Uint8Array() };
  } catch (error) {
    if (isUnavailable(error)) return { kind: 'unreadable', detail: answered(error) };
    throw translate(error, `GetObject ${describeArtifact(object)}`);
  }
}
