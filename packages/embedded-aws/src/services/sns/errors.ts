import type { AwsErrorShape } from '../../protocol';

/**
 * An SNS API error as the embedded SNS renders it (awsQuery XML). `code` is the query-protocol
 * code (`NotFound`, `InvalidParameter`, …), which the SDK maps to its exception class
 * (`NotFoundException`, `InvalidParameterException`, …).
 */
export class SnsApiError extends Error implements AwsErrorShape {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnsApiError';
    this.code = code;
    this.status = status;
  }
}

/** A parameter that is missing or has a value SNS refuses; the message names it, as SNS's do. */
export const invalidParameter = (message: string): SnsApiError => new SnsApiError('InvalidParameter', 400, `Invalid parameter: ${message}`);
/** A topic or subscription that does not exist. */
export const notFound = (message: string): SnsApiError => new SnsApiError('NotFound', 404, message);
/** An operation the embedded SNS does not offer. */
export const invalidAction = (action: string): SnsApiError => new SnsApiError('InvalidAction', 400, `The action ${action} is not valid for this web service (the embedded SNS does not implement it).`);
