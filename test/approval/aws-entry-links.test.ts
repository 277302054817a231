/**
 * The approval task and the approval pages as Lambda runs them on AWS: their real `handler`
 * exports, configured by nothing but the environment serverless.yml gives them, over the embedded
 * AWS (table, topics) and a stand-in SSM holding the signing key. The links the task mails must
 * be links the pages accept: same parameter, same secret bytes, same paths.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApiServer, type LocalApiServer, type LocalHttpHandler } from '../../local/api-server';
import type { TaskHandler } from '../../functions/lib/task-handler';
import type { DeploymentRecord, EngineState } from '../../shared/model/deployment';
import { deploymentId, mailTo, spec, startEngine, subscribeEmail, type EngineWorld } from '../support/engine';
import { eventually } from '../support/local-aws';
import { startSsmStandIn, type SsmStandIn } from '../support/ssm-stand-in';
import { SECRET_MAX_AGE_SECONDS } from '../../shared/adapters/ssm-secrets';

const APPROVER = 'approver@example.com';
const PARAMETER = '/aws/reference/secretsmanager/fledge/test/approval-signing-key';
// Not ASCII: a side that turned the text into bytes other than as UTF-8 would sign differently.
const SECRET = `fledge-signing-key-äöü-€-${'k'.repeat(40)}`;
const ROTATED = `fledge-signing-key-rotated-${'r'.repeat(40)}`;

describe('approval links from the Lambda entry points', () => {
  let world: EngineWorld;
  let ssm: SsmStandIn;
  let server: LocalApiServer;
  let task: TaskHandler<{ approvalId: string }>;
  const savedEnv = { ...process.env };

  /** The handler modules, evaluated afresh so they read the environment as set now (as at a cold start). */
  async function loadEntries(): Promise<{ task: TaskHandler<{ approvalId: string }>; pages: LocalHttpHandler }> {
    vi.resetModules();
    const pages = (await import('../../functions/approval-pages')).handler as LocalHttpHandler;
    const approval = await import('../../functions/request-approval');
    return { task: approval.handler, pages };
  }

  beforeAll(async () => {
    world = await startEngine();
    ssm = await startSsmStandIn({ [PARAMETER]: SECRET });
    await subscribeEmail(world, world.plane.approvalTopicArn, APPROVER);
    for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'FLEDGE_API_URL']) delete process.env[name];
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: world.aws.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: world.aws.region,
      FLEDGE_TABLE_NAME: world.plane.tableName,
      FLEDGE_NOTIFICATION_TOPIC_ARN: world.plane.notificationTopicArn,
      FLEDGE_APPROVAL_TOPIC_ARN: world.plane.approvalTopicArn,
      FLEDGE_APPROVAL_SECRET_PARAMETER: PARAMETER,
    });
    // The pages first: the API's URL exists once they are served, and the task needs it.
    let pages: LocalHttpHandler | undefined;
    server = await startApiServer({ port: 0, api: () => Promise.reject(new Error('no management API here')), approvals: (event, context) => pages!(event, context) });
    process.env.FLEDGE_API_URL = server.url;
    ({ task, pages } = await loadEntries());
  });

  afterAll(async () => {
    process.env = savedEnv;
    await server?.stop();
    await ssm?.stop();
    await world?.stop();
  });

  /** The Approve link mailed for a deployment. */
  async function mailedApproveLink(id: string): Promise<string> {
    const mail = await eventually(async () => (await mailTo(world, APPROVER)).find((m) => m.body.includes(id)), { what: `the approval e-mail of ${id}` });
    return /^Approve: (\S+)$/m.exec(mail.body)?.[1] ?? '';
  }

  /** A deployment running its canary at 10%, and the state the state machine hands RequestApproval. */
  async function runningDeployment(label: string): Promise<EngineState> {
    const id = deploymentId(label);
    const now = Date.now();
    const state: EngineState = {
      deploymentId: id,
      spec: spec(`${label}-fn`, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'approval', timeout: 3600 }] }),
      artifact: { bucket: world.plane.bucket, key: `${label}/v2.zip` },
      startedBy: 'ci@example.com',
      source: 'api',
      weight: 10,
      approval: { timeoutSeconds: 3600, stepIndex: 1 },
    };
    const record: DeploymentRecord = { deploymentId: id, functionName: `${label}-fn`, alias: 'live', status: 'RUNNING', spec: state.spec, artifact: state.artifact, startedBy: state.startedBy, source: state.source, createdAt: now, updatedAt: now };
    await world.plane.deps.store.createDeployment(record);
    return state;
  }

  it('mails Approve and Reject links that the approval pages accept, and refuses them altered', async () => {
    // Prepare
    const state = await runningDeployment('aws-links');

    // Act
    const { approvalId } = await task({ state, taskToken: `token-${state.deploymentId}` }, { functionName: 'fledge-approval', awsRequestId: 'request-1' });
    const mail = await eventually(async () => (await mailTo(world, APPROVER)).find((m) => m.body.includes(state.deploymentId)), { what: `the approval e-mail of ${state.deploymentId}` });
    const approve = /^Approve: (\S+)$/m.exec(mail.body)?.[1] ?? '';
    const reject = /^Reject: (\S+)$/m.exec(mail.body)?.[1] ?? '';
    const [approvePage, rejectPage, altered] = await Promise.all([fetch(approve), fetch(reject), fetch(approve.replace(/exp=(\d+)/, (_, exp: string) => `exp=${Number(exp) + 1}`))]);

    // Assess
    expect(approve).toMatch(new RegExp(`^${server.url}/approvals/${approvalId.replace(/\./g, '\\.')}\\?sig=[A-Za-z0-9_-]{43}&exp=\\d+&intent=approve$`));
    expect(reject).toContain('&intent=reject');
    expect(mail.body).not.toContain(`token-${state.deploymentId}`);
    expect([approvePage.status, rejectPage.status, altered.status]).toEqual([200, 200, 403]);
    expect(await approvePage.text()).toContain('aws-links-fn:live');
    expect(ssm.requests.length).toBeGreaterThanOrEqual(2);
    for (const request of ssm.requests) expect(request).toEqual({ target: 'AmazonSSM.GetParameter', body: { Name: PARAMETER, WithDecryption: true } });
  });

  it('signs and verifies with a rotated key once the secret\'s max age has passed, on the pages as in the mails', async () => {
    // Prepare: links of the current key, both entry points having read it.
    const before = await runningDeployment('rotate-before');
    await task({ state: before, taskToken: 'token-before' }, { functionName: 'fledge-approval', awsRequestId: 'request-r1' });
    const oldLink = await mailedApproveLink(before.deploymentId);
    expect((await fetch(oldLink)).status).toBe(200);
    ssm.put(PARAMETER, ROTATED);
    // Powertools Parameters ages values by the wall clock: move it past the max age.
    const now = Date.now;
    vi.spyOn(Date, 'now').mockImplementation(() => now() + (SECRET_MAX_AGE_SECONDS + 1) * 1000);

    try {
      // Act
      const after = await runningDeployment('rotate-after');
      await task({ state: after, taskToken: 'token-after' }, { functionName: 'fledge-approval', awsRequestId: 'request-r2' });
      const newLink = await mailedApproveLink(after.deploymentId);
      const [newPage, oldPage] = await Promise.all([fetch(newLink), fetch(oldLink)]);

      // Assess: the pages verify with the key the mails are signed with, not the one read first.
      expect([newPage.status, oldPage.status]).toEqual([200, 403]);
    } finally {
      vi.mocked(Date.now).mockRestore();
      ssm.put(PARAMETER, SECRET);
    }
  });

  it('fails its first invocation naming FLEDGE_API_URL when the stack did not set it', async () => {
    // Prepare: the environment is read when the handler first builds its ports, at its first invocation.
    const state = await runningDeployment('no-api-url');
    delete process.env.FLEDGE_API_URL;
    let error: unknown;
    try {
      const entries = await loadEntries();

      // Act
      error = await entries.task({ state, taskToken: 'token' }, { functionName: 'fledge-approval', awsRequestId: 'request-2' }).catch((e: unknown) => e);
    } finally {
      process.env.FLEDGE_API_URL = server.url;
    }

    // Assess
    expect(error).toMatchObject({ name: 'fledge.Configuration' });
    expect((error as Error).message).toMatch(/FLEDGE_API_URL is not set/);
    expect(await world.plane.deps.store.getApproval(`${state.deploymentId}.a1`)).toBeUndefined();
  });
});
