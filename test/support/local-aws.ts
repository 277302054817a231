import type { LocalAws } from '../../local/server';

/**
 * Client configuration for the unmodified AWS SDK v3 clients pointed at an embedded AWS.
 * S3 needs path-style addressing and no streamed checksums (s3rver would store the chunk framing).
 */
export function clientConfig(aws: Pick<LocalAws, 'endpoint' | 'region'>) {
  return {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  } as const;
}

/** Like {@link clientConfig}, plus what the S3 client needs against s3rver. */
export function s3ClientConfig(aws: Pick<LocalAws, 'endpoint' | 'region'>) {
  return { ...clientConfig(aws), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } as const;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs` real ms. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, { timeoutMs = 10_000, intervalMs = 20, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** What an SDK call rejected with, to assert on its AWS error name and HTTP status; fails if it succeeded. */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail, it succeeded');
}
