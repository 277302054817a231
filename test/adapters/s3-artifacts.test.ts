import { AccessDenied, GetBucketLocationCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readSpecObject, S3ArtifactInspector } from '../../shared/adapters/s3-artifacts';
import { ArtifactUnavailableError, AwsCallFailedError, TransientAwsError } from '../../shared/model/engine-errors';
import { serviceError } from './sdk-errors';

// S3's answers about artifacts and dropped specs translated at the adapter boundary, on a mocked client.

const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const s3 = mockClient(client);
const zip = { bucket: 'artifacts', key: 'orders/v2.zip' };

afterEach(() => {
  s3.reset();
});

describe('the S3 artifact inspector', () => {
  it.each([
    ['a missing object (404 on HEAD)', serviceError(NotFound, 'NotFound', 404), 'S3 answered NotFound'],
    ['a denied one (403 on HEAD, also a missing key without ListBucket)', serviceError(S3ServiceException, 'Forbidden', 403), 'S3 answered Forbidden'],
    ['a bucket in another region (301)', serviceError(S3ServiceException, 'Unknown', 301), 'S3 answered PermanentRedirect'],
  ])('names the artifact unavailable for %s, never retrying it', async (_what, error, answered) => {
    // Prepare
    s3.on(HeadObjectCommand).rejects(error);

    // Act
    const failure = await new S3ArtifactInspector(client).inspect(zip).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(ArtifactUnavailableError);
    expect((failure as ArtifactUnavailableError).location).toBe('s3://artifacts/orders/v2.zip');
    expect((failure as Error).message).toContain(answered);
  });

  it.each([
    ['SlowDown', 'transient', serviceError(S3ServiceException, 'SlowDown', 503), TransientAwsError],
    ['an internal error', 'transient', serviceError(S3ServiceException, 'InternalError', 500), TransientAwsError],
    ['a refused request', 'a failed call, not retried', serviceError(S3ServiceException, 'InvalidRequest', 400), AwsCallFailedError],
  ])('reads %s on HEAD as %s', async (_what, _as, error, expected) => {
    // Prepare
    s3.on(HeadObjectCommand).rejects(error);

    // Act / Assess
    await expect(new S3ArtifactInspector(client).inspect(zip)).rejects.toBeInstanceOf(expected);
  });

  it("names the artifact unavailable when its bucket's region cannot be read, and keeps a throttle there retryable", async () => {
    // Prepare
    s3.on(HeadObjectCommand).resolves({ ContentLength: 10 });
    s3.on(GetBucketLocationCommand).rejectsOnce(serviceError(AccessDenied, 'AccessDenied', 403)).rejectsOnce(serviceError(S3ServiceException, 'SlowDown', 503));

    // Act
    const denied = await new S3ArtifactInspector(client).inspect(zip).catch((e: unknown) => e);
    const throttled = await new S3ArtifactInspector(client).inspect(zip).catch((e: unknown) => e);

    // Assess
    expect(denied).toBeInstanceOf(ArtifactUnavailableError);
    expect((denied as Error).message).toContain('the region of bucket artifacts cannot be read: S3 answered AccessDenied');
    expect(throttled).toBeInstanceOf(TransientAwsError);
  });
});

describe('reading a dropped spec', () => {
  it('reads a missing or denied spec as unreadable, with what S3 answered', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejectsOnce(serviceError(NoSuchKey, 'NoSuchKey', 404)).rejectsOnce(serviceError(AccessDenied, 'AccessDenied', 403));

    // Act
    const missing = await readSpecObject(client, { bucket: 'artifacts', key: 'deployments/spec.yaml' });
    const denied = await readSpecObject(client, { bucket: 'artifacts', key: 'deployments/spec.yaml' });

    // Assess
    expect([missing, denied]).toEqual([
      { kind: 'unreadable', detail: 'S3 answered NoSuchKey' },
      { kind: 'unreadable', detail: 'S3 answered AccessDenied' },
    ]);
  });

  it('keeps a throttled read retryable, so the drop is delivered again', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(serviceError(S3ServiceException, 'SlowDown', 503, 'Please reduce your request rate.'));

    // Act / Assess
    await expect(readSpecObject(client, { bucket: 'artifacts', key: 'deployments/spec.yaml' })).rejects.toThrow(new TransientAwsError('GetObject s3://artifacts/deployments/spec.yaml: SlowDown: Please reduce your request rate.'));
  });
});
