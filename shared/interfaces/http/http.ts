/**
 * The API Gateway HTTP API payload format 2.0, as far as fledge reads it. Declared here (not
 * from `@types/aws-lambda`) so the domain stays free of AWS packages; `local/api-server.ts`
 * produces the same shape.
 */
export interface HttpApiEvent {
  readonly version?: string;
  readonly routeKey?: string;
  readonly rawPath: string;
  readonly rawQueryString?: string;
  readonly cookies?: readonly string[];
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>>;
  readonly pathParameters?: Readonly<Record<string, string | undefined>>;
  readonly requestContext: {
    readonly requestId?: string;
    readonly http: { readonly method: string; readonly path?: string; readonly sourceIp?: string; readonly userAgent?: string };
    /** Present on routes with IAM authorisation. */
    readonly authorizer?: { readonly iam?: { readonly userArn?: string; readonly userId?: string; readonly accountId?: string; readonly callerId?: string } };
  };
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/** A structured HTTP API response (payload 2.0). */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/** A request after normalisation: lower-case headers, decoded body, decoded query. */
export interface HttpRequest {
  readonly method: string;
  /** Path without the stage, percent-decoding left to the router (ids may contain `/`-free escapes). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /**
   * The query string as sent, not decoded: where one spelling matters (an approval link's
   * signature) or a repeated key must be noticed, which `query` (last value wins) hides.
   */
  readonly rawQuery?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly requestId: string;
  /** The IAM caller (`userArn`) on IAM-authorised routes; undefined when the route is public or local. */
  readonly caller?: string;
}

/**
 * Largest request body accepted (API Gateway's own limit is 10 MB). A spec may have 256 KiB
 * (the parser's limit); wrapped in a JSON string its escapes can make it larger.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Normalises a payload-2.0 event. Header names are case-insensitive; repeated query keys keep the last value. */
export function toHttpRequest(event: HttpApiEvent, fallbackRequestId: string): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(event.rawQueryString ?? '')) query[name] = value;
  const body = event.body === undefined || event.body === null ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  const caller = event.requestContext.authorizer?.iam?.userArn;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query,
    rawQuery: event.rawQueryString ?? '',
    headers,
    body,
    requestId: event.requestContext.requestId ?? fallbackRequestId,
    ...(caller ? { caller } : {}),
  };
}

/**
 * The query parameters given more than once in `rawQuery` (decoded), which
 * {@link HttpRequest.query} hides by keeping the last value.
 */
export function repeatedQueryNames(rawQuery: string | undefined): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [name] of new URLSearchParams(rawQuery ?? '')) (seen.has(name) ? repeated : seen).add(name);
  return [...repeated];
}

/** A JSON response. */
export function json(statusCode: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }, body: JSON.stringify(value) };
}

/**
 * Headers of every approval page: nothing cached, nothing framed, no script, forms only to
 * ourselves, and no Referer — the URL carries the link's signature.
 */
export const HTML_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/** An HTML response. */
export function html(statusCode: number, body: string): HttpResponse {
  return { statusCode, headers: HTML_HEADERS, body };
}
