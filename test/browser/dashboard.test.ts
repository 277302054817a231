import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../cli/api-client';
import { deployRelease } from '../../cli/demo/deploy';
import { startDashboard, type Dashboard } from '../../cli/dashboard/server';
import { startLocalMode, type LocalMode } from '../../local/mode';
import { startTraffic, type TrafficRun } from '../../local/traffic';
import type { DeploymentStatus } from '../../shared/model/deployment';
import { eventually } from '../support/local-aws';

/** Debian's chromium; `scripts/ensure-chromium.sh` installs it (CI runs it before the tests). */
const CHROMIUM = '/usr/bin/chromium';
/** No sandbox (containers), no GPU, and nothing that would reach the network on its own. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Screenshots land here (git-ignored), or in $FLEDGE_SCREENSHOT_DIR. */
const ARTIFACTS = process.env['FLEDGE_SCREENSHOT_DIR'] ?? join(import.meta.dirname, '..', 'artifacts');

describe('the dashboard in a real browser, against local mode during the demo\'s deployments', () => {
  let mode: LocalMode;
  let dashboard: Dashboard;
  let browser: BrowserContext;
  let profile: string;
  let lambda: LambdaClient | undefined;
  let traffic: TrafficRun | undefined;
  /** Every request the page made to anything but the dashboard's own address: must stay empty. */
  const elsewhere: string[] = [];

  async function statusIs(deploymentId: string, status: DeploymentStatus) {
    return eventually(async () => {
      const record = await mode.plane.deps.store.getDeployment(deploymentId);
      return record?.status === status ? record : undefined;
    }, { timeoutMs: 30_000, intervalMs: 50, what: `deployment ${deploymentId} to be ${status}` });
  }

  const chromiumMissing = `Chromium is not installed at ${CHROMIUM}: this test drives the dashboard in a real browser. Install it with \`scripts/ensure-chromium.sh\` (or: sudo apt-get update && sudo apt-get install -y chromium).`;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) return;
    process.env['FLEDGE_LOG'] ??= 'off';
    await mkdir(ARTIFACTS, { recursive: true });
    profile = await mkdtemp(join(tmpdir(), 'fledge-chromium-profile-'));
    mode = await startLocalMode({ port: 0, apiPort: 0, dataDir: null, timeScale: 0.005, discoveryDir: false, aws: { cloudwatch: { evaluationIntervalSeconds: 5 }, lambda: { updateDelayMs: 200 } } });
    // `fledge dashboard --local`, in process: the same server, signing with local mode's credentials.
    dashboard = await startDashboard({ api: new ApiClient({ apiUrl: mode.api.url, region: mode.aws.region, local: mode.discovery }), port: 0 });
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1200, height: 1000 } });
    browser.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(dashboard.origin) && !url.startsWith(mode.api.url) && !url.startsWith('data:')) elsewhere.push(url);
    });
  });
  afterAll(async () => {
    await traffic?.stop();
    lambda?.destroy();
    await browser?.close();
    await dashboard?.stop();
    await mode?.stop();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  async function points(page: Page): Promise<{ at: string; weight: number; kind: string }[]> {
    return page.locator('#timeline circle.weight-point').evaluateAll((circles) => circles.map((c) => ({ at: c.getAttribute('data-at') ?? '', weight: Number(c.getAttribute('data-weight')), kind: c.getAttribute('data-kind') ?? '' })));
  }

  it('lists the deployments, plots the canary\'s traffic from its history, and approves it end to end', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(chromiumMissing);
    // Prepare: v1 live, traffic flowing, v2 waiting at 10% for a decision (the demo's releases).
    const v1 = await deployRelease(mode, 'v1');
    await statusIs(v1, 'SUCCEEDED');
    lambda = new LambdaClient({ endpoint: mode.aws.endpoint, region: mode.aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    traffic = startTraffic({ client: lambda, functionName: 'hello-fledge', alias: 'live', rps: 200, maxInFlight: 64 });
    const v2 = await deployRelease(mode, 'v2');
    await statusIs(v2, 'AWAITING_APPROVAL');
    const page = await browser.newPage();

    // Act 1: open the printed address (the token is traded for a cookie), look at the list.
    await page.goto(dashboard.url);
    await page.locator(`#deployments tr[data-deployment="${v2}"]`).waitFor();
    const rows = await page.locator('#deployments tbody tr').evaluateAll((trs) => trs.map((tr) => ({ id: tr.getAttribute('data-deployment'), status: tr.getAttribute('data-status'), awaiting: tr.classList.contains('awaiting'), text: tr.textContent ?? '' })));
    const address = page.url();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-list.png'), fullPage: true });

    // Assess 1: in progress first, the one waiting for approval highlighted; no token left in the address.
    expect(address).toBe(`${dashboard.origin}/`);
    expect(rows[0]).toMatchObject({ id: v2, status: 'AWAITING_APPROVAL', awaiting: true });
    expect(rows[0]!.text).toContain('waiting for approval');
    expect(rows.find((row) => row.id === v1)).toMatchObject({ status: 'SUCCEEDED', awaiting: false });

    // Act 2: open v2's page.
    await page.getByRole('link', { name: v2 }).click();
    await page.locator('#timeline circle.weight-point').first().waitFor();
    const plotted = await points(page);
    const checkRows = await page.locator('#checks tbody tr').count();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-deployment-awaiting.png'), fullPage: true });
    const history = await mode.plane.deps.store.listEvents(v2);

    // Assess 2: the plot's points are the history's weights, at the history's times.
    const weights = history.filter((e) => e.kind === 'weight').map((e) => ({ at: new Date(e.at).toISOString(), weight: (e.data as { percent: number }).percent, kind: 'weight' }));
    expect(weights).toEqual([expect.objectContaining({ weight: 10 })]);
    expect(plotted).toEqual(weights);
    expect(checkRows).toBe(history.filter((e) => e.kind === 'check').length);
    expect(await page.locator('#timeline line.event-mark[data-kind="check"]').count()).toBe(checkRows);
    expect(await page.locator('#timeline line.event-mark[data-kind="approvalRequested"]').count()).toBe(1);

    // Act 3: approve with the keyboard alone: the button, the confirmation dialog (focus in its comment), its Approve.
    await page.getByRole('button', { name: 'Approve' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const focusedInDialog = await page.locator(':focus').getAttribute('id');
    await page.keyboard.type('looks good <b>from</b> the dashboard');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focusedButton = await page.locator(':focus').textContent();
    await page.keyboard.press('Enter');
    const record = await eventually(async () => {
      const now = await mode.plane.deps.store.getDeployment(v2);
      return now && now.status !== 'AWAITING_APPROVAL' ? now : undefined;
    }, { timeoutMs: 20_000, what: 'v2 to leave AWAITING_APPROVAL' });
    const approved = (await mode.plane.deps.store.listEvents(v2)).find((e) => e.kind === 'approvalGiven');

    // Assess 3: decided once, recorded with the signer's identity (local mode's caller) and the comment as text.
    expect(focusedInDialog).toBe('confirm-comment');
    expect(focusedButton).toBe('Approve');
    expect(record.status).not.toBe('AWAITING_APPROVAL');
    expect(approved?.message).toBe('approved by local: looks good <b>from</b> the dashboard');
    expect(approved?.data).toMatchObject({ by: 'local' });

    // Act 4: the page follows the deployment live to its end.
    await statusIs(v2, 'SUCCEEDED');
    await page.locator('#timeline circle.weight-point[data-kind="promoted"]').waitFor({ timeout: 20_000 });
    const final = await points(page);
    const events = await page.locator('#events li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-kind')));
    await page.locator('#versions-table tr[data-role="new"]').first().waitFor({ timeout: 20_000 });
    const versionRows = await page.locator('#versions-table tbody tr').evaluateAll((trs) => trs.map((tr) => ({ version: tr.getAttribute('data-version'), role: tr.getAttribute('data-role'), invocations: Number(tr.children[2]?.textContent) })));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-deployment-promoted.png'), fullPage: true });
    const finalHistory = await mode.plane.deps.store.listEvents(v2);

    // Assess 4: 10% → 50% → 100%, each at its time in the history; the approval is in the page's history, as text.
    const expected = finalHistory.flatMap((e) => (e.kind === 'weight' ? [{ at: new Date(e.at).toISOString(), weight: (e.data as { percent: number }).percent, kind: 'weight' }] : e.kind === 'promoted' ? [{ at: new Date(e.at).toISOString(), weight: 100, kind: 'promoted' }] : []));
    expect(final).toEqual(expected);
    expect(final.map((p) => p.weight)).toEqual([10, 50, 100]);
    expect(events).toContain('approvalGiven');
    // Each version's traffic per check interval, from CloudWatch through the API: both served.
    expect(versionRows.filter((r) => r.role === 'previous' && r.version === '1' && r.invocations > 0).length).toBeGreaterThan(0);
    expect(versionRows.filter((r) => r.role === 'new' && r.version === '2' && r.invocations > 0).length).toBeGreaterThan(0);
    expect(await page.locator('#events li b').count()).toBe(0);

    // Act 5: the delivery metrics page.
    await page.getByRole('link', { name: 'Delivery metrics' }).click();
    await page.locator('#metrics-summary tr[data-row="all functions"]').waitFor();
    const overall = await page.locator('#metrics-summary tr[data-row="all functions"] td').allInnerTexts();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-metrics.png'), fullPage: true });

    // Assess 5: both releases reached the alias and succeeded.
    expect(overall[0]).toBe('2');
    expect(overall[2]).toBe('0%');
    expect((await stat(join(ARTIFACTS, 'dashboard-deployment-promoted.png'))).size).toBeGreaterThan(10_000);
    expect(elsewhere).toEqual([]);
    await page.close();
  });

  it('serves the same dashboard at local mode\'s API address', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(chromiumMissing);
    // Act
    const page = await browser.newPage();
    const response = await page.goto(`${mode.api.url}/dashboard`);
    await page.locator('#deployments tbody tr').first().waitFor();
    const statuses = await page.locator('#deployments tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-local-mode.png'), fullPage: true });

    // Assess
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(statuses).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    await page.close();
  });

  it('pages as the API pages, keeping the filters: a function\'s 25 deployments are 20, then 5, then 20 again', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(chromiumMissing);
    // Prepare: 25 ended deployments of another function, created in the last few minutes.
    const now = Date.now();
    for (let i = 0; i < 25; i += 1) {
      const createdAt = now - (25 - i) * 1000;
      const spec = (await mode.plane.deps.store.listDeployments({ functionName: 'hello-fledge', limit: 1 })).items[0]!.spec;
      await mode.plane.deps.store.createDeployment({ deploymentId: `paged-${String(i).padStart(2, '0')}`, functionName: 'paged-fn', alias: 'live', status: 'SUCCEEDED', spec, artifact: { bucket: 'b', key: 'k' }, startedBy: 'seed', source: 'test', createdAt, updatedAt: createdAt });
    }
    const page = await browser.newPage();
    await page.goto(`${dashboard.origin}/`);
    const ids = () => page.locator('#deployments tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-deployment')));

    // Act: filter by function and time, then page forward and back.
    await page.getByLabel('Function').fill('paged-fn');
    await page.getByLabel('Created').selectOption('24h');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.locator('#deployments tr[data-deployment="paged-24"]').waitFor();
    const first = await ids();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.locator('#deployments tr[data-deployment="paged-04"]').waitFor();
    const second = await ids();
    const nextDisabled = await page.getByRole('button', { name: 'Next page' }).isDisabled();
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.locator('#deployments tr[data-deployment="paged-24"]').waitFor();
    const back = await ids();

    // Assess
    expect(first).toEqual(Array.from({ length: 20 }, (_, i) => `paged-${String(24 - i).padStart(2, '0')}`));
    expect(second).toEqual(['paged-04', 'paged-03', 'paged-02', 'paged-01', 'paged-00']);
    expect(nextDisabled).toBe(true);
    expect(back).toEqual(first);
    await page.close();
  });
});
