import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { AwsCallFailedError, TransientAwsError } from '../model/engine-errors';
import { FledgeError } from '../model/errors';

/** What the adapters need to know about an SDK v3 error. */
export interface SdkErrorShape {
  readonly name: string;
  readonly message: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
  readonly code?: string;
}

/** Reads the fields adapters branch on from anything thrown by an SDK call. */
export function sdkError(error: unknown): SdkErrorShape {
  if (error instanceof Error) return error as unknown as SdkErrorShape;
  return { name: 'UnknownError', message: String(error) };
}

/**
 * Throttling, a 5xx, a timeout or a dropped connection: worth retrying the same call. The SDK's
 * own classification (`@smithy/core/retry`, what its retry strategy decides with): throttling
 * names and 429, the retryable trait, 5xx statuses, timeouts and Node's network error codes —
 * not a list of names kept here, which would fall behind the services'.
 */
export function isTransient(error: unknown): boolean {
  const e = sdkError(error) as Parameters<typeof isTransientError>[0];
  return isThrottlingError(e) || isTransientError(e) || isServerError(e);
}

/**
 * The default translation at the adapter boundary: transient → {@link TransientAwsError},
 * anything else → {@link AwsCallFailedError}. Both say which call on which resource failed.
 */
export function translate(error: unknown, what: string): Error {
  if (error instanceof FledgeError) return error;
  const e = sdkError(error);
  if (isTransient(error)) return new TransientAwsError(`${what}: ${e.name}: ${e.message}`, { cause: error });
  return new AwsCallFailedError(`${what}: ${e.name}: ${e.message}`, { cause: error });
}
