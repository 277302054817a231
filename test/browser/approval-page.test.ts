import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployRelease } from '../../cli/demo/deploy';
import { startLocalMode, type LocalMode } from '../../local/mode';
import { approvalLinksOf, readOutbox } from '../../local/outbox-watch';
import { startTraffic, type TrafficRun } from '../../local/traffic';
import type { DeploymentStatus } from '../../shared/model/deployment';
import { eventually } from '../support/local-aws';

/** Debian's chromium; `scripts/ensure-chromium.sh` installs it (CI runs it before the tests). */
const CHROMIUM = '/usr/bin/chromium';
/** No sandbox (containers), no GPU, and nothing that would reach the network on its own. */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the approval page in a real browser', () => {
  let mode: LocalMode;
  let browser: BrowserContext;
  let profile: string;
  let screenshots: string;
  let lambda: LambdaClient | undefined;
  let traffic: TrafficRun | undefined;

  async function statusIs(deploymentId: string, status: DeploymentStatus) {
    return eventually(async () => {
      const record = await mode.plane.deps.store.getDeployment(deploymentId);
      return record?.status === status ? record : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50, what: `deployment ${deploymentId} to be ${status}` });
  }

  const chromiumMissing = `Chromium is not installed at ${CHROMIUM}: this test drives the approval page in a real browser. Install it with \`scripts/ensure-chromium.sh\` (or: sudo apt-get update && sudo apt-get install -y chromium).`;

  beforeAll(async () => {
    // A missing browser fails the test below with how to install it; it is never a reason to skip.
    if (!existsSync(CHROMIUM)) return;
    process.env['FLEDGE_LOG'] ??= 'off';
    profile = await mkdtemp(join(tmpdir(), 'fledge-chromium-profile-'));
    screenshots = process.env['FLEDGE_SCREENSHOT_DIR'] ?? (await mkdtemp(join(tmpdir(), 'fledge-screenshots-')));
    mode = await startLocalMode({ port: 0, apiPort: 0, dataDir: null, timeScale: 0.005, discoveryDir: false, aws: { cloudwatch: { evaluationIntervalSeconds: 5 }, lambda: { updateDelayMs: 200 } } });
    // A fresh profile each run: no cookies, cache or extensions from anywhere else.
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 900, height: 1000 } });
  });
  afterAll(async () => {
    await traffic?.stop();
    lambda?.destroy();
    await browser?.close();
    await mode?.stop();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  it('shows the facts from the e-mailed link, and clicking Approve lets the canary finish', async () => {
    if (!existsSync(CHROMIUM)) throw new Error(chromiumMissing);
    // Prepare: v1 is live, v2 waits at 10% for a decision, and its e-mail is in the outbox.
    const v1 = await deployRelease(mode, 'v1');
    await statusIs(v1, 'SUCCEEDED');
    // Traffic, as in production: the canary's pauses are judged on invocations of version 2.
    lambda = new LambdaClient({ endpoint: mode.aws.endpoint, region: mode.aws.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    traffic = startTraffic({ client: lambda, functionName: 'hello-fledge', alias: 'live', rps: 200, maxInFlight: 64 });
    const v2 = await deployRelease(mode, 'v2');
    await statusIs(v2, 'AWAITING_APPROVAL');
    const email = await eventually(async () => (await readOutbox(mode.aws.endpoint, mode.email)).find((candidate) => candidate.body.includes(v2) && candidate.subject.startsWith('fledge: approve')), { what: 'the approval e-mail' });
    const links = approvalLinksOf(email);
    expect(links, email.body).toBeDefined();
    const page = await browser.newPage();

    // Act: open the link as the e-mail's reader would, look, type a name, click Approve.
    const opened = await page.goto(links!.approve);
    const screenshot = join(screenshots, 'approval-page.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    const title = await page.title();
    const heading = await page.locator('h1').innerText();
    const facts = await page.locator('table').first().innerText();
    const stillWaiting = (await mode.plane.deps.store.getDeployment(v2))?.status;
    const approveForm = page.locator('form', { has: page.getByRole('button', { name: 'Approve' }) });
    await approveForm.getByLabel('Your name').fill('Browser Approver');
    await Promise.all([page.waitForURL(/\/approvals\//), approveForm.getByRole('button', { name: 'Approve' }).click()]);
    const after = await page.locator('h1').innerText();
    await page.screenshot({ path: join(screenshots, 'approval-decided.png'), fullPage: true });

    // Assess
    expect(opened?.status()).toBe(200);
    expect(title).toBe('Approve hello-fledge:live? · fledge');
    expect(heading).toBe('Approve hello-fledge:live?');
    expect(facts).toContain('version 1 → version 2');
    expect(facts).toContain('10% on the new version, 90% on the old');
    expect(stillWaiting).toBe('AWAITING_APPROVAL');
    expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
    expect(after).toBe('Approved: hello-fledge:live');
    const done = await statusIs(v2, 'SUCCEEDED');
    expect(done.newVersion).toBe('2');
    const history = await mode.plane.deps.store.listEvents(v2);
    expect(history.find((event) => event.kind === 'approvalGiven')?.message).toMatch(/^approved by Browser Approver/);
    await page.close();
  });
});
