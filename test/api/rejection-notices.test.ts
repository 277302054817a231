import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSpecObject } from '../../shared/adapters/s3-artifacts';
import { errorResponse } from '../../shared/interfaces/http/error-response';
import { handleApiRequest, type ApiDeps } from '../../shared/interfaces/http/api/routes';
import { TransientAwsError } from '../../shared/model/engine-errors';
import { sweep, SWEEP_DEFAULTS } from '../../shared/domain/deployment/sweeper';
import { expireStalledStart, START_GRACE_MS } from '../../shared/domain/starter/expire';
import { handleDrop, type DroppedObject } from '../../shared/domain/starter/s3-drop';
import { deploymentIdForIdempotencyKey } from '../../shared/domain/starter/ids';
import type { DeploymentStore } from '../../shared/ports/deployment-store';
import type { DeploymentNotification } from '../../shared/model/notification';
import type { Notifier } from '../../shared/ports/notifier';
import { existingFunction, guardAliases, historyOf, userCode } from '../support/engine';
import { s3ClientConfig } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { startInterfaces, preparedFunction, type InterfaceWorld } from './world';

/** A bucket without a notification: the drop tests hand the event to the drop handler themselves. */
const BUCKET = 'fledge-rejection-notices';
const DENIED = { service: 'states', operation: 'StartExecution', kind: 'error', code: 'AccessDeniedException', status: 400, message: 'User is not authorized to perform: states:StartExecution', count: 1 } as const;

type ErrorBody = { error: { code: string; message: string; retryable?: boolean; details?: { deploymentId?: string; status?: string } } };

function yamlSpec(name: string, zip = `${name}/v2.zip`): string {
  return `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: ${zip}\nstrategy:\n  preset: AllAtOnce\ntimeout: 6h\n`;
}

/** The real SNS notifier, remembering what it delivered: SNS's own delivery is asynchronous, this count is not. */
class CountingNotifier implements Notifier {
  readonly sent: DeploymentNotification[] = [];
  constructor(private readonly inner: Notifier) {}
  async notify(notification: DeploymentNotification): Promise<void> {
    await this.inner.notify(notification);
    this.sent.push(notification);
  }
  about(deploymentId: string): string[] {
    return this.sent.filter((n) => n.deploymentId === deploymentId).map((n) => n.kind);
  }
}

/** The real store, with one method failing the next `times` calls as the adapter reports a throttled write. */
function failingStore(store: DeploymentStore, method: 'appendEvent', times: number): DeploymentStore {
  let left = times;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (property !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        if (left > 0) {
          left -= 1;
          throw new TransientAwsError(`${method}: ThrottlingException (injected by the test)`);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('a deployment refused at the door ends REJECTED with one rejected notification, whichever door', () => {
  let world: InterfaceWorld;
  let s3: S3Client;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startInterfaces({ timeScale: 0.05 });
    s3 = new S3Client({ ...s3ClientConfig(world.aws), maxAttempts: 3 });
    await world.plane.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterEach(() => {
    world.aws.faults.clear();
  });
  afterAll(async () => {
    s3?.destroy();
    await world?.stop();
  });

  function apiDeps(overrides: Partial<ApiDeps> = {}): ApiDeps & { notifier: CountingNotifier } {
    return { ...world.interfaceDeps, ...overrides, notifier: new CountingNotifier(world.interfaceDeps.notifier) };
  }

  /** `POST /deployments` through the API's router and error mapping, as the HTTP handler calls them. */
  async function post(deps: ApiDeps, name: string, key?: string): Promise<{ status: number; body: ErrorBody }> {
    const request = { method: 'POST', path: '/deployments', query: {}, headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body: Buffer.from(JSON.stringify({ spec: yamlSpec(name) })), requestId: 'test' };
    try {
      const response = await handleApiRequest(deps, request);
      return { status: response.statusCode, body: JSON.parse(response.body ?? "{}") as ErrorBody };
    } catch (error) {
      const { response } = errorResponse(error, 'test');
      return { status: response.statusCode, body: JSON.parse(response.body ?? "{}") as ErrorBody };
    }
  }

  /** A spec and its zip under `deployments/<name>/`, and the S3 event of the spec's upload. */
  async function dropped(name: string): Promise<DroppedObject> {
    await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `deployments/${name}/function.zip`, Body: functionZip(userCode('v2')) }));
    const key = `deployments/${name}/spec.yaml`;
    const out = await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: yamlSpec(name, 'function.zip') }));
    return { eventName: 'ObjectCreated:Put', bucket: BUCKET, key, eTag: out.ETag!.replace(/"/g, ''), region: world.aws.region };
  }

  it('API: notifies once a deployment Step Functions refuses for good, answers 422 StartFailed without a retry hint, and a replay of the same Idempotency-Key notifies nothing again', async () => {
    // Prepare
    const name = await preparedFunction(world, touch('notice-api-denied-fn'));
    const key = `release-${name}`;
    const id = deploymentIdForIdempotencyKey('local', key);
    const deps = apiDeps();
    world.aws.faults.add(DENIED);

    // Act
    const first = await post(deps, name, key);
    const replayed = await post(deps, name, key);
    const again = await post(deps, name, key);

    // Assess
    expect(deps.notifier.about(id)).toEqual(['rejected']);
    expect(first.status).toBe(422);
    expect(first.body.error).toMatchObject({ code: 'StartFailed', details: { deploymentId: id, status: 'REJECTED' } });
    expect(first.body.error.retryable).toBeUndefined();
    expect(first.body.error.message).not.toMatch(/AccessDenied|not authorized/);
    expect([replayed.status, again.status]).toEqual([409, 409]);
    expect(replayed.body.error.code).toBe('DeploymentFinished');
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'REJECTED', notified: ['outcome'] });
    expect(record!.reason).toContain('Step Functions would not start the execution');
    expect(record!.unsettled).toBeUndefined();
    expect((await historyOf(world, id)).map((e) => e.kind)).toEqual(['rejected']);
    expect(deps.notifier.sent[0]).toMatchObject({ functionName: name, alias: 'live', startedBy: 'local', reason: record!.reason });
  });

  it('API: a rejection whose notification SNS refused is still answered as refused, and the replay of the same Idempotency-Key sends it, once', async () => {
    // Prepare
    const name = await preparedFunction(world, touch('notice-api-sns-fn'));
    const key = `release-${name}`;
    const id = deploymentIdForIdempotencyKey('local', key);
    const deps = apiDeps();
    world.aws.faults.add(DENIED);
    world.aws.faults.add({ service: 'sns', operation: 'Publish', kind: 'throttle', count: 3 });

    // Act
    const first = await post(deps, name, key);
    const left = await world.plane.deps.store.getDeployment(id);
    const replayed = await post(deps, name, key);
    const again = await post(deps, name, key);

    // Assess
    expect(deps.notifier.about(id)).toEqual(['rejected']);
    expect(first.status).toBe(422);
    expect(first.body.error.code).toBe('StartFailed');
    expect(left).toMatchObject({ status: 'REJECTED', unsettled: [expect.stringContaining('notify')] });
    expect(left!.notified).toBeUndefined();
    expect([replayed.status, again.status]).toEqual([409, 409]);
    expect(await world.plane.deps.store.getDeployment(id)).toMatchObject({ status: 'REJECTED', notified: ['outcome'] });
    // One ending; SNS's refusal is in the history too (never fatal, always visible: docs/events.md).
    expect((await historyOf(world, id)).map((e) => e.kind)).toEqual(['rejected', 'notificationFailed']);
  });

  it('API: notifies the deployment it REJECTs when Step Functions failed and, without an Idempotency-Key, nobody can resume it', async () => {
    // Prepare
    const name = await preparedFunction(world, touch('notice-api-nokey-fn'));
    const deps = apiDeps();
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'throttle', count: 3 });

    // Act
    const answer = await post(deps, name);
    const [record] = (await world.plane.deps.store.listDeployments({ functionName: name, limit: 10 })).items;

    // Assess
    expect(deps.notifier.about(record!.deploymentId)).toEqual(['rejected']);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: 'TryAgain', retryable: true });
    expect(record).toMatchObject({ status: 'REJECTED', notified: ['outcome'] });
    expect((await historyOf(world, record!.deploymentId)).map((e) => e.kind)).toEqual(['rejected']);
  });

  it('drop: notifies once a drop Step Functions refuses for good, also when the history write failed and S3 delivers the event again', async () => {
    // Prepare
    const name = touch('notice-drop-denied-fn');
    await existingFunction(world, name);
    const object = await dropped(name);
    const notifier = new CountingNotifier(world.interfaceDeps.notifier);
    const deps = { ...world.interfaceDeps, notifier, store: failingStore(world.interfaceDeps.store, 'appendEvent', 1), readSpec: (o: { bucket: string; key: string }) => readSpecObject(s3, o) };
    world.aws.faults.add(DENIED);

    // Act
    const first = await handleDrop(deps, object).then((outcome) => outcome.kind, (error: Error) => error.name);
    const retried = await handleDrop(deps, object);
    const again = await handleDrop(deps, object);

    // Assess
    const id = 'record' in retried && retried.record ? retried.record.deploymentId : '';
    expect(notifier.about(id)).toEqual(['rejected']);
    expect(first).toBe('fledge.StartInterrupted');
    expect(retried).toMatchObject({ kind: 'ended', duplicate: true });
    expect(again).toMatchObject({ kind: 'ended', duplicate: true });
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'REJECTED', functionName: name, notified: ['outcome'] });
    expect(record!.unsettled).toBeUndefined();
    expect((await historyOf(world, id)).map((e) => e.kind)).toEqual(['rejected']);
  });

  it('repair loop: a start that stalled past its deadline while SNS failed is REJECTED at once, and the next sweep sends its one notice', async () => {
    // Prepare: a start Step Functions never confirmed, without a key to resume it, left PENDING.
    const name = await preparedFunction(world, touch('notice-expired-fn'));
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'serverError', count: 3 });
    world.aws.faults.add({ service: 'states', operation: 'DescribeExecution', kind: 'serverError', count: 3 });
    await post(apiDeps(), name);
    world.aws.faults.clear();
    const [pending] = (await world.plane.deps.store.listDeployments({ functionName: name, limit: 10 })).items;
    const later = { now: () => world.plane.deps.clock.now() + START_GRACE_MS, sleep: (ms: number) => world.plane.deps.clock.sleep(ms) };
    const notifier = new CountingNotifier(world.plane.deps.notifier);
    world.aws.faults.add({ service: 'sns', operation: 'Publish', kind: 'throttle', count: 3 });

    // Act
    const expired = await expireStalledStart({ ...world.interfaceDeps, notifier, clock: later }, pending!);
    const left = await world.plane.deps.store.getDeployment(pending!.deploymentId);
    const toldAtExpiry = notifier.about(pending!.deploymentId);
    world.aws.faults.clear();
    // The sweeper leaves an ending to whoever ended it for its grace period (docs/reliability.md): its run comes after.
    const afterGrace = { now: () => later.now() + SWEEP_DEFAULTS.graceMs + 1_000, sleep: later.sleep };
    const repairLoop = { ...world.plane.deps, notifier, clock: afterGrace };
    const options = { ...SWEEP_DEFAULTS, stalledStart: (record: Parameters<typeof expireStalledStart>[1]) => expireStalledStart(repairLoop, record) };
    await sweep(repairLoop, options);
    await sweep(repairLoop, options);

    // Assess
    expect(pending).toMatchObject({ status: 'PENDING' });
    expect(expired.kind).toBe('expired');
    expect(left).toMatchObject({ status: 'REJECTED', unsettled: [expect.stringContaining('notify')] });
    expect(toldAtExpiry).toEqual([]);
    expect(notifier.about(pending!.deploymentId)).toEqual(['rejected']);
    const record = await world.plane.deps.store.getDeployment(pending!.deploymentId);
    expect(record).toMatchObject({ status: 'REJECTED', notified: ['outcome'] });
    expect(record!.unsettled).toBeUndefined();
    // One ending; SNS's refusal is in the history too (never fatal, always visible: docs/events.md).
    expect((await historyOf(world, pending!.deploymentId)).map((e) => e.kind)).toEqual(['rejected', 'notificationFailed']);
  });
});
