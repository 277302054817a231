import { InvokeCommand } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createTrigger } from '../../functions/s3-trigger';
import { readSpecObject, S3ArtifactInspector } from '../../shared/adapters/s3-artifacts';
import { deploymentIdForObject } from '../../shared/domain/starter/ids';
import { LIMITS } from '../../shared/model/spec-limits';
import { aliasOf, executionEnd, existingFunction, guardAliases, historyOf, mailTo, recordStatus, subscribeEmail, userCode } from '../support/engine';
import { eventually, s3ClientConfig } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { call } from '../api/client';
import { startInterfaces, type InterfaceWorld } from '../api/world';

const TRIGGER = 'fledge-s3-trigger';
const OPS = 'ops@example.com';

function specYaml(name: string, zip = 'function.zip'): string {
  return `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: ${zip}\nstrategy:\n  preset: AllAtOnce\ntimeout: 6h\n`;
}

describe('the S3 drop', () => {
  let world: InterfaceWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startInterfaces();
    const { plane } = world;
    // The trigger's own SDK clients retry as on AWS (the engine's make one attempt).
    const s3 = new S3Client({ ...s3ClientConfig(world.aws), maxAttempts: 3 });
    world.aws.services.lambda.registerInProcessFunction({
      functionName: TRIGGER,
      timeout: 900,
      handler: createTrigger({ ...world.interfaceDeps, artifacts: new S3ArtifactInspector(s3), readSpec: (object) => readSpecObject(s3, object) }),
    });
    await plane.clients.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: plane.bucket,
        NotificationConfiguration: {
          LambdaFunctionConfigurations: [
            { LambdaFunctionArn: `arn:aws:lambda:${world.aws.region}:000000000000:function:${TRIGGER}`, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'deployments/' }] } } },
          ],
        },
      }),
    );
    await subscribeEmail(world, plane.notificationTopicArn, OPS);
  });
  afterEach(() => {
    world.aws.faults.clear();
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function drop(key: string, body: string | Uint8Array) {
    const out = await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: world.plane.bucket, Key: key, Body: body }));
    return { versionId: out.VersionId, eTag: out.ETag?.replace(/"/g, '') };
  }

  /** The deployment id the trigger derives for an object, and its record once it exists. */
  async function deploymentOf(key: string, identity: { versionId?: string; eTag?: string }) {
    const id = deploymentIdForObject({ bucket: world.plane.bucket, key, ...(identity.versionId ? { versionId: identity.versionId } : {}), ...(identity.eTag ? { eTag: identity.eTag } : {}) });
    const record = await eventually(() => world.plane.deps.store.getDeployment(id), { what: `the deployment of ${key}` });
    return { id, record };
  }

  async function executionsNamed(name: string) {
    const out = await world.plane.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: world.plane.stateMachineArn, maxResults: 1000 }));
    return (out.executions ?? []).filter((e) => e.name === name);
  }

  it('starts a deployment for a dropped spec, its zip resolved next to it, with spaces, + and unicode in the key', async () => {
    // Prepare
    const name = touch('drop-fn');
    await existingFunction(world, name);
    const folder = 'deployments/team a+b/ünïcode räks';
    await drop(`${folder}/function.zip`, functionZip(userCode('v2')));

    // Act
    const identity = await drop(`${folder}/release 1+2.yaml`, specYaml(name));
    const { id, record } = await deploymentOf(`${folder}/release 1+2.yaml`, identity);
    await executionEnd(world, (await eventually(async () => (await world.plane.deps.store.getDeployment(id))?.executionArn, { what: 'the execution' })));

    // Assess
    expect(record.source).toBe('s3');
    expect(record.startedBy).toContain(`s3://${world.plane.bucket}/${folder}/release 1+2.yaml`);
    expect(record.artifact).toEqual({ bucket: world.plane.bucket, key: `${folder}/function.zip` });
    expect((await recordStatus(world, id, 'SUCCEEDED')).newVersion).toBe('2');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
  });

  it('starts nothing twice when the same event is delivered again', async () => {
    // Prepare
    const name = touch('dup-fn');
    await existingFunction(world, name);
    await drop('deployments/dup/function.zip', functionZip(userCode('v2')));
    const identity = await drop('deployments/dup/spec.yml', specYaml(name));
    const { id, record } = await deploymentOf('deployments/dup/spec.yml', identity);
    const head = await world.plane.clients.s3.send(new HeadObjectCommand({ Bucket: world.plane.bucket, Key: 'deployments/dup/spec.yml' }));
    const replay = {
      Records: [{ eventName: 'ObjectCreated:Put', awsRegion: world.aws.region, s3: { bucket: { name: world.plane.bucket }, object: { key: 'deployments/dup/spec.yml', versionId: head.VersionId, eTag: head.ETag?.replace(/"/g, '') } } }],
    };

    // Act
    const replies = await Promise.all([1, 2, 3].map(() => world.lambda.send(new InvokeCommand({ FunctionName: TRIGGER, Payload: Buffer.from(JSON.stringify(replay)) }))));
    await executionEnd(world, (await eventually(async () => (await world.plane.deps.store.getDeployment(id))?.executionArn, { what: 'the execution' })));

    // Assess
    expect(replies.map((r) => r.FunctionError)).toEqual([undefined, undefined, undefined]);
    expect(record.deploymentId).toBe(id);
    expect(await executionsNamed(id)).toHaveLength(1);
    const listed = await world.plane.deps.store.listDeployments({ functionName: name, limit: 10 });
    expect(listed.items.map((r) => r.deploymentId)).toEqual([id]);
  });

  it('records a spec too large to start as REJECTED with the limit, instead of leaving a record waiting for an execution', async () => {
    // Prepare: 100 approval messages of 2,000 quotes each: 200 KB of YAML, over 400 KB as execution input.
    const name = touch('huge-drop-fn');
    await existingFunction(world, name);
    await drop('deployments/huge/function.zip', functionZip(userCode('v2')));
    const steps = Array.from({ length: 100 }, () => `      - approval: { message: '${'"'.repeat(2000)}', timeout: 1m }`).join('\n');
    const spec = `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: function.zip\ntimeout: 6h\nstrategy:\n  canary:\n    steps:\n      - setWeight: 10\n${steps}\n`;

    // Act
    const identity = await drop('deployments/huge/spec.yaml', spec);
    const { id } = await deploymentOf('deployments/huge/spec.yaml', identity);

    // Assess
    const record = await recordStatus(world, id, 'REJECTED');
    expect(record.functionName).toBe(name);
    expect(record.problems?.[0]?.message).toMatch(/Step Functions allows per state \(262144 bytes/);
    expect(await executionsNamed(id)).toHaveLength(0);
    expect(await aliasOf(world, name)).toMatchObject({ version: '1' });
  });

  it('records a spec with a huge value or hundreds of problems as REJECTED with a bounded list of problems', async () => {
    // Prepare
    const longName = `version: 1\nfunction: ${'x'.repeat(200_000)}\nalias: live\nartifact:\n  zip: function.zip\nstrategy:\n  preset: AllAtOnce\n`;
    const unknownKeys = `version: 1\nfunction: many-problems-fn\nalias: live\nartifact:\n  zip: function.zip\nstrategy:\n  preset: AllAtOnce\n${Array.from({ length: 300 }, (_, i) => `unknown${i}: 1`).join('\n')}\n`;

    // Act
    const long = await deploymentOf('deployments/long/spec.yaml', await drop('deployments/long/spec.yaml', longName));
    const many = await deploymentOf('deployments/many/spec.yaml', await drop('deployments/many/spec.yaml', unknownKeys));

    // Assess
    const longRecord = await recordStatus(world, long.id, 'REJECTED');
    expect(longRecord.problems?.[0]?.message.length).toBeLessThanOrEqual(501);
    const manyRecord = await recordStatus(world, many.id, 'REJECTED');
    expect(manyRecord.problems).toHaveLength(LIMITS.maxProblems + 1);
    expect(manyRecord.problems?.at(-1)?.message).toBe(`and ${300 - LIMITS.maxProblems} more problems from here on (the first ${LIMITS.maxProblems} are listed)`);
  });

  it('records an invalid spec as REJECTED with its exact problems, notifies, and touches nothing else', async () => {
    // Prepare
    const name = touch('bad-spec-fn');
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const bad = `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: function.zip\nstrategy:\n  preset: Canary10Percent5Minutez\n`;

    // Act
    const identity = await drop('deployments/bad/spec.yaml', bad);
    const { id } = await deploymentOf('deployments/bad/spec.yaml', identity);

    // Assess
    const record = await recordStatus(world, id, 'REJECTED');
    expect(record.functionName).toBe(name);
    expect(record.problems).toEqual([expect.objectContaining({ path: 'strategy.preset', line: 7 })]);
    expect(record.reason).toContain(`s3://${world.plane.bucket}/deployments/bad/spec.yaml: 7:`);
    // The status is written first, then the ending's event: the drop may still be writing it.
    const history = await eventually(async () => ((await historyOf(world, id)).length > 0 ? historyOf(world, id) : undefined), { what: 'the rejected event' });
    expect(history.map((e) => e.kind)).toEqual(['rejected']);
    expect(await executionsNamed(id)).toHaveLength(0);
    expect(await aliasOf(world, name)).toEqual(before);
    const mail = await eventually(async () => (await mailTo(world, OPS)).find((m) => m.body.includes(id)), { what: 'the refusal e-mail' });
    expect(mail.subject).toBe(`fledge: ${name}:live deployment refused`);
    expect(mail.body).toContain('strategy.preset');
    const shown = await call(world.api.url, 'GET', `/deployments/${id}`);
    expect(shown.body).toMatchObject({ status: 'REJECTED', source: 's3', problems: [{ path: 'strategy.preset', line: 7 }] });
    expect(shown.body).not.toHaveProperty('spec');
  });

  it('records a spec whose artifact is missing as REJECTED and starts nothing', async () => {
    // Prepare
    const name = touch('no-zip-fn');
    await existingFunction(world, name);

    // Act
    const identity = await drop('deployments/nozip/spec.json', JSON.stringify({ version: 1, function: name, alias: 'live', artifact: { zip: 'missing.zip' }, strategy: { preset: 'AllAtOnce' } }));
    const { id } = await deploymentOf('deployments/nozip/spec.json', identity);

    // Assess
    const record = await recordStatus(world, id, 'REJECTED');
    expect(record.problems?.[0]).toMatchObject({ path: 'artifact.zip', message: `artifact not found or not readable: s3://${world.plane.bucket}/deployments/nozip/missing.zip (S3 answered NotFound)` });
    expect(await executionsNamed(id)).toHaveLength(0);
    expect(await aliasOf(world, name)).toMatchObject({ version: '1' });
  });

  it('records a spec whose artifact S3 answers 403 for (a missing key without s3:ListBucket) as REJECTED, notifies, and starts nothing', async () => {
    // Prepare
    const name = touch('denied-zip-fn');
    await existingFunction(world, name);
    await drop('deployments/denied/function.zip', functionZip(userCode('v2')));
    world.aws.faults.add({ service: 's3', operation: 'HeadObject', kind: 'error', code: 'AccessDenied', status: 403, message: 'Access Denied', count: 1 });

    // Act
    const identity = await drop('deployments/denied/spec.yaml', specYaml(name));
    const { id } = await deploymentOf('deployments/denied/spec.yaml', identity);

    // Assess
    const record = await recordStatus(world, id, 'REJECTED');
    const uri = `s3://${world.plane.bucket}/deployments/denied/function.zip`;
    expect(record.problems).toEqual([expect.objectContaining({ path: 'artifact.zip', message: `artifact not found or not readable: ${uri} (S3 answered AccessDenied)` })]);
    expect(await executionsNamed(id)).toHaveLength(0);
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
    const mail = await eventually(async () => (await mailTo(world, OPS)).find((m) => m.body.includes(id)), { what: 'the refusal e-mail' });
    expect(mail.body).toContain(`artifact not found or not readable: ${uri}`);
  });

  it('records a spec S3 will not show to the trigger (403 or 404) as REJECTED and notifies, instead of losing the drop', async () => {
    // Prepare: a spec the trigger is denied, and an event for a spec that is gone.
    world.aws.faults.add({ service: 's3', operation: 'GetObject', kind: 'error', code: 'AccessDenied', status: 403, message: 'Access Denied', count: 1 });
    const gone = { Records: [{ eventName: 'ObjectCreated:Put', awsRegion: world.aws.region, s3: { bucket: { name: world.plane.bucket }, object: { key: 'deployments/gone/spec.yaml', eTag: 'e-gone' } } }] };

    // Act
    const identity = await drop('deployments/unreadable/spec.yaml', specYaml('unreadable-fn'));
    const { id } = await deploymentOf('deployments/unreadable/spec.yaml', identity);
    const reply = await world.lambda.send(new InvokeCommand({ FunctionName: TRIGGER, Payload: Buffer.from(JSON.stringify(gone)) }));
    const goneId = deploymentIdForObject({ bucket: world.plane.bucket, key: 'deployments/gone/spec.yaml', eTag: 'e-gone' });

    // Assess
    const denied = await recordStatus(world, id, 'REJECTED');
    expect(denied.problems?.[0]?.message).toBe(`spec not found or not readable: s3://${world.plane.bucket}/deployments/unreadable/spec.yaml (S3 answered AccessDenied)`);
    expect(reply.FunctionError).toBeUndefined();
    expect((await recordStatus(world, goneId, 'REJECTED')).problems?.[0]?.message).toBe(`spec not found or not readable: s3://${world.plane.bucket}/deployments/gone/spec.yaml (S3 answered NoSuchKey)`);
    for (const deployment of [id, goneId]) {
      await eventually(async () => (await mailTo(world, OPS)).find((m) => m.body.includes(deployment)), { what: `the refusal e-mail of ${deployment}` });
      expect(await executionsNamed(deployment)).toHaveLength(0);
    }
  });

  it("records a spec naming its function by another account's ARN as REJECTED, and leaves the same-named function here alone", async () => {
    // Prepare
    const name = touch('elsewhere-fn');
    await existingFunction(world, name);
    await drop('deployments/elsewhere/function.zip', functionZip(userCode('v2')));
    const before = await aliasOf(world, name);
    const foreign = `arn:aws:lambda:${world.aws.region}:999988887777:function:${name}`;

    // Act
    const identity = await drop('deployments/elsewhere/spec.yaml', specYaml(foreign));
    const { id } = await deploymentOf('deployments/elsewhere/spec.yaml', identity);

    // Assess
    const record = await recordStatus(world, id, 'REJECTED');
    expect(record.problems).toEqual([
      expect.objectContaining({ path: 'function', line: 2, message: expect.stringMatching(/^this ARN is in account 999988887777, region \S+, but fledge runs in account 000000000000, region \S+ and deploys only there/) }),
    ]);
    expect(await executionsNamed(id)).toHaveLength(0);
    expect(await aliasOf(world, name)).toEqual(before);
  });

  it("records a spec naming one of fledge's own functions as REJECTED, before any AWS call", async () => {
    // Prepare
    const own = world.plane.functions.TrafficFunctionArn;

    // Act
    const identity = await drop('deployments/self/spec.yaml', specYaml(own));
    const { id } = await deploymentOf('deployments/self/spec.yaml', identity);

    // Assess
    const record = await recordStatus(world, id, 'REJECTED');
    expect(record.problems).toEqual([expect.objectContaining({ path: 'function', message: expect.stringContaining(`"${own}" is fledge's own traffic function (in local mode)`) })]);
    expect(await executionsNamed(id)).toHaveLength(0);
  });

  it('refuses a spec object over 256 KiB with the real limit, without reading it', async () => {
    // Prepare: larger than the 1 MiB the trigger once read up to.
    const huge = `${specYaml('huge-fn')}# ${'x'.repeat(1_200_000)}\n`;

    // Act
    const identity = await drop('deployments/huge/spec.yaml', huge);
    const { id } = await deploymentOf('deployments/huge/spec.yaml', identity);

    // Assess
    const record = await recordStatus(world, id, 'REJECTED');
    expect(record.problems).toEqual([expect.objectContaining({ path: '', message: `the spec is ${Buffer.byteLength(huge)} bytes; the limit is 262144 bytes (256 KiB)` })]);
    expect(record.reason).not.toContain('MiB');
  });

  it('records a deeply nested spec as REJECTED with the nesting limit, never an internal message', async () => {
    // Prepare
    const deep = `${specYaml('deep-fn')}health:\n  smokeTest:\n    payload: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;

    // Act
    const identity = await drop('deployments/deep/spec.yaml', deep);
    const { id } = await deploymentOf('deployments/deep/spec.yaml', identity);

    // Assess
    const record = await recordStatus(world, id, 'REJECTED');
    expect(record.problems).toEqual([expect.objectContaining({ path: expect.stringMatching(/^health\.smokeTest\.payload\[0\]/), message: expect.stringContaining('a spec nests at most 24 levels') })]);
    expect(record.reason).not.toMatch(/call stack|RangeError/);
    expect(await executionsNamed(id)).toHaveLength(0);
  });

  it('starts nothing for a zip, nor for a spec outside deployments/', async () => {
    // Prepare
    const zip = await drop('deployments/only-zip/function.zip', functionZip(userCode('v9')));
    const outside = await drop('elsewhere/spec.yaml', specYaml('outside-fn'));

    // Act
    const replies = await world.lambda.send(
      new InvokeCommand({
        FunctionName: TRIGGER,
        Payload: Buffer.from(JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: world.plane.bucket }, object: { key: 'elsewhere/spec.yaml', versionId: outside.versionId } } }] })),
      }),
    );

    // Assess
    expect(replies.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(replies.Payload!).toString())).toMatchObject({ results: [{ outcome: 'ignored' }] });
    const id = deploymentIdForObject({ bucket: world.plane.bucket, key: 'deployments/only-zip/function.zip', ...(zip.versionId ? { versionId: zip.versionId } : {}) });
    expect(await world.plane.deps.store.getDeployment(id)).toBeUndefined();
    expect((await world.plane.deps.store.listDeployments({ functionName: 'outside-fn', limit: 5 })).items).toEqual([]);
  });
});
