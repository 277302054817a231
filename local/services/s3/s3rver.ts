import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

// s3rver 3.7.1 ships no types; these are the parts fledge relies on (pinned exactly in package.json).

/** Object metadata as s3rver's filesystem store keeps it (`etag` is quoted, `content-length` a string). */
export type S3rverMetadata = Readonly<Record<string, string>>;

/** The filesystem store behind s3rver. */
export interface S3rverStore {
  getBucket(bucket: string): Promise<unknown>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  getMetadata(bucket: string, key: string): Promise<S3rverMetadata>;
  getObject(bucket: string, key: string): Promise<{ content: Readable | null; metadata: S3rverMetadata } | null>;
}

/** The S3 record s3rver emits on its `event` emitter (keys NOT URL-encoded, no eTag for copies). */
export interface S3rverEvent {
  readonly Records: readonly [{ readonly eventName: string; readonly s3: { readonly bucket: { readonly name: string }; readonly object: { readonly key: string; readonly size?: number } } }];
}

/** An s3rver app that never listens: the edge hands it requests. */
export interface S3rverApp extends EventEmitter {
  readonly store: S3rverStore;
  callback(): (request: IncomingMessage, response: ServerResponse) => Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * Creates s3rver (a Koa app) over `directory`, quiet, path-style only: the edge turns any
 * virtual-hosted request into path style before handing it over.
 */
export function createS3rver(directory: string): S3rverApp {
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverApp;
  return new S3rver({ directory, silent: true, vhostBuckets: false, serviceEndpoint: 'fledge.invalid', resetOnClose: false, allowMismatchedSignatures: true });
}
