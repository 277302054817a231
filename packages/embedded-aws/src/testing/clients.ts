import type { LocalAws } from '../server';

/**
 * Client configuration for the unmodified AWS SDK v3 clients pointed at an embedded AWS.
 * For S3 see {@link s3ClientConfig}.
 */
export function clientConfig(aws: Pick<LocalAws, 'endpoint' | 'region'>) {
  return {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  } as const;
}

/**
 * Like {@link clientConfig}, plus the S3 settings docs/local.md recommends: path style (a bucket's
 * `*.localhost` name need not resolve) and checksums only where required (the embedded S3 decodes
 * and verifies streamed checksums too, but plain bodies are less work).
 */
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
