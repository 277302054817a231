/**
 * CloudWatch API errors as the embedded CloudWatch renders them. The SDK client is
 * `awsQueryCompatible`, so the error code it surfaces comes from the `x-amzn-query-error`
 * header (`Code;Sender`), and the exception class is the model shape carrying that code.
 */
export class CloudWatchApiError extends Error {
  /** Query-protocol error code (`ValidationError`, `ResourceNotFound`, …): what the SDK calls `Code`. */
  readonly code: string;
  /** Smithy shape name put in `__type` (`ValidationException`, …). */
  readonly shape: string;
  readonly status: number;

  constructor(code: string, shape: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CloudWatchApiError';
    this.code = code;
    this.shape = shape;
    this.status = status;
  }

  /** `Sender` for client faults, `Receiver` for server faults, as the query protocol spells it. */
  get faultType(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** A request that breaks a rule of the API (bad expression, bad time range, …). */
export const validationError = (message: string): CloudWatchApiError => new CloudWatchApiError('ValidationError', 'ValidationException', 400, message);
/** A parameter with a value outside what the API accepts. */
export const invalidParameterValue = (message: string): CloudWatchApiError => new CloudWatchApiError('InvalidParameterValue', 'InvalidParameterValueException', 400, message);
/** Parameters that cannot be used together. */
export const invalidParameterCombination = (message: string): CloudWatchApiError => new CloudWatchApiError('InvalidParameterCombination', 'InvalidParameterCombinationException', 400, message);
/** A required parameter that is absent. */
export const missingParameter = (message: string): CloudWatchApiError => new CloudWatchApiError('MissingParameter', 'MissingRequiredParameterException', 400, message);
/** Data that is not in the required format (StateReasonData that is not JSON). */
export const invalidFormat = (message: string): CloudWatchApiError => new CloudWatchApiError('InvalidFormat', 'InvalidFormatFault', 400, message);
/** An alarm that does not exist. */
export const resourceNotFound = (message: string): CloudWatchApiError => new CloudWatchApiError('ResourceNotFound', 'ResourceNotFound', 404, message);
/** A NextToken this service did not hand out. */
export const invalidNextToken = (message: string): CloudWatchApiError => new CloudWatchApiError('InvalidNextToken', 'InvalidNextToken', 400, message);
/** An operation the embedded CloudWatch does not offer. */
export const invalidAction = (operation: string): CloudWatchApiError => new CloudWatchApiError('InvalidAction', 'InvalidAction', 400, `The action ${operation} is not valid for this web service (the embedded CloudWatch does not implement it).`);
