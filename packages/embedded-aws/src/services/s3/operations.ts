import type { IncomingHttpHeaders } from 'node:http';

/** Where an S3 request points, path-style: the bucket and (decoded) key, if any. */
export interface S3Target {
  readonly bucket: string | undefined;
  readonly key: string | undefined;
}

/** Bucket and key of a path-style request path (`/bucket/some/key`). */
export function s3TargetOf(pathname: string): S3Target {
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(pathname);
  if (!match) return { bucket: undefined, key: undefined };
  const key = match[2];
  return { bucket: safeDecode(match[1] as string), key: key === undefined || key === '' ? undefined : safeDecode(key) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// Bucket sub-resources and the noun of their Get/Put/Delete operations, as AWS names them.
const bucketSubresources: Readonly<Record<string, string>> = {
  notification: 'BucketNotificationConfiguration', versioning: 'BucketVersioning', location: 'BucketLocation', cors: 'BucketCors',
  website: 'BucketWebsite', tagging: 'BucketTagging', policy: 'BucketPolicy', policyStatus: 'BucketPolicyStatus', acl: 'BucketAcl',
  lifecycle: 'BucketLifecycleConfiguration', encryption: 'BucketEncryption', accelerate: 'BucketAccelerateConfiguration',
  logging: 'BucketLogging', replication: 'BucketReplication', requestPayment: 'BucketRequestPayment',
  ownershipControls: 'BucketOwnershipControls', publicAccessBlock: 'PublicAccessBlock', 'object-lock': 'ObjectLockConfiguration',
  analytics: 'BucketAnalyticsConfiguration', inventory: 'BucketInventoryConfiguration', metrics: 'BucketMetricsConfiguration',
  'intelligent-tiering': 'BucketIntelligentTieringConfiguration',
};

// Object sub-resources and the noun of their Get/Put/Delete operations.
const objectSubresources: Readonly<Record<string, string>> = {
  tagging: 'ObjectTagging', acl: 'ObjectAcl', retention: 'ObjectRetention', 'legal-hold': 'ObjectLegalHold', torrent: 'ObjectTorrent', attributes: 'ObjectAttributes',
};

/**
 * The S3 API operation a REST request stands for, as AWS names it (`PutObject`, `ListObjectsV2`),
 * derived from method, path and sub-resource query parameters. The service dispatches on it and
 * fault rules match it; every sub-resource S3 has gets its own name, so a request for one the
 * embedded S3 does not implement is never taken for a plain object or bucket operation.
 */
export function s3OperationOf(method: string, target: S3Target, query: URLSearchParams, headers: IncomingHttpHeaders): string {
  const has = (name: string): boolean => query.has(name);
  if (target.bucket === undefined) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (target.key === undefined) {
    const sub = Object.keys(bucketSubresources).find(has);
    const noun = sub === undefined ? undefined : bucketSubresources[sub];
    switch (method) {
      case 'GET':
        if (noun) return `Get${noun}`;
        if (has('uploads')) return 'ListMultipartUploads';
        if (has('versions')) return 'ListObjectVersions';
        return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      case 'PUT':
        return noun ? `Put${noun}` : 'CreateBucket';
      case 'DELETE':
        return noun ? `Delete${noun}` : 'DeleteBucket';
      case 'HEAD':
        return 'HeadBucket';
      case 'POST':
        return has('delete') ? 'DeleteObjects' : 'PostObject';
      default:
        return 'Unknown';
    }
  }
  const sub = Object.keys(objectSubresources).find(has);
  const noun = sub === undefined ? undefined : objectSubresources[sub];
  const copy = 'x-amz-copy-source' in headers;
  switch (method) {
    case 'GET':
      if (noun) return `Get${noun}`;
      if (has('uploadId')) return 'ListParts';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      if (has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      if (noun) return `Put${noun}`;
      return copy ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      if (has('uploadId')) return 'AbortMultipartUpload';
      if (noun) return `Delete${noun}`;
      return 'DeleteObject';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      if (has('select')) return 'SelectObjectContent';
      return has('restore') ? 'RestoreObject' : 'Unknown';
    default:
      return 'Unknown';
  }
}
