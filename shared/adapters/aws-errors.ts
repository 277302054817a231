import { AwsCallFailedError, TransientAwsError } from '../domain/deployment/errors';
import { FledgeError } from '../domain/errors';

/** What the adapters need to know about an SDK v3 error. */
export interface SdkErrorShape {
  readonly name: string;
  readonly message: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: { readonly throttling?: boolean };
  readonly code?: string;
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ThrottledException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ServiceException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'EC2ThrottledException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'Throttled',
  'InternalServiceFault',
  'SlowDown',
]);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

/** Reads the fields adapters branch on from anything thrown by an SDK call. */
export function sdkError(error: unknown): SdkErrorShape {
  if (error instanceof Error) return error as unknown as SdkErrorShape;
  return { name: 'UnknownError', message: String(error) };
}

/** Throttling, a 5xx, a timeout or a dropped connection: worth retrying the same call. */
export function isTransient(error: unknown): boolean {
  const e = sdkError(error);
  if (TRANSIENT_NAMES.has(e.name)) return true;
  if (e.$retryable?.throttling) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return e.code !== undefined && NETWORK_CODES.has(e.code);
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
