import { GetBucketLocationCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MAX_SPEC_BYTES } from '../domain/spec/source';
import type { ArtifactFacts, ArtifactInspector } from '../domain/starter/artifacts';
import { sdkError, translate } from './aws-errors';

/** Objects larger than a spec may be are not read at all: the parser's own limit. */
export const MAX_SPEC_OBJECT_BYTES = MAX_SPEC_BYTES;

/** {@link ArtifactInspector} over S3: HeadObject for existence and size, GetBucketLocation for the region. */
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
      const e = sdkError(error);
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.name === 'NoSuchBucket' || e.$metadata?.httpStatusCode === 404) return { exists: false };
      throw translate(error, `HeadObject s3://${location.bucket}/${location.key}`);
    }
    return { exists: true, sizeBytes: size, region: await this.regionOf(location.bucket), ...(versionId && versionId !== 'null' ? { versionId } : {}) };
  }

  private async regionOf(bucket: string): Promise<string> {
    const known = this.regions.get(bucket);
    if (known) return known;
    try {
      const out = await this.client.send(new GetBucketLocationCommand({ Bucket: bucket }));
      // An empty constraint is us-east-1; "EU" is the legacy name of eu-west-1.
      const region = !out.LocationConstraint ? 'us-east-1' : out.LocationConstraint === 'EU' ? 'eu-west-1' : out.LocationConstraint;
      this.regions.set(bucket, region);
      return region;
    } catch (error) {
      throw translate(error, `GetBucketLocation ${bucket}`);
    }
  }
}

/** Reads a dropped spec object, refusing anything larger than {@link MAX_SPEC_OBJECT_BYTES}. */
export async function readSpecObject(client: S3Client, object: { bucket: string; key: string; versionId?: string }): Promise<{ body: Uint8Array; tooLarge: false } | { tooLarge: true; size: number } | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ...(object.versionId ? { VersionId: object.versionId } : {}) }));
    const size = out.ContentLength ?? 0;
    if (size > MAX_SPEC_OBJECT_BYTES) {
      out.Body?.transformToWebStream().cancel().catch(() => undefined);
      return { tooLarge: true, size };
    }
    return { body: (await out.Body?.transformToByteArray()) ?? new Uint8Array(), tooLarge: false };
  } catch (error) {
    const e = sdkError(error);
    // Deleted since the event was sent: nothing to start.
    if (e.name === 'NoSuchKey' || e.name === 'NoSuchVersion' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw translate(error, `GetObject s3://${object.bucket}/${object.key}`);
  }
}
