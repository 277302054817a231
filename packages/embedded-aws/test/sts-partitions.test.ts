import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import type { StsService } from '../src/services/sts/service';
import { clientConfig, eventually, failure } from '../src/testing/clients';
import { functionZip } from '../src/testing/zip';

const TARGET_ROLE = 'arn:aws:iam::111111111111:role/fledge-target';
const EXTERNAL_ID = 'fledge-7f3a';
const EXEC_ROLE = 'arn:aws:iam::000000000000:role/fn';
const zip = functionZip({ 'index.mjs': 'export const handler = async () => ({ ok: true });\n' });

/** Credentials of `roleArn`, assumed from the default account. */
async function assume(aws: LocalAws, roleArn: string, externalId: string | undefined = EXTERNAL_ID) {
  const sts = new STSClient(clientConfig(aws));
  const answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'fledge-test', ExternalId: externalId }));
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

async function createFunction(lambda: LambdaClient, name: string): Promise<string | undefined> {
  const created = await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: EXEC_ROLE, Code: { ZipFile: zip } }));
  return created.FunctionArn;
}

describe('embedded STS and account+region partitions', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, sts: { roles: [{ roleArn: TARGET_ROLE, trustedAccounts: ['000000000000'], externalId: EXTERNAL_ID }] } });
  });
  afterAll(async () => aws.stop());

  it('AssumeRole returns temporary credentials of the role\'s account, which GetCallerIdentity names', async () => {
    // Act
    const credentials = await assume(aws, TARGET_ROLE);
    const identity = await new STSClient({ ...clientConfig(aws), credentials }).send(new GetCallerIdentityCommand({}));
    const own = await new STSClient(clientConfig(aws)).send(new GetCallerIdentityCommand({}));

    // Assess
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.sessionToken).toBeTruthy();
    expect(identity).toMatchObject({ Account: '111111111111', Arn: 'arn:aws:sts::111111111111:assumed-role/fledge-target/fledge-test' });
    expect(own.Account).toBe('000000000000');
  });

  it.each([
    ['a wrong external id', TARGET_ROLE, 'not-it'],
    ['no external id', TARGET_ROLE, undefined],
    ['a role that does not exist', 'arn:aws:iam::111111111111:role/nobody', EXTERNAL_ID],
  ])('AssumeRole with %s is AccessDenied (403), naming the role', async (_case, roleArn, externalId) => {
    // Act
    const error = await failure(new STSClient(clientConfig(aws)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'fledge-test', ExternalId: externalId })));

    // Assess
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).toContain(`sts:AssumeRole on resource: ${roleArn}`);
  });

  it('AssumeRole from an account the trust policy does not name is AccessDenied', async () => {
    // Prepare: a role in a third account that trusts only 000000000000, assumed from 111111111111
    aws.service<StsService>('sts').putRole({ roleArn: 'arn:aws:iam::222222222222:role/fledge-target', trustedAccounts: ['000000000000'] });
    const fromTarget = new STSClient({ ...clientConfig(aws), credentials: await assume(aws, TARGET_ROLE) });

    // Act
    const error = await failure(fromTarget.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::222222222222:role/fledge-target', RoleSessionName: 'chained' })));

    // Assess
    expect(error.name).toBe('AccessDenied');
    expect(error.message).toContain('arn:aws:sts::111111111111:assumed-role/fledge-target/fledge-test');
  });

  it('AssumeRole refuses a malformed session name or duration as ValidationError (400)', async () => {
    // Act
    const sts = new STSClient(clientConfig(aws));
    const badName = await failure(sts.send(new AssumeRoleCommand({ RoleArn: TARGET_ROLE, RoleSessionName: 'has space', ExternalId: EXTERNAL_ID })));
    const badDuration = await failure(sts.send(new AssumeRoleCommand({ RoleArn: TARGET_ROLE, RoleSessionName: 'ok', ExternalId: EXTERNAL_ID, DurationSeconds: 60 })));

    // Assess
    expect([badName.name, badName.$metadata.httpStatusCode]).toEqual(['ValidationError', 400]);
    expect(badDuration.message).toContain('durationSeconds');
  });

  it('the access key selects the account and the credential scope the region: each partition has its own functions', async () => {
    // Prepare
    const target = await assume(aws, TARGET_ROLE);
    const home = new LambdaClient(clientConfig(aws));
    const targetEu = new LambdaClient({ ...clientConfig(aws), region: 'eu-west-1', credentials: target });
    const targetUs = new LambdaClient({ ...clientConfig(aws), credentials: target });
    const homeEu = new LambdaClient({ ...clientConfig(aws), region: 'eu-west-1' });

    // Act
    const arnHome = await createFunction(home, 'checkout');
    const arnTargetEu = await createFunction(targetEu, 'checkout');

    // Assess
    expect(arnHome).toBe('arn:aws:lambda:us-east-1:000000000000:function:checkout');
    expect(arnTargetEu).toBe('arn:aws:lambda:eu-west-1:111111111111:function:checkout');
    expect((await failure(targetUs.send(new GetFunctionCommand({ FunctionName: 'checkout' })))).name).toBe('ResourceNotFoundException');
    expect((await failure(homeEu.send(new GetFunctionCommand({ FunctionName: 'checkout' })))).name).toBe('ResourceNotFoundException');
    expect((await home.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName)).toContain('checkout');
  });

  it('a partition\'s invocations count in that partition\'s CloudWatch only', async () => {
    // Prepare
    const target = await assume(aws, TARGET_ROLE);
    const lambda = new LambdaClient({ ...clientConfig(aws), region: 'ap-southeast-2', credentials: target });
    await createFunction(lambda, 'metered');
    await eventually(async () => ((await lambda.send(new GetFunctionCommand({ FunctionName: 'metered' }))).Configuration?.State === 'Active' ? true : undefined));

    // Act
    await lambda.send(new InvokeCommand({ FunctionName: 'metered' }));

    // Assess
    const query = new GetMetricDataCommand({
      StartTime: new Date(aws.clock.now() - 3_600_000),
      EndTime: new Date(aws.clock.now() + 60_000),
      MetricDataQueries: [{ Id: 'inv', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'metered' }] }, Period: 60, Stat: 'Sum' } }],
    });
    const there = await new CloudWatchClient({ ...clientConfig(aws), region: 'ap-southeast-2', credentials: target }).send(query);
    const home = await new CloudWatchClient(clientConfig(aws)).send(query);
    expect(there.MetricDataResults?.[0]?.Values?.reduce((a, b) => a + b, 0)).toBe(1);
    expect(home.MetricDataResults?.[0]?.Values ?? []).toEqual([]);
  });
});

describe('embedded partitions across a restart', () => {
  it('a partition\'s functions are still there after a restart with the same data directory', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'embedded-partitions-'));
    const roles = [{ roleArn: TARGET_ROLE, trustedAccounts: ['000000000000'], externalId: EXTERNAL_ID }];
    try {
      const first = await startLocalAws({ port: 0, dataDir, sts: { roles } });
      await createFunction(new LambdaClient({ ...clientConfig(first), region: 'eu-west-1', credentials: await assume(first, TARGET_ROLE) }), 'kept');
      await first.stop();

      // Act
      const second = await startLocalAws({ port: 0, dataDir, sts: { roles } });
      const found = await new LambdaClient({ ...clientConfig(second), region: 'eu-west-1', credentials: await assume(second, TARGET_ROLE) }).send(new GetFunctionCommand({ FunctionName: 'kept' }));
      await second.stop();

      // Assess
      expect(found.Configuration?.FunctionArn).toBe('arn:aws:lambda:eu-west-1:111111111111:function:kept');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
