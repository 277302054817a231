import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { approvalLinks } from '../../shared/domain/approval/signing';
import type { DeploymentSpec } from '../../shared/model/spec';
import { aliasOf, deploymentId, executionEnd, existingFunction, guardAliases, historyOf, kinds, mailTo, recordStatus, spec, startDeployment, subscribeEmail, uploadArtifact, userCode, TIMED_PAUSES } from '../support/engine';
import { eventually } from '../support/local-aws';
import { startInterfaces, type InterfaceWorld } from '../api/world';

const APPROVER = 'approver@example.com';

describe('approval by signed link', () => {
  let world: InterfaceWorld;
  const touch = guardAliases(() => world);
  const started: { approvalId: string; executionArn: string }[] = [];
  // Runs before the alias guard (after-hooks run in reverse): a test that leaves its approval
  // open is ended by a rejection, so its alias goes back whole.
  afterEach(async () => {
    for (const { approvalId, executionArn } of started.splice(0)) {
      if ((await world.plane.deps.store.getApproval(approvalId))?.status === 'PENDING') {
        await decideApproval(world.plane.deps, { approvalId, approve: false, by: 'test cleanup' });
      }
      await executionEnd(world, executionArn);
    }
  });

  beforeAll(async () => {
    world = await startInterfaces();
    await subscribeEmail(world, world.plane.approvalTopicArn, APPROVER);
  });
  afterAll(async () => {
    await world?.stop();
  });

  function canaryWithApproval(name: string, message: string, approvalTimeout = 3600): DeploymentSpec {
    return spec(name, {
      kind: 'canary',
      steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 60 }, { type: 'approval', timeout: approvalTimeout, message }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 60 }],
    }, { health: TIMED_PAUSES });
  }

  /** Starts a canary that stops for approval; returns the links of the e-mail that asked for it. */
  async function awaitingApproval(label: string, message = 'check the dashboards', approvalTimeout?: number) {
    const name = touch(label);
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const id = deploymentId(name);
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: canaryWithApproval(name, message, approvalTimeout), artifact, startedBy: 'ci@example.com' });
    const record = await recordStatus(world, id, 'AWAITING_APPROVAL');
    const mail = await eventually(async () => (await mailTo(world, APPROVER)).find((m) => m.body.includes(id)), { what: `the approval e-mail of ${id}` });
    const approve = /^Approve: (\S+)$/m.exec(mail.body)?.[1];
    const reject = /^Reject: (\S+)$/m.exec(mail.body)?.[1];
    if (!approve || !reject) throw new Error(`no links in the e-mail:\n${mail.body}`);
    started.push({ approvalId: record.approvalId!, executionArn });
    return { name, id, executionArn, approvalId: record.approvalId!, approve, reject, mail };
  }

  async function snapshot(id: string, approvalId: string) {
    const record = await world.plane.deps.store.getDeployment(id);
    return { record, events: await historyOf(world, id), approval: await world.plane.deps.store.getApproval(approvalId) };
  }

  function post(url: string, fields: Record<string, string>) {
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
  }

  /** The URL a browser posts the page's form to: the page's path with the form's action. */
  function formAction(pageUrl: string, page: string): string {
    const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1]?.replace(/&#38;/g, '&');
    if (!action) throw new Error('the page has no form');
    return new URL(action, pageUrl).toString();
  }

  it('mails links that carry a signed approval id and no task token', async () => {
    // Prepare
    const { approve, reject, approvalId, mail } = await awaitingApproval('mail-fn');

    // Act
    const approval = await world.plane.deps.store.getApproval(approvalId);

    // Assess
    expect(approve).toMatch(new RegExp(`^${world.api.url}/approvals/${encodeURIComponent(approvalId).replace(/\./g, '\\.')}\\?sig=[A-Za-z0-9_-]{43}&exp=\\d+&intent=approve$`));
    expect(reject).toContain('&intent=reject');
    expect(mail.body).not.toContain(approval!.taskToken);
    expect(mail.body).toContain('Started by: ci@example.com');
  });

  it('shows a confirmation page on GET and changes nothing', async () => {
    // Prepare
    const { id, approvalId, approve } = await awaitingApproval('get-fn', 'look at <b>p99</b> & "errors"');
    const before = await snapshot(id, approvalId);

    // Act
    const responses = await Promise.all([fetch(approve), fetch(approve), fetch(approve, { method: 'HEAD' })]);
    const page = await responses[0]!.text();

    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(responses[0]!.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(responses[0]!.headers.get('referrer-policy')).toBe('no-referrer');
    expect(responses[0]!.headers.get('cache-control')).toBe('no-store');
    expect(page).toContain('get-fn:live');
    expect(page).toContain('version 1 → version 2');
    expect(page).toContain('10% on the new version');
    expect(page).toContain('ci@example.com');
    expect(page).toContain('look at &#60;b&#62;p99&#60;/b&#62; &#38; &#34;errors&#34;');
    expect(page).not.toContain('<b>p99</b>');
    expect(page).not.toContain('<script');
    expect(page.match(/<form method="post"/g)).toHaveLength(2);
    expect(page).toContain('class="approve chosen"');
    expect(await snapshot(id, approvalId)).toEqual(before);
    expect(before.approval?.status).toBe('PENDING');
  });

  it('approves on POST from the page, the execution continues, and the decider is recorded', async () => {
    // Prepare
    const { name, id, executionArn, approve } = await awaitingApproval('approve-fn');
    const page = await (await fetch(approve)).text();

    // Act
    const response = await post(formAction(approve, page), { decision: 'approve', name: 'Alice', comment: 'dashboards are fine' });
    const result = await response.text();

    // Assess
    expect(response.status).toBe(200);
    expect(result).toContain('Approved by Alice (signed link)');
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    const history = await historyOf(world, id);
    expect(kinds(history)).toContain('approvalGiven');
    expect(history.find((event) => event.kind === 'approvalGiven')?.message).toBe('approved by Alice (signed link): dashboards are fine');
  });

  it('rejects on POST and the deployment rolls back', async () => {
    // Prepare
    const { name, id, executionArn, reject } = await awaitingApproval('reject-fn');

    // Act
    const response = await post(reject.replace(/&intent=reject$/, ''), { decision: 'reject', name: 'Bob' });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Rejected by Bob (signed link)');
    await executionEnd(world, executionArn);
    expect((await recordStatus(world, id, 'ROLLED_BACK')).status).toBe('ROLLED_BACK');
    expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
    expect(kinds(await historyOf(world, id))).toContain('approvalRejected');
  });

  it('refuses a replayed or already-decided link with 409 and changes nothing', async () => {
    // Prepare
    const { id, approvalId, approve, executionArn } = await awaitingApproval('replay-fn');
    const link = approve.replace(/&intent=approve$/, '');
    expect((await post(link, { decision: 'approve', name: 'Alice' })).status).toBe(200);
    await executionEnd(world, executionArn);
    const before = await snapshot(id, approvalId);

    // Act
    const replay = await post(link, { decision: 'reject', name: 'Mallory' });
    const view = await fetch(approve);

    // Assess
    expect(replay.status).toBe(409);
    expect(await replay.text()).toContain('already approved by Alice (signed link)');
    expect(view.status).toBe(409);
    expect(await snapshot(id, approvalId)).toEqual(before);
  });

  it('refuses forged, tampered and incomplete links with 403 and changes nothing', async () => {
    // Prepare
    const { id, approvalId, approve } = await awaitingApproval('forged-fn');
    const url = new URL(approve);
    const sig = url.searchParams.get('sig')!;
    const exp = url.searchParams.get('exp')!;
    const base = `${world.api.url}/approvals/${encodeURIComponent(approvalId)}`;
    const flipped = `${sig.slice(0, -2)}${sig.at(-2) === 'A' ? 'B' : 'A'}${sig.at(-1)}`;
    const before = await snapshot(id, approvalId);

    // Act
    const attempts = await Promise.all([
      post(`${base}?sig=${flipped}&exp=${exp}`, { decision: 'approve' }),
      post(`${base}?sig=${sig}&exp=${Number(exp) + 3600}`, { decision: 'approve' }),
      post(`${world.api.url}/approvals/${encodeURIComponent(`${id}.a9`)}?sig=${sig}&exp=${exp}`, { decision: 'approve' }),
      post(`${base}?exp=${exp}`, { decision: 'approve' }),
      post(base, { decision: 'approve' }),
      fetch(`${base}?sig=${flipped}&exp=${exp}`),
    ]);

    // Assess
    expect(attempts.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(await attempts[0]!.text()).toContain('not valid');
    expect(await snapshot(id, approvalId)).toEqual(before);
  });

  it('accepts a link only as fledge spelled it: every other spelling of the same link is refused with 403 and changes nothing', async () => {
    // Prepare
    const { id, approvalId, approve } = await awaitingApproval('spelling-fn');
    const url = new URL(approve);
    const sig = url.searchParams.get('sig')!;
    const exp = url.searchParams.get('exp')!;
    const page = (path: string, query: string) => `${world.api.url}/approvals/${path}?${query}`;
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(sig.at(-1)!);
    const paddingBits = `${sig.slice(0, -1)}${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[last | 1]}`;
    const percent = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
    const spellings = [
      page(approvalId, `sig=${paddingBits}&exp=${exp}`),
      page(approvalId, `sig=${sig}%3D&exp=${exp}`),
      page(approvalId, `sig=${percent(sig[0]!)}${sig.slice(1)}&exp=${exp}`),
      page(approvalId, `sig=${sig}&exp=0${exp}`),
      page(approvalId, `sig=${sig}&exp=%2B${exp}`),
      page(approvalId, `sig=${sig}&sig=${sig}&exp=${exp}`),
      page(approvalId, `sig=${sig}&exp=${exp}&exp=${exp}`),
      page(approvalId, `%73ig=${sig}&exp=${exp}`),
      page(approvalId.replace('.', '%2E'), `sig=${sig}&exp=${exp}`),
      page(approvalId.replace(/-/, percent('-')), `sig=${sig}&exp=${exp}`),
    ];
    const before = await snapshot(id, approvalId);

    // Act
    const views = await Promise.all(spellings.map((link) => fetch(link)));
    const posts = await Promise.all(spellings.map((link) => post(link, { decision: 'approve', name: 'Mallory' })));
    const canonical = await fetch(page(approvalId, `sig=${sig}&exp=${exp}`));

    // Assess
    expect(views.map((r) => r.status)).toEqual(spellings.map(() => 403));
    expect(posts.map((r) => r.status)).toEqual(spellings.map(() => 403));
    expect(await posts[0]!.text()).toContain('not valid');
    expect(canonical.status).toBe(200);
    expect(await snapshot(id, approvalId)).toEqual(before);
  });

  it('refuses a decision form with a repeated or unknown field with 400, never taking the first or last value', async () => {
    // Prepare
    const { id, approvalId, approve } = await awaitingApproval('form-fields-fn');
    const link = approve.replace(/&intent=approve$/, '');
    const form = (body: string) => fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const before = await snapshot(id, approvalId);

    // Act
    const responses = await Promise.all([
      form('decision=approve&decision=reject'),
      form('decision=reject&decision=approve&name=Mallory'),
      form('decision=approve&name=Alice&name=Mallory'),
      form('decision=approve&comment=a&comment=b'),
      form('decision=approve&approvalId=other'),
      form('decision=approve&as_admin=1&x=2'),
    ]);
    const pages = await Promise.all(responses.map((r) => r.text()));

    // Assess
    expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400]);
    expect(pages[0]).toContain('&#34;decision&#34; more than once');
    expect(pages[4]).toContain('&#34;approvalId&#34;');
    expect(await snapshot(id, approvalId)).toEqual(before);
  });

  it('refuses an expired link with 410 and changes nothing', async () => {
    // Prepare
    const { id, approvalId } = await awaitingApproval('expired-fn');
    const past = approvalLinks(world.api.url, world.signer, approvalId, world.aws.clock.now() - 1000);
    const before = await snapshot(id, approvalId);

    // Act
    const viewed = await fetch(past.page);
    const posted = await post(past.page, { decision: 'approve' });

    // Assess
    expect(viewed.status).toBe(410);
    expect(posted.status).toBe(410);
    expect(await posted.text()).toContain('expired');
    expect(await snapshot(id, approvalId)).toEqual(before);
  });

  it('refuses a link whose approval timed out with 410', async () => {
    // Prepare: a 2-minute approval window that passes without a decision
    const { id, approve, executionArn } = await awaitingApproval('timeout-fn', 'decide quickly', 120);
    await executionEnd(world, executionArn);
    await recordStatus(world, id, 'ROLLED_BACK');

    // Act
    const response = await post(approve, { decision: 'approve' });

    // Assess
    expect(response.status).toBe(410);
    expect(kinds(await historyOf(world, id))).not.toContain('approvalGiven');
  });

  it('refuses a POST without a decision with 400 and changes nothing', async () => {
    // Prepare
    const { id, approvalId, approve } = await awaitingApproval('nodecision-fn');
    const before = await snapshot(id, approvalId);

    // Act
    const missing = await post(approve, { name: 'Alice' });
    const wrong = await post(approve, { decision: 'maybe' });
    const json = await fetch(approve, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"decision":"approve"}' });

    // Assess
    expect([missing.status, wrong.status, json.status]).toEqual([400, 400, 415]);
    expect(await snapshot(id, approvalId)).toEqual(before);
  });

  it('reopens the approval when the decision cannot reach Step Functions, so the same link works again', async () => {
    // Prepare
    const { id, approvalId, approve, executionArn } = await awaitingApproval('transient-fn');
    // Every attempt of the SDK's retries fails: the decision cannot be delivered now.
    world.aws.faults.add({ service: 'states', operation: 'SendTaskSuccess', kind: 'serverError', count: 3 });

    // Act
    const first = await post(approve, { decision: 'approve', name: 'Alice' });
    const reopened = await world.plane.deps.store.getApproval(approvalId);
    const second = await post(approve, { decision: 'approve', name: 'Alice' });

    // Assess
    expect(first.status).toBe(503);
    expect(reopened?.status).toBe('PENDING');
    expect(second.status).toBe(200);
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    expect(kinds(await historyOf(world, id)).filter((kind) => kind === 'approvalGiven')).toHaveLength(1);
  });
});
