import { describe, expect, it } from 'vitest';
import { s3OperationOf, s3TargetOf } from '../src/services/s3/operations';

/** Fault rules name S3 operations as AWS does; these are the names the embedded S3 matches them by. */
describe('S3 operation names for fault matching', () => {
  const cases: [method: string, url: string, headers: Record<string, string>, operation: string][] = [
    ['GET', '/', {}, 'ListBuckets'],
    ['PUT', '/bucket', {}, 'CreateBucket'],
    ['HEAD', '/bucket', {}, 'HeadBucket'],
    ['DELETE', '/bucket', {}, 'DeleteBucket'],
    ['GET', '/bucket?list-type=2&prefix=a%2F', {}, 'ListObjectsV2'],
    ['GET', '/bucket?prefix=a', {}, 'ListObjects'],
    ['PUT', '/bucket?notification', {}, 'PutBucketNotificationConfiguration'],
    ['GET', '/bucket?notification', {}, 'GetBucketNotificationConfiguration'],
    ['GET', '/bucket?versioning', {}, 'GetBucketVersioning'],
    ['POST', '/bucket?delete', {}, 'DeleteObjects'],
    ['PUT', '/bucket/a/key.zip', {}, 'PutObject'],
    ['PUT', '/bucket/a/key.zip', { 'x-amz-copy-source': '/bucket/other' }, 'CopyObject'],
    ['GET', '/bucket/a/key.zip', {}, 'GetObject'],
    ['HEAD', '/bucket/a/key.zip', {}, 'HeadObject'],
    ['DELETE', '/bucket/a/key.zip', {}, 'DeleteObject'],
    ['GET', '/bucket/a/key.zip?tagging', {}, 'GetObjectTagging'],
    ['POST', '/bucket/a/key.zip?uploads', {}, 'CreateMultipartUpload'],
    ['PUT', '/bucket/a/key.zip?partNumber=1&uploadId=u', {}, 'UploadPart'],
    ['POST', '/bucket/a/key.zip?uploadId=u', {}, 'CompleteMultipartUpload'],
    ['DELETE', '/bucket/a/key.zip?uploadId=u', {}, 'AbortMultipartUpload'],
    ['PUT', '/bucket?accelerate', {}, 'PutBucketAccelerateConfiguration'],
    ['GET', '/bucket?policyStatus', {}, 'GetBucketPolicyStatus'],
    ['DELETE', '/bucket?publicAccessBlock', {}, 'DeletePublicAccessBlock'],
    ['GET', '/bucket/a/key.zip?retention', {}, 'GetObjectRetention'],
    ['PUT', '/bucket/a/key.zip?legal-hold', {}, 'PutObjectLegalHold'],
    ['GET', '/bucket/a/key.zip?attributes', {}, 'GetObjectAttributes'],
    ['POST', '/bucket/a/key.zip?select&select-type=2', {}, 'SelectObjectContent'],
  ];

  it.each(cases)('names %s %s as the operation AWS calls it', (method, url, headers, operation) => {
    // Prepare
    const [path = '/', query = ''] = url.split('?');
    // Act
    const named = s3OperationOf(method, s3TargetOf(path), new URLSearchParams(query), headers);
    // Assess
    expect(named).toBe(operation);
  });

  it('decodes bucket and key from a path-style path', () => {
    expect(s3TargetOf('/bucket/dir/my%20file%2B1.zip')).toEqual({ bucket: 'bucket', key: 'dir/my file+1.zip' });
    expect(s3TargetOf('/bucket/')).toEqual({ bucket: 'bucket', key: undefined });
    expect(s3TargetOf('/')).toEqual({ bucket: undefined, key: undefined });
  });
});
