import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeFault } from '../../faults';
import { sendRestXmlError } from '../../protocol/errors';
import type { AwsService, LocalContext, S3Internal } from '../../types';
import {
  createBucket, deleteBucket, deleteObjects, getBucketLocation, getBucketNotificationConfiguration, getBucketVersioning, headBucket, listBuckets,
  putBucketNotificationConfiguration, putBucketVersioning,
} from './bucket-handlers';
import { ownerOf, type S3Call, type S3Deps, type S3Handler } from './call';
import { S3ApiError, S3ObjectNotFoundError, s3Errors } from './errors';
import { createSequencer } from './event-records';
import { listObjects, listObjectsV2 } from './list-handlers';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, uploadPart } from './multipart-handlers';
import { openNotificationStore } from './notification-store';
import { createNotifier } from './notifier';
import { copyObject, deleteObject, getObject, headObject, putObject } from './object-handlers';
import { s3OperationOf, s3TargetOf } from './operations';
import { openObjectStore } from './open-store';

/** The S3 service, with its sibling API. */
export interface S3Service extends AwsService {
  readonly internal: S3Internal;
}

// Every operation the embedded S3 implements; any other answers NotImplemented (501).
const handlers: Readonly<Record<string, S3Handler>> = {
  ListBuckets: listBuckets, CreateBucket: createBucket, HeadBucket: headBucket, DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation, GetBucketVersioning: getBucketVersioning, PutBucketVersioning: putBucketVersioning,
  GetBucketNotificationConfiguration: getBucketNotificationConfiguration, PutBucketNotificationConfiguration: putBucketNotificationConfiguration,
  ListObjects: listObjects, ListObjectsV2: listObjectsV2, DeleteObjects: deleteObjects,
  PutObject: putObject, GetObject: getObject, HeadObject: headObject, DeleteObject: deleteObject, CopyObject: copyObject,
  CreateMultipartUpload: createMultipartUpload, UploadPart: uploadPart, CompleteMultipartUpload: completeMultipartUpload, AbortMultipartUpload: abortMultipartUpload,
};

// Operations whose `versionId` names a version of an object (the others have no such parameter).
const versionedOperations = new Set(['GetObject', 'HeadObject', 'DeleteObject']);

/**
 * The bucket of a virtual-hosted request (`my-bucket.localhost:4566`), which the SDK sends when
 * the endpoint is a host name and `forcePathStyle` is off; undefined for path style.
 */
function virtualHostBucket(host: string | undefined): string | undefined {
  const hostname = (host ?? '').replace(/:\d+$/, '');
  const match = /^(.+)\.localhost$/i.exec(hostname);
  return match?.[1];
}

/**
 * S3 (restXml), fledge's own: the operations of {@link handlers} over an {@link ObjectStore} in a
 * temporary directory removed at stop, or under `<dataDir>/s3/store` with the notification
 * configurations in `<dataDir>/s3/notifications.json`, every answered write flushed to disk. Path
 * style and virtual-hosted (`*.localhost`) addressing, `aws-chunked` uploads, upload checksums,
 * faults, and bucket notifications to Lambda with S3's own event records. Signatures are not
 * checked (see docs/local.md).
 */
export function createS3Service(context: LocalContext): S3Service {
  let deps: S3Deps | undefined;
  let temporaryRoot: string | undefined;
  const nextSequencer = createSequencer(() => context.clock.now());
  const notifier = createNotifier(context, () => deps?.notifications);

  const started = (): S3Deps => {
    if (!deps) throw new Error('S3: the service is not started');
    return deps;
  };

  const service: S3Service = {
    signingName: 's3',
    async start() {
      const durable = context.dataDir !== undefined;
      const root = context.dataDir === undefined ? (temporaryRoot = await mkdtemp(join(tmpdir(), 'fledge-s3-'))) : join(context.dataDir, 's3');
      const store = await openObjectStore(root, { durable, region: context.region, log: context.log });
      const notifications = await openNotificationStore(durable ? join(root, 'notifications.json') : undefined);
      deps = { context, store, notifications, owner: ownerOf(context.accountId), emit: () => undefined };
    },
    async handle(request, response, body) {
      const shared = started();
      // Not `new URL()`: it would resolve `..` segments of object keys away and change the request.
      const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split(/\?(.*)/s);
      const query = new URLSearchParams(rawQuery);
      const virtualBucket = virtualHostBucket(request.headers.host);
      const target = s3TargetOf(virtualBucket === undefined ? rawPath : `/${encodeURIComponent(virtualBucket)}${rawPath}`);
      const method = request.method ?? 'GET';
      const operation = s3OperationOf(method, target, query, request.headers);
      const fault = await takeFault(context, 's3', operation);
      if (fault) return sendRestXmlError(response, fault);
      const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
      const call: S3Call = { method, headers: request.headers, body, response, bucket: target.bucket, key: target.key, query, operation };
      const perCall: S3Deps = {
        ...shared,
        emit: (event) => notifier.notify({ ...event, time: context.clock.now(), sequencer: nextSequencer(), sourceIp }),
      };
      try {
        const handler = handlers[operation];
        if (!handler) throw s3Errors.notImplemented(operation === 'Unknown' ? `${method} ${rawPath}` : operation);
        const versionId = query.get('versionId');
        if (versionedOperations.has(operation) && versionId !== null && versionId !== 'null') {
          // Every bucket here is one that was never versioned: its objects have only the "null" version.
          if (target.bucket !== undefined && !shared.store.bucket(target.bucket)) throw s3Errors.noSuchBucket(target.bucket);
          throw s3Errors.noSuchVersion(target.key ?? '', versionId);
        }
        await handler(call, perCall);
      } catch (error) {
        if (error instanceof S3ApiError) return sendRestXmlError(response, error.wire);
        context.log(`S3: ${operation} failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
        if (!response.headersSent) sendRestXmlError(response, { status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' });
        else response.end();
      }
    },
    inspect(path) {
      if (path === 'notifications') return { deliveries: notifier.deliveries };
      const match = /^buckets\/([^/]+)\/notification$/.exec(path);
      if (match) return deps?.notifications.get(decodeURIComponent(match[1] as string)) ?? { targets: [], eventBridge: false };
      return undefined;
    },
    async stop() {
      deps = undefined;
      if (temporaryRoot !== undefined) await rm(temporaryRoot, { recursive: true, force: true });
      temporaryRoot = undefined;
    },
    internal: {
      async getObject(bucket, key, versionId) {
        const { store } = started();
        if (!store.bucket(bucket)) throw new S3ObjectNotFoundError('NoSuchBucket', bucket, key);
        if (versionId !== undefined && versionId !== 'null') throw new S3ObjectNotFoundError('NoSuchVersion', bucket, key);
        const found = await store.read(bucket, key);
        if (!found) throw new S3ObjectNotFoundError('NoSuchKey', bucket, key);
        return found.body;
      },
    },
  };
  return service;
}
