import { LocalAwsError } from '../../errors';

/**
 * An error the embedded Lambda answers a client with: AWS's error code (the SDK's `error.name`),
 * HTTP status and message, plus the extra body fields Lambda sends (`Type`, `Reason`).
 * Lambda's 404 and 500 errors spell their message member `Message`, the others `message`;
 * both are sent for those so every SDK reads it.
 */
export class LambdaApiError extends LocalAwsError {
  override readonly name: string = 'LambdaApiError';

  constructor(
    /** AWS's error code, e.g. `ResourceNotFoundException`. */
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra members of the error body (`Type`, `Reason`, `Message`). */
    readonly fields: Readonly<Record<string, unknown>> = {},
    /** Extra response headers (`Retry-After`). */
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const user = { Type: 'User' } as const;

/** 404: the function, version or alias does not exist. */
export const resourceNotFound = (message: string): LambdaApiError => new LambdaApiError('ResourceNotFoundException', 404, message, { ...user, Message: message });

/** 409: a resource of that name exists, or an update is in progress. */
export const resourceConflict = (message: string): LambdaApiError => new LambdaApiError('ResourceConflictException', 409, message, user);

/** 412: the RevisionId given is not the current one. */
export const preconditionFailed = (): LambdaApiError =>
  new LambdaApiError('PreconditionFailedException', 412, 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id', user);

/** 400: a parameter has a value Lambda refuses. */
export const invalidParameter = (message: string, options?: { cause?: unknown }): LambdaApiError =>
  new LambdaApiError('InvalidParameterValueException', 400, message, user, {}, options);

/** 400: the request fails the API model's constraints (pattern, range, enum), before any business rule. */
export const validation = (message: string): LambdaApiError => new LambdaApiError('ValidationException', 400, message);

/** 400: the request body is not the JSON the operation expects. */
export const invalidRequestContent = (message: string): LambdaApiError => new LambdaApiError('InvalidRequestContentException', 400, message, user);

/** 500: the service failed. */
export const serviceException = (message: string, options?: { cause?: unknown }): LambdaApiError =>
  new LambdaApiError('ServiceException', 500, message, { Type: 'Service', Message: message }, {}, options);

/** The one-line form of AWS's "1 validation error detected" message. */
export function validationMessage(value: unknown, member: string, constraint: string): string {
  const shown = value === null || value === undefined ? 'null' : `'${String(value)}'`;
  return `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`;
}
