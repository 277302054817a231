/**
 * An EventBridge API error as the embedded EventBridge renders it (awsJson1_1): `code` is the
 * shape name the SDK turns into `error.name` (`ResourceNotFoundException`, …).
 */
export class EventBridgeApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventBridgeApiError';
    this.code = code;
    this.status = status;
  }
}

/** A member missing or out of its constraints; the message names it, as EventBridge's do. */
export const validationError = (message: string): EventBridgeApiError => new EventBridgeApiError('ValidationException', 400, message);
/** A rule (or bus) that does not exist. */
export const resourceNotFound = (message: string): EventBridgeApiError => new EventBridgeApiError('ResourceNotFoundException', 400, message);
/** An event pattern EventBridge cannot read. */
export const invalidEventPattern = (reason: string): EventBridgeApiError => new EventBridgeApiError('InvalidEventPatternException', 400, `Event pattern is not valid. Reason: ${reason}`);
/** An operation the embedded EventBridge does not offer. */
export const unknownOperation = (operation: string): EventBridgeApiError =>
  new EventBridgeApiError('UnknownOperationException', 400, `The operation ${operation} is not offered by the embedded EventBridge.`);
