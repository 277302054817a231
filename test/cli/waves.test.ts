import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { StsService } from '@fledge-local/embedded-aws';
import { clientConfig } from '@fledge-local/embedded-aws/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingFunction as createExistingFunction } from '../../local/world/functions';
import { deploymentIdForObject } from '../../shared/domain/starter/ids';
import type { WaveTargetView } from '../../shared/domain/deployment/wave-targets';
import { mailTo, ROLE, subscribeEmail, userCode } from '../support/engine';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { call } from '../api/client';
import { runCliAsync, startCliWorld, type CliWorld } from './cli-world';

/*
 * A spec with targets through every door: the S3 drop (fledge deploy's default), POST /deployments
 * (fledge deploy --via api), and bad targets refused at both doors. Each wave run runs on the real
 * wave runner's state machine, each target's deployment in its own account and region of the
 * embedded AWS, and fledge status / GET /deployments/{id} show every target.
 */

const EXTERNAL_ID = 'fledge-doors-test';
const OPS = 'waves-ops@example.com';
const EU = { id: 'eu', accountId: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/fledge-target' };
const US = { id: 'us', accountId: '222222222222', region: 'us-east-1', roleArn: 'arn:aws:iam::222222222222:role/fledge-target' };

/** The spec's targets: eu first, then us. */
const TARGETS = `targets:\n  - id: eu\n    account: "${EU.accountId}"\n    region: ${EU.region}\n    roleArn: ${EU.roleArn}\n    externalId: ${EXTERNAL_ID}\n  - id: us\n    account: "${US.accountId}"\n    region: ${US.region}\n    roleArn: ${US.roleArn}\n    externalId: ${EXTERNAL_ID}\n    dependsOn: [eu]\n`;

function specText(name: string, targets = TARGETS): string {
  return `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: build/function.zip\nstrategy:\n  preset: AllAtOnce\nhealth:\n  minInvocations: 0\ntimeout: 6h\n${targets}`;
}

/** A project folder with the spec and the zip of v2. */
function project(name: string): { spec: string; zip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-waves-'));
  writeFileSync(join(dir, 'release.yaml'), specText(name));
  writeFileSync(join(dir, 'v2.zip'), functionZip(userCode('v2')));
  return { spec: join(dir, 'release.yaml'), zip: join(dir, 'v2.zip') };
}

describe('a spec with targets, through every door', () => {
  let world: CliWorld;
  let n = 0;

  /** The Lambda of a target's account and region, as its owner sees it. */
  async function targetLambda(target: typeof EU): Promise<LambdaClient> {
    const sts = new STSClient(clientConfig(world.aws));
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: target.roleArn, RoleSessionName: 'test', ExternalId: EXTERNAL_ID }));
    return new LambdaClient({ ...clientConfig(world.aws), region: target.region, credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken } });
  }

  async function aliasIn(target: typeof EU, name: string): Promise<{ version?: string; weights: Record<string, number> }> {
    const out = await (await targetLambda(target)).send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
    return { version: out.FunctionVersion, weights: { ...(out.RoutingConfig?.AdditionalVersionWeights ?? {}) } };
  }

  /** A function serving v1 behind `live` in both targets. */
  async function inBothTargets(label: string): Promise<string> {
    n += 1;
    const name = `doors-${label}-${n}`;
    for (const target of [EU, US]) await createExistingFunction({ lambda: await targetLambda(target) }, name, userCode('v1'), { role: ROLE, alias: 'live' });
    return name;
  }

  /** Executions of the wave runner and of the deployment state machine so far. */
  async function executionNames(): Promise<string[]> {
    const names: string[] = [];
    for (const stateMachineArn of [world.plane.wavesStateMachineArn, world.plane.stateMachineArn]) {
      const out = await world.plane.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      names.push(...(out.executions ?? []).map((e) => e.name ?? ''));
    }
    return names;
  }

  beforeAll(async () => {
    world = await startCliWorld();
    const sts = world.aws.service<StsService>('sts');
    for (const target of [EU, US]) sts.putRole({ roleArn: target.roleArn, trustedAccounts: ['000000000000'], externalId: EXTERNAL_ID });
    await subscribeEmail(world, world.plane.notificationTopicArn, OPS);
  }, 60_000);
  afterAll(async () => {
    await world?.stop();
  });

  it('fledge deploy (the S3 drop) runs the waves: both targets promoted, fledge status and the API show every target, one e-mail for the run', async () => {
    // Prepare
    const name = await inBothTargets('drop');
    const { spec, zip } = project(name);

    // Act
    const deployed = await runCliAsync(world, ['deploy', spec, '--zip', zip, '--local', '--wait', '--output', 'json'], { timeoutMs: 120_000 });
    const run = JSON.parse(deployed.stdout) as { deploymentId: string; status: string };
    const status = await runCliAsync(world, ['status', run.deploymentId, '--local']);
    const targetStatus = await runCliAsync(world, ['status', `${run.deploymentId}--us`, '--local']);
    const detail = await call<{ source: string; waves: string[][]; targets: WaveTargetView[] }>(world.api.url, 'GET', `/deployments/${run.deploymentId}`);

    // Assess
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(run.status).toBe('SUCCEEDED');
    expect(await aliasIn(EU, name)).toEqual({ version: '2', weights: {} });
    expect(await aliasIn(US, name)).toEqual({ version: '2', weights: {} });
    expect(run.deploymentId).toMatch(/^s3-/);
    expect(detail.body.source).toBe('s3');
    expect(detail.body.waves).toEqual([['eu'], ['us']]);
    expect(detail.body.targets.map((t) => ({ id: t.id, accountId: t.accountId, region: t.region, wave: t.wave, status: t.status, weight: t.weight, newVersion: t.newVersion, deploymentId: t.deploymentId }))).toEqual([
      { id: 'eu', accountId: EU.accountId, region: EU.region, wave: 1, status: 'SUCCEEDED', weight: 100, newVersion: '2', deploymentId: `${run.deploymentId}--eu` },
      { id: 'us', accountId: US.accountId, region: US.region, wave: 2, status: 'SUCCEEDED', weight: 100, newVersion: '2', deploymentId: `${run.deploymentId}--us` },
    ]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Waves\s+eu {2}then {2}us/);
    expect(status.stdout).not.toMatch(/^Health/m);
    expect(status.stdout).toMatch(new RegExp(`Target\\s+eu \\(account ${EU.accountId}, ${EU.region}\\) {2}wave 1 {2}SUCCEEDED {2}100%`));
    expect(status.stdout).toMatch(new RegExp(`Target\\s+us \\(account ${US.accountId}, ${US.region}\\) {2}wave 2 {2}SUCCEEDED {2}100%`));
    expect(targetStatus.code, targetStatus.stderr).toBe(0);
    expect(targetStatus.stdout).toContain(`us (account ${US.accountId}, ${US.region}) of wave run ${run.deploymentId}`);
    const runMails = (await eventually(async () => {
      const mails = (await mailTo(world, OPS)).filter((mail) => mail.body.includes(`Deployment: ${run.deploymentId}\n`));
      return mails.length > 0 ? mails : undefined;
    }, { what: 'the wave run e-mail' }));
    expect(runMails).toHaveLength(1);
    expect(runMails[0]!.subject).toBe(`fledge: ${name}:live promoted in 2 targets`);
    expect(runMails[0]!.body).toContain(`  eu (account ${EU.accountId}, ${EU.region}): version 1 → version 2 (SUCCEEDED)`);
    expect(runMails[0]!.body).toContain(`  us (account ${US.accountId}, ${US.region}): version 1 → version 2 (SUCCEEDED)`);
  }, 150_000);

  it('fledge deploy --via api (POST /deployments) runs the waves: both targets promoted', async () => {
    // Prepare
    const name = await inBothTargets('api');
    const { spec, zip } = project(name);

    // Act
    const deployed = await runCliAsync(world, ['deploy', spec, '--zip', zip, '--via', 'api', '--local', '--wait', '--output', 'json'], { timeoutMs: 120_000 });
    const run = JSON.parse(deployed.stdout) as { deploymentId: string; status: string; source: string };

    // Assess
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(run).toMatchObject({ status: 'SUCCEEDED', source: 'api' });
    expect(await aliasIn(EU, name)).toEqual({ version: '2', weights: {} });
    expect(await aliasIn(US, name)).toEqual({ version: '2', weights: {} });
    expect(await executionNames()).toContain(run.deploymentId);
  }, 150_000);

  it('starts a wave run once through POST /deployments whatever the retries: a throttled start is resumed by the same Idempotency-Key, a replay starts nothing', async () => {
    // Prepare
    const name = await inBothTargets('retry');
    const headers = { 'idempotency-key': `release-${name}` };
    const artifact = { bucket: world.plane.bucket, key: `${name}/v2.zip` };
    await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: artifact.bucket, Key: artifact.key, Body: functionZip(userCode('v2')) }));
    world.aws.faults.add({ service: 'states', operation: 'StartExecution', kind: 'throttle', count: 3 });

    // Act
    const throttled = await call<{ error: { code: string; retryable: boolean; details: { deploymentId: string } } }>(world.api.url, 'POST', '/deployments', { json: { spec: specText(name), artifact }, headers });
    const started = await call<{ deploymentId: string }>(world.api.url, 'POST', '/deployments', { json: { spec: specText(name), artifact }, headers });
    const replayed = await call<{ deploymentId: string }>(world.api.url, 'POST', '/deployments', { json: { spec: specText(name), artifact }, headers });
    const id = started.body.deploymentId;
    const ended = await eventually(async () => {
      const record = await world.plane.deps.store.getDeployment(id);
      return record?.status === 'SUCCEEDED' ? record : undefined;
    }, { timeoutMs: 60_000, what: 'the wave run to succeed' });

    // Assess
    expect(throttled.status).toBe(503);
    expect(throttled.body.error).toMatchObject({ code: 'TryAgain', retryable: true, details: { deploymentId: id } });
    expect(started.status).toBe(202);
    expect(replayed.status).toBe(202);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body.deploymentId).toBe(id);
    expect(ended.executionArn).toBe(`${world.plane.wavesStateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`);
    expect((await executionNames()).filter((one) => one === id)).toEqual([id]);
    expect(await aliasIn(US, name)).toEqual({ version: '2', weights: {} });
  }, 90_000);

  it('refuses bad targets at both doors with the field path, and starts nothing', async () => {
    // Prepare: us depends on a target no one declared.
    const name = await inBothTargets('bad');
    const bad = specText(name, TARGETS.replace('dependsOn: [eu]', 'dependsOn: [europe]'));
    const before = await executionNames();

    // Act
    const posted = await call<{ error: { code: string; details: { problems: { path: string; message: string }[] } } }>(world.api.url, 'POST', '/deployments', { json: { spec: bad, artifact: { bucket: world.plane.bucket, key: 'nothing.zip' } } });
    const key = `deployments/${name}/release.yaml`;
    const put = await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: world.plane.bucket, Key: key, Body: bad }));
    const dropId = deploymentIdForObject({ bucket: world.plane.bucket, key, ...(put.VersionId ? { versionId: put.VersionId } : {}), eTag: put.ETag?.replace(/"/g, '') ?? '' });
    const dropped = await eventually(async () => {
      const record = await world.plane.deps.store.getDeployment(dropId);
      return record?.status === 'REJECTED' ? record : undefined;
    }, { what: 'the drop refused' });

    // Assess
    expect(posted.status).toBe(422);
    expect(posted.body.error.code).toBe('SpecInvalid');
    expect(posted.body.error.details.problems).toContainEqual(expect.objectContaining({ path: 'targets[1].dependsOn[0]', message: expect.stringContaining('no target has the id "europe"') }));
    expect(dropped.problems).toContainEqual(expect.objectContaining({ path: 'targets[1].dependsOn[0]' }));
    expect(await executionNames()).toEqual(before);
    expect(await aliasIn(EU, name)).toEqual({ version: '1', weights: {} });
    expect(await aliasIn(US, name)).toEqual({ version: '1', weights: {} });
  }, 60_000);
});
