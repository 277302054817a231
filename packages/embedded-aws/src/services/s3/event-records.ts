import { randomBytes } from 'node:crypto';

/**
 * Encodes an object key the way S3 writes it into event records: form URL encoding (space as
 * `+`, `+` as `%2B`, every byte outside `A-Z a-z 0-9 . - _ *` of the UTF-8 key as `%XX`), except
 * that `/` stays as it is. Consumers decode with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function encodeS3EventKey(key: string): string {
  let encoded = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-_*/]/.test(char)) encoded += char;
    else if (char === ' ') encoded += '+';
    else encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** What happened to an object, as the S3 event record reports it. */
export interface ObjectEvent {
  /** `ObjectCreated:Put`, `ObjectCreated:Copy`, `ObjectCreated:CompleteMultipartUpload`, `ObjectRemoved:Delete`, … */
  readonly eventName: string;
  readonly bucket: string;
  /** The key as stored (decoded); encoded into the record here. */
  readonly key: string;
  readonly size?: number;
  /** Without quotes, as in event records. */
  readonly eTag?: string;
  readonly versionId?: string;
  /** Simulated epoch milliseconds. */
  readonly time: number;
  readonly sequencer: string;
  readonly sourceIp: string;
}

/** One record of an S3 event notification, shaped as S3 sends it to Lambda. */
export function s3EventRecord(event: ObjectEvent, where: { region: string; accountId: string; configurationId: string }): Record<string, unknown> {
  const object: Record<string, unknown> = { key: encodeS3EventKey(event.key) };
  if (event.size !== undefined) object.size = event.size;
  if (event.eTag !== undefined) object.eTag = event.eTag;
  if (event.versionId !== undefined) object.versionId = event.versionId;
  object.sequencer = event.sequencer;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: where.region,
    eventTime: new Date(event.time).toISOString(),
    eventName: event.eventName,
    userIdentity: { principalId: `AWS:${where.accountId}` },
    requestParameters: { sourceIPAddress: event.sourceIp },
    responseElements: { 'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(), 'x-amz-id-2': randomBytes(48).toString('base64') },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: where.configurationId,
      bucket: { name: event.bucket, ownerIdentity: { principalId: where.accountId }, arn: `arn:aws:s3:::${event.bucket}` },
      object,
    },
  };
}

/**
 * Sequencers of S3 events: hexadecimal, fixed width, growing with each event so that, as on S3,
 * comparing two events' sequencers for the same key as strings tells which came later.
 */
export function createSequencer(now: () => number): () => string {
  let last = 0n;
  return () => {
    const candidate = BigInt(Math.floor(now())) << 16n;
    last = candidate > last ? candidate : last + 1n;
    return last.toString(16).toUpperCase().padStart(18, '0');
  };
}
