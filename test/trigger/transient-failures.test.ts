import { InvokeCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createTrigger } from '../../functions/s3-trigger';
import { readSpecObject, S3ArtifactInspector } from '../../shared/adapters/s3-artifacts';
import type { DeploymentRecord } from '../../shared/model/deployment';
import { expireStalledStart, START_GRACE_MS } from '../../shared/domain/starter/expire';
import { deploymentIdForObject } from '../../shared/domain/starter/ids';
import { existingFunction, executionEnd, guardAliases, historyOf, mailTo, recordStatus, subscribeEmail, userCode } from '../support/engine';
import { eventually, s3ClientConfig } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { startInterfaces, type InterfaceWorld } from '../api/world';

const TRIGGER = 'fledge-s3-trigger';
const OPS = 'ops-transient@example.com';
/** A bucket without a notification: each test delivers the S3 event itself, as often as S3's retries would. */
const BUCKET = 'fledge-quiet-drops';

function specYaml(name: string): string {
  return `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: function.zip\nstrategy:\n  preset: AllAtOnce\ntimeout: 6h\n`;
}

describe('the S3 drop when AWS fails', () => {
  let world: InterfaceWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    // A slower clock than the engine suites': the start grace (15 simulated minutes) lasts 45 real
    // seconds, far longer than any retry here, so only the tests that mean to pass it do.
    world = await startInterfaces({ timeScale: 0.05 });
    const s3 = new S3Client({ ...s3ClientConfig(world.aws), maxAttempts: 3 });
    world.aws.services.lambda.registerInProcessFunction({
      functionName: TRIGGER,
      timeout: 900,
      handler: createTrigger({ ...world.interfaceDeps, artifacts: new S3ArtifactInspector(s3), readSpec: (object) => readSpecObject(s3, object) }),
    });
    await world.plane.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await subscribeEmail(world, world.plane.notificationTopicArn, OPS);
  });
  afterEach(() => {
    world.aws.faults.clear();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** Uploads a function's zip and its spec under `deployments/<folder>/`; returns the spec's key, S3 event and deployment id. */
  async function prepared(folder: string, name: string, spec = specYaml(name)) {
    await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `deployments/${folder}/function.zip`, Body: functionZip(userCode('v2')) }));
    const key = `deployments/${folder}/spec.yaml`;
    const out = await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: spec }));
    const eTag = out.ETag!.replace(/"/g, '');
    const event = { Records: [{ eventName: 'ObjectCreated:Put', awsRegion: world.aws.region, s3: { bucket: { name: BUCKET }, object: { key, eTag } } }] };
    return { key, event, id: deploymentIdForObject({ bucket: BUCKET, key, eTag }) };
  }

  /** One delivery of the event to the trigger, as S3's asynchronous invocation (or its retry) makes it. */
  async function deliver(event: unknown): Promise<{ failed: boolean; errorType?: string }> {
    const reply = await world.lambda.send(new InvokeCommand({ FunctionName: TRIGGER, Payload: Buffer.from(JSON.stringify(event)) }));
    const payload = JSON.parse(Buffer.from(reply.Payload ?? new Uint8Array()).toString() || '{}') as { errorType?: string };
    return { failed: reply.FunctionError !== undefined, ...(reply.FunctionError ? { errorType: payload.errorType } : {}) };
  }

  async function executionsNamed(name: string) {
    const out = await world.plane.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: world.plane.stateMachineArn, maxResults: 1000 }));
    return (out.executions ?? []).filter((e) => e.name === name);
  }

  async function record(id: string): Promise<DeploymentRecord | undefined> {
    return world.plane.deps.store.getDeployment(id);
  }

  /** The starter's ports as the repair loop would hold them, once the start grace has passed. */
  function repairLoopAfterGrace() {
    const deps = world.interfaceDeps;
    return { ...deps, clock: { now: () => deps.clock.now() + START_GRACE_MS, sleep: (ms: number) => deps.clock.sleep(ms) } };
  }

  async function mailsAbout(id: string) {
    return (await mailTo(world, OPS)).filter((m) => m.body.includes(id));
  }

  it('holds the place of a drop whose spec S3 throttles past the SDK retries, and starts it once on S3’s retry of the event', async () => {
    // Prepare
    const name = touch('throttled-read-fn');
    await existingFunction(world, name);
    const { event, id } = await prepared('throttled-read', name);
    world.aws.faults.add({ service: 's3', operation: 'GetObject', kind: 'throttle', count: 3 });

    // Act
    const first = await deliver(event);
    const held = await record(id);
    const retried = await deliver(event);
    const started = await record(id);
    await executionEnd(world, started!.executionArn!);

    // Assess
    expect(first).toEqual({ failed: true, errorType: 'fledge.Transient' });
    expect(held).toMatchObject({ status: 'PENDING', placeholder: true, functionName: '(unknown)' });
    expect(held!.startDeadline).toBe(held!.createdAt + START_GRACE_MS);
    expect(retried.failed).toBe(false);
    expect(started).toMatchObject({ functionName: name, alias: 'live', source: 's3' });
    expect(started!.placeholder).toBeUndefined();
    expect(await executionsNamed(id)).toHaveLength(1);
    expect((await recordStatus(world, id, 'SUCCEEDED')).newVersion).toBe('2');
    expect((await world.plane.deps.store.listDeployments({ functionName: name, limit: 10 })).items.map((r) => r.deploymentId)).toEqual([id]);
  });

  it('holds the place of a drop whose first record write DynamoDB throttles, and starts it once on S3’s retry', async () => {
    // Prepare
    const name = touch('throttled-write-fn');
    await existingFunction(world, name);
    const { event, id } = await prepared('throttled-write', name);
    world.aws.faults.add({ service: 'dynamodb', operation: 'PutItem', kind: 'throttle', count: 3 });

    // Act
    const first = await deliver(event);
    const held = await record(id);
    const retried = await deliver(event);
    const started = await record(id);
    await executionEnd(world, started!.executionArn!);

    // Assess
    expect(first).toEqual({ failed: true, errorType: 'fledge.StartInterrupted' });
    expect(held).toMatchObject({ status: 'PENDING', placeholder: true });
    expect(retried.failed).toBe(false);
    expect(await executionsNamed(id)).toHaveLength(1);
    expect((await recordStatus(world, id, 'SUCCEEDED')).functionName).toBe(name);
  });

  it('leaves a drop whose StartExecution is throttled PENDING with its start deadline, and starts it once on S3’s retry', async () => {
    // Prepare
    const name = touch('throttled-start-fn');
    await existingFunction(world, name);
    const { event, id } = await prepared('throttled-start', name);
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'throttle', count: 3 });

    // Act
    const first = await deliver(event);
    const waiting = await record(id);
    const retried = await deliver(event);
    const started = await record(id);
    await executionEnd(world, started!.executionArn!);

    // Assess
    expect(first).toEqual({ failed: true, errorType: 'fledge.StartInterrupted' });
    expect(waiting).toMatchObject({ status: 'PENDING', functionName: name, startDeadline: waiting!.createdAt + START_GRACE_MS });
    expect(waiting!.executionArn).toBeUndefined();
    expect(waiting!.startFailure).toMatch(/^StartExecution .*ThrottlingException/);
    expect(retried.failed).toBe(false);
    expect(started!.startFailure).toBeUndefined();
    expect(await executionsNamed(id)).toHaveLength(1);
    await recordStatus(world, id, 'SUCCEEDED');
  });

  it('ends a drop Step Functions will not start for good (access denied) REJECTED with the reason and a notice, without failing the invocation', async () => {
    // Prepare
    const name = touch('denied-start-fn');
    await existingFunction(world, name);
    const { event, id } = await prepared('denied-start', name);
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'error', code: 'AccessDeniedException', status: 400, message: 'not authorized to perform: states:StartExecution', count: 1 });

    // Act
    const first = await deliver(event);
    const again = await deliver(event);

    // Assess
    expect([first.failed, again.failed]).toEqual([false, false]);
    const rejected = await record(id);
    expect(rejected).toMatchObject({ status: 'REJECTED', functionName: name });
    expect(rejected!.reason).toContain('Step Functions would not start the execution');
    expect(rejected!.reason).toContain('nothing was started');
    expect(await executionsNamed(id)).toHaveLength(0);
    expect((await historyOf(world, id)).map((e) => e.kind)).toEqual(['rejected']);
    const mails = await eventually(async () => ((await mailsAbout(id)).length > 0 ? mailsAbout(id) : undefined), { what: 'the refusal e-mail' });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`fledge: ${name}:live deployment refused`);
  });

  it('sends the refusal notice of a drop SNS failed to deliver on S3’s retry, instead of losing it', async () => {
    // Prepare
    const bad = `version: 1\nfunction: refusal-notice-fn\nalias: live\nartifact:\n  zip: function.zip\nstrategy:\n  preset: NoSuchPreset\n`;
    const { event, id } = await prepared('refusal-notice', 'refusal-notice-fn', bad);
    world.aws.faults.add({ service: 'sns', operation: 'Publish', kind: 'throttle', count: 3 });

    // Act
    const first = await deliver(event);
    const retried = await deliver(event);
    const again = await deliver(event);

    // Assess
    expect(first.failed).toBe(true);
    expect([retried.failed, again.failed]).toEqual([false, false]);
    expect((await record(id))?.status).toBe('REJECTED');
    // SNS's refusal is in the history too (never fatal, always visible: docs/events.md).
    expect((await historyOf(world, id)).map((e) => e.kind)).toEqual(['rejected', 'notificationFailed']);
    const mails = await eventually(async () => ((await mailsAbout(id)).length > 0 ? mailsAbout(id) : undefined), { what: 'the refusal e-mail' });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body).toContain('strategy.preset');
  });

  it('REJECTs a drop S3 kept failing to serve once its start grace has passed, with the reason and one notice, and a late retry starts nothing', async () => {
    // Prepare: every read of the spec fails, for the first delivery and both of S3's retries.
    const name = touch('unreadable-fn');
    await existingFunction(world, name);
    const { key, event, id } = await prepared('unreadable', name);
    world.aws.faults.add({ service: 's3', operation: 'GetObject', kind: 'serverError', count: 9 });
    const deliveries = [await deliver(event), await deliver(event), await deliver(event)];
    const held = (await record(id))!;

    // Act
    const early = await expireStalledStart(world.interfaceDeps, held);
    const expired = await expireStalledStart(repairLoopAfterGrace(), held);
    const repeated = await expireStalledStart(repairLoopAfterGrace(), (await record(id))!);
    world.aws.faults.clear();
    const late = await deliver(event);

    // Assess
    expect(deliveries.map((d) => d.failed)).toEqual([true, true, true]);
    expect(held).toMatchObject({ status: 'PENDING', placeholder: true });
    expect(early.kind).toBe('open');
    expect(expired.kind).toBe('expired');
    expect(expired.record.status).toBe('REJECTED');
    expect(expired.record.reason).toContain(`the dropped spec s3://${BUCKET}/${key} could not be read and recorded within 15 minutes`);
    expect(expired.record.reason).toContain('GetObject');
    expect(repeated.kind).toBe('open');
    expect(late.failed).toBe(false);
    expect((await record(id))?.status).toBe('REJECTED');
    expect(await executionsNamed(id)).toHaveLength(0);
    expect((await historyOf(world, id)).map((e) => e.kind)).toEqual(['rejected']);
    const mails = await eventually(async () => ((await mailsAbout(id)).length > 0 ? mailsAbout(id) : undefined), { what: 'the expiry e-mail' });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body).toContain('could not be read and recorded');
  });

  it('REJECTs a drop whose StartExecution kept failing once its start grace has passed, but leaves one whose execution exists to the engine', async () => {
    // Prepare: two drops left PENDING after S3's three deliveries all failed to start them.
    const lostName = touch('never-started-fn');
    const startedName = touch('answer-lost-fn');
    await existingFunction(world, lostName);
    await existingFunction(world, startedName);
    const lost = await prepared('never-started', lostName);
    const answerLost = await prepared('answer-lost', startedName);
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'serverError', count: 18 });
    for (const drop of [lost, answerLost]) for (let i = 0; i < 3; i += 1) await deliver(drop.event);
    world.aws.faults.clear();
    // The first start of the second one reached Step Functions; only its answer was lost.
    const pending = (await record(answerLost.id))!;
    const input = { deploymentId: pending.deploymentId, spec: pending.spec, artifact: pending.artifact, startedBy: pending.startedBy, source: pending.source };
    const execution = await world.plane.clients.sfn.send(new StartExecutionCommand({ stateMachineArn: world.plane.stateMachineArn, name: answerLost.id, input: JSON.stringify(input) }));

    // Act
    const expired = await expireStalledStart(repairLoopAfterGrace(), (await record(lost.id))!);
    const leftAlone = await expireStalledStart(repairLoopAfterGrace(), pending);
    await executionEnd(world, execution.executionArn!);

    // Assess
    expect(expired.kind).toBe('expired');
    expect(expired.record.reason).toMatch(/^its execution did not start within 15 minutes \(last failure: StartExecution .*InternalServerError/);
    expect(await executionsNamed(lost.id)).toHaveLength(0);
    expect(leftAlone).toMatchObject({ kind: 'started', executionArn: execution.executionArn });
    expect((await record(answerLost.id))?.executionArn).toBe(execution.executionArn);
    expect((await recordStatus(world, answerLost.id, 'SUCCEEDED')).newVersion).toBe('2');
    await eventually(async () => ((await mailsAbout(lost.id)).length > 0 ? true : undefined), { what: 'the expiry e-mail' });
    // The one whose answer was lost tells of its promotion, never of a refusal.
    const told = await eventually(async () => {
      const mails = await mailsAbout(answerLost.id);
      return mails.length > 0 ? mails : undefined;
    }, { what: 'the promotion e-mail' });
    expect(told.map((mail) => mail.subject)).toEqual([`fledge: ${startedName}:live promoted to version 2`]);
  });
});
