import { takeFault } from '../../faults';
import type { LocalContext } from '../../types';
import { LambdaApiError } from './errors';

/**
 * Consumes the fault injected for a Lambda operation, if any (through the shared `takeFault`, so
 * a latency fault delays the call by simulated time and lets it proceed). Other faults come back
 * as the error to answer with, in Lambda's names and body shape: `TooManyRequestsException` 429
 * with a `Reason` and `Retry-After` (one simulated second, in real seconds: `0.01` at time scale
 * 0.01), `ServiceException` 500, or the rule's own code and status.
 */
export async function takeLambdaFault(context: Pick<LocalContext, 'faults' | 'clock'>, operation: string): Promise<LambdaApiError | undefined> {
  const fault = await takeFault(context, 'lambda', operation);
  if (!fault) return undefined;
  if (fault.code === 'TooManyRequestsException') {
    const reason = operation === 'Invoke' ? 'ConcurrentInvocationLimitExceeded' : 'CallerRateLimitExceeded';
    // Lambda asks for one second; a second of simulated time, which the client waits in real time.
    const retryAfterSeconds = Number((context.clock.toRealMs(1000) / 1000).toFixed(3));
    return new LambdaApiError(fault.code, fault.status, fault.message, { Type: 'User', Reason: reason }, { 'Retry-After': String(retryAfterSeconds) });
  }
  if (fault.status >= 500) return new LambdaApiError(fault.code, fault.status, fault.message, { Type: 'Service', Message: fault.message });
  return new LambdaApiError(fault.code, fault.status, fault.message, { Type: 'User' });
}
