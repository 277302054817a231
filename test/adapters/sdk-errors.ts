import type { ServiceException } from '@smithy/core/client';

/** An SDK service exception class: the client's base (`LambdaServiceException`, …) or a modeled one. */
type ExceptionClass = new (options: { name: string; $fault: 'client' | 'server'; $metadata: { httpStatusCode?: number }; message: string }) => ServiceException;

/**
 * An exception as the SDK throws it after the service answered `status` with error code `name`:
 * the client's modeled class when there is one, its base class otherwise (what the SDK does for
 * codes it does not model, such as AccessDeniedException).
 */
export function serviceError(Exception: ExceptionClass, name: string, status: number, message = `${name} (test)`): ServiceException {
  return new Exception({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message });
}

/** A failure below HTTP: what Node's sockets throw (`ECONNRESET`, `EHOSTUNREACH`, …). */
export function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code });
}
