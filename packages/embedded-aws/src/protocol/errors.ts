import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** An AWS error as the wire protocols carry it: HTTP status, error code (the SDK's `error.name`) and message. */
export interface AwsErrorShape {
  readonly status: number;
  /** AWS's error code, e.g. `ResourceNotFoundException`; the SDK v3 turns it into `error.name`. */
  readonly code: string;
  readonly message: string;
}

/** A fresh request id in the form AWS uses for most services. */
export function newRequestId(): string {
  return randomUUID();
}

/**
 * Writes an awsJson1_0 / awsJson1_1 error (DynamoDB, CloudWatch, Step Functions): the
 * `x-amzn-errortype` header plus a `{__type, message}` body, which is what the SDK reads the
 * error name from.
 *
 * `queryCompatible` adds the `x-amzn-query-error: Code;Sender` header that services migrated
 * from awsQuery (CloudWatch) send, so the SDK reports the awsQuery error code.
 */
export function sendAwsJsonError(
  response: ServerResponse,
  error: AwsErrorShape & { readonly jsonVersion?: '1.0' | '1.1'; readonly queryCompatible?: { readonly code: string; readonly fault: 'Sender' | 'Receiver' } },
): void {
  const body = JSON.stringify({ __type: error.code, message: error.message });
  const headers: Record<string, string | number> = {
    'content-type': `application/x-amz-json-${error.jsonVersion ?? '1.0'}`,
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': newRequestId(),
  };
  if (error.queryCompatible) headers['x-amzn-query-error'] = `${error.queryCompatible.code};${error.queryCompatible.fault}`;
  response.writeHead(error.status, headers);
  response.end(body);
}

/**
 * Writes a restJson1 error (Lambda): the `x-amzn-errortype` header plus a JSON body with
 * `message` and any service-specific `fields` (Lambda adds `Type: 'User'` or `'Service'`).
 */
export function sendRestJsonError(response: ServerResponse, error: AwsErrorShape & { readonly fields?: Readonly<Record<string, unknown>> }): void {
  const body = JSON.stringify({ ...error.fields, message: error.message });
  response.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': newRequestId(),
  });
  response.end(body);
}

/**
 * Writes an awsQuery error (SNS): an `<ErrorResponse>` XML document whose `Code` the SDK reports
 * as the error name. `fault` is `Sender` for the caller's mistakes, `Receiver` for the service's.
 */
export function sendAwsQueryError(response: ServerResponse, error: AwsErrorShape & { readonly fault?: 'Sender' | 'Receiver'; readonly xmlns?: string }): void {
  const requestId = newRequestId();
  const fault = error.fault ?? (error.status >= 500 ? 'Receiver' : 'Sender');
  const xmlns = error.xmlns ? ` xmlns="${escapeXml(error.xmlns)}"` : '';
  const body =
    `<ErrorResponse${xmlns}><Error><Type>${fault}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  response.writeHead(error.status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': requestId });
  response.end(body);
}

/**
 * Writes a restXml error the way S3 does: a bare `<Error>` document with `Code`, `Message`, any
 * `details` (`Key`, `BucketName`, …) and `RequestId`, plus the `x-amz-request-id` header.
 */
export function sendRestXmlError(response: ServerResponse, error: AwsErrorShape & { readonly details?: Readonly<Record<string, string>> }): void {
  const requestId = newRequestId().replace(/-/g, '').slice(0, 16).toUpperCase();
  const details = Object.entries(error.details ?? {}).map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`).join('');
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
    `${details}<RequestId>${requestId}</RequestId></Error>`;
  response.writeHead(error.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': requestId });
  response.end(body);
}

/** Escapes text for an XML element or attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
