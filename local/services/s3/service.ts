import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { takeFault } from '../../faults';
import { sendRestXmlError } from '../../protocol/errors';
import type { AwsService, LocalContext, S3Internal } from '../../types';
import { S3ObjectNotFoundError } from './errors';
import { createSequencer } from './event-records';
import { openNotificationStore, type NotificationStore } from './notification-store';
import { notificationConfigurationXml, NotificationConfigurationError, parseNotificationConfiguration } from './notifications';
import { s3OperationOf, s3TargetOf, type S3Target } from './operations';
import { createNotifier } from './notifier';
import { createS3rver, type S3rverApp, type S3rverEvent } from './s3rver';
import { toS3rverRequest } from './to-s3rver';

// Bucket sub-resources s3rver recognises (its bucket controller's METHODS); others it mistakes for CreateBucket.
const s3rverBucketSubresources = new Set(['acl', 'analytics', 'cors', 'delete', 'encryption', 'inventory', 'lifecycle', 'location', 'metrics', 'notification', 'object-lock', 'policy', 'policyStatus', 'publicAccessBlock', 'replication', 'requestPayment', 'tagging', 'uploads', 'versions', 'website']);

/** The S3 service, with its sibling API. */
export interface S3Service extends AwsService {
  readonly internal: S3Internal;
}

/**
 * S3 (restXml) on s3rver, in process. Objects live in a temporary directory removed at stop, or
 * under `<dataDir>/s3/buckets` with the notification configurations in
 * `<dataDir>/s3/notifications.json`. In front of s3rver: SigV4 stripping (s3rver only knows its
 * own key), `aws-chunked` decoding, virtual-hosted addressing on `*.localhost`, faults, and bucket
 * notifications to Lambda with S3's own event records.
 */
export function createS3Service(context: LocalContext): S3Service {
  let app: S3rverApp | undefined;
  let forward: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
  let notifications: NotificationStore | undefined;
  let temporaryRoot: string | undefined;
  const nextSequencer = createSequencer(() => context.clock.now());
  const requestScope = new AsyncLocalStorage<{ operation: string; sourceIp: string }>();
  const notifier = createNotifier(context, () => notifications);

  const started = (): { app: S3rverApp; forward: NonNullable<typeof forward>; notifications: NotificationStore } => {
    if (!app || !forward || !notifications) throw new Error('S3: the service is not started');
    return { app, forward, notifications };
  };

  // s3rver's own records are not encoded and lack eTags for copies: take only what happened from them.
  const onS3rverEvent = (raw: S3rverEvent): void => {
    const scope = requestScope.getStore();
    const record = raw.Records[0];
    const bucket = record.s3.bucket.name;
    const key = record.s3.object.key;
    const eventName = scope?.operation === 'CompleteMultipartUpload' ? 'ObjectCreated:CompleteMultipartUpload' : record.eventName;
    const base = { eventName, bucket, key, time: context.clock.now(), sequencer: nextSequencer(), sourceIp: scope?.sourceIp ?? '127.0.0.1' };
    if (!eventName.startsWith('ObjectCreated:')) return notifier.notify(base);
    void started().app.store.getMetadata(bucket, key).then(
      (metadata) => notifier.notify({ ...base, size: Number(metadata['content-length']), eTag: (metadata.etag ?? '').replace(/"/g, '') }),
      (error: unknown) => context.log(`S3: cannot read s3://${bucket}/${key} for its notification: ${(error as Error).message}`),
    );
  };

  const handleNotificationConfiguration = async (operation: string, target: S3Target, response: ServerResponse, body: Buffer): Promise<void> => {
    const { app: s3, notifications: store } = started();
    const bucket = target.bucket as string;
    if (!(await s3.store.getBucket(bucket))) {
      return sendRestXmlError(response, { status: 404, code: 'NoSuchBucket', message: 'The specified bucket does not exist', details: { BucketName: bucket } });
    }
    if (operation === 'GetBucketNotificationConfiguration') {
      const xml = notificationConfigurationXml(store.get(bucket));
      response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
      response.end(xml);
      return;
    }
    try {
      await store.put(bucket, parseNotificationConfiguration(body.toString('utf8')));
    } catch (error) {
      if (error instanceof NotificationConfigurationError) return sendRestXmlError(response, { status: 400, code: error.code, message: error.message });
      throw error;
    }
    response.writeHead(200, { 'content-length': 0 });
    response.end();
  };

  const service: S3Service = {
    signingName: 's3',
    async start() {
      let root: string;
      if (context.dataDir === undefined) {
        root = temporaryRoot = await mkdtemp(join(tmpdir(), 'fledge-s3-'));
      } else {
        root = join(context.dataDir, 's3');
      }
      const objects = join(root, 'buckets');
      await mkdir(objects, { recursive: true });
      notifications = await openNotificationStore(context.dataDir === undefined ? undefined : join(root, 'notifications.json'));
      app = createS3rver(objects);
      app.on('event', onS3rverEvent);
      app.on('error', (error: Error & { status?: number }) => {
        if ((error.status ?? 500) >= 500) context.log(`S3: ${error.stack ?? error.message}`);
      });
      forward = app.callback();
    },
    async handle(request, response, body) {
      const { app: s3, forward: s3rver, notifications: store } = started();
      // Not `new URL()`: it would resolve `..` segments of object keys away and change the request.
      const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split(/\?(.*)/s);
      const query = new URLSearchParams(rawQuery);
      const virtualBucket = virtualHostBucket(request.headers.host);
      const pathname = virtualBucket === undefined ? rawPath : `/${encodeURIComponent(virtualBucket)}${rawPath}`;
      const target = s3TargetOf(pathname);
      const method = request.method ?? 'GET';
      const operation = s3OperationOf(method, target, query, request.headers);
      const fault = await takeFault(context, 's3', operation);
      if (fault) return sendRestXmlError(response, fault);
      if (target.key !== undefined && target.key.split('/').some((segment) => segment === '.' || segment === '..')) {
        // s3rver keeps objects as files named by their keys: such a key would escape its directory.
        return sendRestXmlError(response, { status: 400, code: 'InvalidArgument', message: `The embedded S3 refuses keys with '.' or '..' path segments: ${target.key}` });
      }
      if (operation === 'PutBucketNotificationConfiguration' || operation === 'GetBucketNotificationConfiguration') {
        return handleNotificationConfiguration(operation, target, response, body);
      }
      const unversioned = await answerVersioning(s3, operation, target, query, response);
      if (unversioned) return;
      if (method === 'PUT' && target.key === undefined && [...query.keys()].some((name) => !name.startsWith('X-Amz-') && !s3rverBucketSubresources.has(name))) {
        // s3rver would take a bucket sub-resource it does not know (?logging, ?accelerate) for CreateBucket.
        return sendRestXmlError(response, { status: 501, code: 'NotImplemented', message: `The embedded S3 does not implement ${operation === 'CreateBucket' ? `PUT ?${[...query.keys()].join('&')}` : operation} (see docs/local.md)` });
      }

      const prepared = toS3rverRequest({ original: request, body, pathname, query, operation, virtualBucket });
      if ('error' in prepared) return sendRestXmlError(response, prepared.error);
      const removed = operation === 'DeleteObjects' && target.bucket !== undefined ? await existingKeysToDelete(s3, target.bucket, prepared.body) : [];
      await requestScope.run({ operation, sourceIp: request.socket.remoteAddress ?? '127.0.0.1' }, () => s3rver(prepared.replay, response));

      if (response.statusCode < 300 && target.bucket !== undefined) {
        // s3rver emits no events for multi-object deletes, and keeps no notification configuration.
        for (const key of removed) notifier.notify({ eventName: 'ObjectRemoved:Delete', bucket: target.bucket, key, time: context.clock.now(), sequencer: nextSequencer(), sourceIp: request.socket.remoteAddress ?? '127.0.0.1' });
        if (operation === 'DeleteBucket') await store.delete(target.bucket);
      }
    },
    inspect(path) {
      if (path === 'notifications') return { deliveries: notifier.deliveries };
      const match = /^buckets\/([^/]+)\/notification$/.exec(path);
      if (match) return notifications?.get(decodeURIComponent(match[1] as string)) ?? { targets: [], eventBridge: false };
      return undefined;
    },
    async stop() {
      app?.removeAllListeners('event');
      app = undefined;
      forward = undefined;
      if (temporaryRoot !== undefined) await rm(temporaryRoot, { recursive: true, force: true });
      temporaryRoot = undefined;
    },
    internal: {
      async getObject(bucket, key, versionId) {
        const { app: s3 } = started();
        // s3rver has no versioning: the only version of an object is the "null" version.
        if (versionId !== undefined && versionId !== 'null') throw new S3ObjectNotFoundError('NoSuchVersion', bucket, key);
        if (!(await s3.store.getBucket(bucket))) throw new S3ObjectNotFoundError('NoSuchBucket', bucket, key);
        const object = await s3.store.getObject(bucket, key);
        if (!object?.content) throw new S3ObjectNotFoundError('NoSuchKey', bucket, key);
        const chunks: Buffer[] = [];
        for await (const chunk of object.content) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      },
    },
  };
  return service;
}

/**
 * The bucket of a virtual-hosted request (`my-bucket.localhost:4566`), which the SDK sends when
 * the endpoint is a host name and `forcePathStyle` is off; undefined for path style.
 */
function virtualHostBucket(host: string | undefined): string | undefined {
  const hostname = (host ?? '').replace(/:\d+$/, '');
  const match = /^(.+)\.localhost$/i.exec(hostname);
  return match?.[1];
}

const deleteParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'Object' });

/** Keys of a DeleteObjects request that exist now, so each can be reported as removed. */
async function existingKeysToDelete(app: S3rverApp, bucket: string, body: Buffer): Promise<string[]> {
  let objects: { Key?: unknown }[];
  try {
    objects = ((deleteParser.parse(body.toString('utf8')) as { Delete?: { Object?: { Key?: unknown }[] } }).Delete?.Object) ?? [];
  } catch {
    return []; // s3rver answers MalformedXML itself
  }
  const keys = objects.map((object) => String(object.Key ?? ''));
  const exists = await Promise.all(keys.map((key) => app.store.existsObject(bucket, key).catch(() => false)));
  return keys.filter((_, index) => exists[index]);
}

/**
 * s3rver has no versioning, and mistakes `?versioning` for CreateBucket/ListObjects and ignores
 * `versionId`. Answers those requests as an S3 bucket that was never versioned does, refusing to
 * turn versioning on; returns whether it answered.
 */
async function answerVersioning(app: S3rverApp, operation: string, target: S3Target, query: URLSearchParams, response: ServerResponse): Promise<boolean> {
  const versionId = query.get('versionId');
  const versioningCall = operation === 'GetBucketVersioning' || operation === 'PutBucketVersioning';
  if (!versioningCall && (versionId === null || versionId === 'null')) return false;
  if (target.bucket !== undefined && !(await app.store.getBucket(target.bucket))) {
    sendRestXmlError(response, { status: 404, code: 'NoSuchBucket', message: 'The specified bucket does not exist', details: { BucketName: target.bucket } });
  } else if (operation === 'GetBucketVersioning') {
    const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>';
    response.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) });
    response.end(xml);
  } else if (operation === 'PutBucketVersioning') {
    sendRestXmlError(response, { status: 501, code: 'NotImplemented', message: 'The embedded S3 does not support object versioning: it keeps one version per key (see docs/local.md)' });
  } else {
    sendRestXmlError(response, { status: 404, code: 'NoSuchVersion', message: 'The specified version does not exist.', details: { Key: target.key ?? '', VersionId: versionId ?? '' } });
  }
  return true;
}
