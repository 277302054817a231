import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { newRequestId } from '../../protocol/errors';
import type { LocalContext } from '../../types';
import type { ObjectEvent } from './event-records';
import type { NotificationStore } from './notification-store';
import type { ObjectStore } from './object-store';

/** One S3 request, routed: what every operation handler gets. */
export interface S3Call {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly response: ServerResponse;
  /** Decoded; undefined for ListBuckets. */
  readonly bucket: string | undefined;
  /** Decoded; undefined for bucket operations. */
  readonly key: string | undefined;
  readonly query: URLSearchParams;
  readonly operation: string;
}

/** What the handlers share: the store, the notification configurations, and where object events go. */
export interface S3Deps {
  readonly context: LocalContext;
  readonly store: ObjectStore;
  readonly notifications: NotificationStore;
  /** Reports an object event (it goes to the matching notification configurations). */
  readonly emit: (event: Pick<ObjectEvent, 'eventName' | 'bucket' | 'key' | 'size' | 'eTag'>) => void;
  readonly owner: { readonly ID: string; readonly DisplayName: string };
}

/** Handles one S3 operation: answers on `call.response`, or throws an `S3ApiError` to be rendered. */
export type S3Handler = (call: S3Call, deps: S3Deps) => Promise<void>;

/** The canonical user id S3 reports as the owner of everything in an account. */
export function ownerOf(accountId: string): { ID: string; DisplayName: string } {
  return { ID: createHash('sha256').update(`fledge:${accountId}`).digest('hex'), DisplayName: 'fledge' };
}

function requestIdHeaders(): Record<string, string> {
  const id = newRequestId().replace(/-/g, '').slice(0, 16).toUpperCase();
  return { 'x-amz-request-id': id, 'x-amz-id-2': Buffer.from(id).toString('base64') };
}

/** Answers with an XML document. */
export function sendXml(response: ServerResponse, xml: string, headers: Readonly<Record<string, string | number>> = {}): void {
  response.writeHead(200, { ...requestIdHeaders(), 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml), ...headers });
  response.end(xml);
}

/** Answers with no body. */
export function sendEmpty(response: ServerResponse, status: number, headers: Readonly<Record<string, string | number>> = {}): void {
  response.writeHead(status, { ...requestIdHeaders(), 'content-length': 0, ...headers });
  response.end();
}

/** Answers with a body of bytes (GetObject). */
export function sendBytes(response: ServerResponse, status: number, body: Buffer, headers: Readonly<Record<string, string | number>>): void {
  response.writeHead(status, { ...requestIdHeaders(), ...headers, 'content-length': body.length });
  response.end(body);
}

/** A single-valued request header, or undefined. */
export function header(call: Pick<S3Call, 'headers'>, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Bucket and key of an object operation (the router only sends object operations requests with a key). */
export function objectTarget(call: S3Call): { bucket: string; key: string } {
  if (call.bucket === undefined || call.key === undefined) throw new TypeError(`S3: ${call.operation} needs a bucket and a key`);
  return { bucket: call.bucket, key: call.key };
}

/** Bucket of a bucket operation. */
export function bucketTarget(call: S3Call): string {
  if (call.bucket === undefined) throw new TypeError(`S3: ${call.operation} needs a bucket`);
  return call.bucket;
}
