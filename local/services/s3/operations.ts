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

/**
 * The S3 API operation a REST request stands for, as AWS names it (`PutObject`, `ListObjectsV2`),
 * derived from method, path and sub-resource query parameters. Used to match injected faults.
 */
export function s3OperationOf(method: string, target: S3Target, query: URLSearchParams, headers: IncomingHttpHeaders): string {
  const has = (name: string): boolean => query.has(name);
  if (target.bucket === undefined) return method === 'GET' ? 'ListBuckets' : 'Unknown';
  if (target.key === undefined) {
    const sub = (['notification', 'versioning', 'location', 'cors', 'website', 'tagging', 'policy', 'acl', 'lifecycle', 'encryption'] as const).find(has);
    const subName: Record<string, string> = {
      notification: 'BucketNotificationConfiguration', versioning: 'BucketVersioning', location: 'BucketLocation', cors: 'BucketCors', website: 'BucketWebsite',
      tagging: 'BucketTagging', policy: 'BucketPolicy', acl: 'BucketAcl', lifecycle: 'BucketLifecycleConfiguration', encryption: 'BucketEncryption',
    };
    switch (method) {
      case 'GET':
        if (sub) return `Get${subName[sub]}`;
        if (has('uploads')) return 'ListMultipartUploads';
        if (has('versions')) return 'ListObjectVersions';
        return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      case 'PUT':
        return sub ? `Put${subName[sub]}` : 'CreateBucket';
      case 'DELETE':
        return sub ? `Delete${subName[sub]}` : 'DeleteBucket';
      case 'HEAD':
        return 'HeadBucket';
      case 'POST':
        return has('delete') ? 'DeleteObjects' : 'PostObject';
      default:
        return 'Unknown';
    }
  }
  const copy = 'x-amz-copy-source' in headers;
  switch (method) {
    case 'GET':
      if (has('tagging')) return 'GetObjectTagging';
      if (has('acl')) return 'GetObjectAcl';
      if (has('uploadId')) return 'ListParts';
      if (has('attributes')) return 'GetObjectAttributes';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      if (has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      if (has('tagging')) return 'PutObjectTagging';
      if (has('acl')) return 'PutObjectAcl';
      return copy ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      if (has('uploadId')) return 'AbortMultipartUpload';
      if (has('tagging')) return 'DeleteObjectTagging';
      return 'DeleteObject';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      return has('restore') ? 'RestoreObject' : 'Unknown';
    default:
      return 'Unknown';
  }
}
