import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalDiscovery } from '../../local/discovery';
import type { NotificationDelivery } from '../../local/notification-outbox';
import { formatDelivery } from '../../cli/format/notification';
import { styleFor } from '../../cli/format/style';
import { ROOT } from '../cli/run-cli';
import { hostile, unsafeLeft } from '../output/hostile';
import { eventually } from '../support/local-aws';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { runFledge, startFledge, type Running } from './process';

/** Issue 16: local mode prints every notification as it would be delivered, and keeps them in its outbox. */
describe('fledge local prints every notification as it goes out', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function project(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'fledge-local-notify-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function receiver(): Promise<WebhookReceiver> {
    const started = await startWebhookReceiver();
    cleanups.push(() => started.stop());
    return started;
  }

  it('prints each EventBridge event and each webhook try (a failing one three times) and lists them all at /_fledge/notifications/outbox', async () => {
    // Prepare: a Slack and a Teams webhook that take everything, and a JSON one that is down.
    const cwd = await project();
    const hooks = await receiver();
    const down = await receiver();
    down.answer = () => ({ status: 500, body: 'down' });
    await writeFile(
      join(cwd, 'hooks.json'),
      JSON.stringify([
        { url: `${hooks.url}/services/T000/B000/secret-part`, format: 'slack', events: 'all' },
        { url: `${hooks.url}/teams`, format: 'teams', events: 'endings' },
        { url: `${down.url}/json`, format: 'json', events: 'started' },
      ]),
    );
    const local: Running = startFledge(['local', '--port', '0', '--api-port', '0', '--time-scale', '0.01', '--notification-webhooks', 'hooks.json'], { cwd });
    cleanups.push(() => { if (local.child.exitCode === null) local.child.kill('SIGKILL'); });
    await eventually(() => (local.stdout.includes('Press Ctrl+C to stop.') ? true : undefined), { timeoutMs: 20_000, what: `fledge local to be ready (${local.stderr})` });
    const discovery = JSON.parse(await readFile(join(cwd, '.fledge', 'local.json'), 'utf8')) as LocalDiscovery;

    // Act: the first deployment of the sample (started, then promoted).
    const deployed = await runFledge(['deploy', join(ROOT, 'examples', 'demo', 'hello-v1.yaml'), '--local', '--wait'], { cwd });
    const deliveries = await eventually(async () => {
      const { deliveries: all } = (await (await fetch(`${discovery.endpoint}/_fledge/notifications/outbox`)).json()) as { deliveries: NotificationDelivery[] };
      // started and promoted on the bus and to Slack, promoted to Teams, three failed tries of started to the JSON one.
      return all.filter((d) => d.channel !== 'sns').length >= 8 ? all : undefined;
    }, { timeoutMs: 20_000, what: 'the deliveries of the deployment' });
    const id = deliveries[0]?.deploymentId ?? '';
    const { deliveries: filtered } = (await (await fetch(`${discovery.endpoint}/_fledge/notifications/outbox?deploymentId=${encodeURIComponent(id)}&channel=eventbridge`)).json()) as { deliveries: NotificationDelivery[] };
    await eventually(() => ((local.stdout.match(/try \d failed/g) ?? []).length >= 3 && local.stdout.includes('webhook 1 (teams) · promoted') ? true : undefined), { timeoutMs: 10_000, what: `fledge local to print them:\n${local.stdout}` });
    local.child.kill('SIGINT');
    const code = await local.exit;

    // Assess: the deployment went as without any channel.
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deliveries.every((d) => d.deploymentId === id)).toBe(true);
    expect(deployed.stdout).toContain(id);
    expect(filtered.map((d) => d.kind)).toEqual(['started', 'promoted']);
    const of = (channel: string) => deliveries.filter((d) => d.channel === channel);
    expect(of('eventbridge').map((d) => `${d.kind} ${d.outcome}`)).toEqual(['started delivered', 'promoted delivered']);
    expect((of('eventbridge')[0]?.body as { 'detail-type': string; detail: { eventId: string } })['detail-type']).toBe('Deployment Started');
    expect(of('webhook 0 (slack)').map((d) => d.kind)).toEqual(['started', 'promoted']);
    expect(JSON.stringify(of('webhook 0 (slack)')[0]?.body)).toContain('"blocks"');
    expect(of('webhook 1 (teams)').map((d) => d.kind)).toEqual(['promoted']);
    expect(JSON.stringify(of('webhook 1 (teams)')[0]?.body)).toContain('AdaptiveCard');
    expect(of('webhook 2 (json)').map((d) => `${d.kind} try ${d.try} ${d.outcome}`)).toEqual(['started try 1 failed', 'started try 2 failed', 'started try 3 failed']);
    expect(of('webhook 2 (json)')[0]?.error).toContain('the receiver answered 500');
    // What the receivers got is what the outbox shows.
    expect(hooks.requests.filter((r) => r.path.startsWith('/services/') && r.body.includes(id))).toHaveLength(2);
    expect(down.requests.filter((r) => r.body.includes(id))).toHaveLength(3);
    // A webhook's URL is its secret: only its origin is shown, kept or printed.
    expect(of('webhook 0 (slack)')[0]?.target).toBe(`${hooks.url}/…`);
    expect(local.stdout).not.toContain('secret-part');
    // Printed as it happened: one block per try, channel, kind, deployment, target and the text.
    expect(local.stdout).toMatch(new RegExp(`⇢ \\d\\d:\\d\\d:\\d\\d eventbridge · started · hello-fledge:live \\(${id}\\) → bus default\\n {4}fledge: hello-fledge:live deployment started`));
    expect(local.stdout).toMatch(new RegExp(`⇢ \\d\\d:\\d\\d:\\d\\d webhook 0 \\(slack\\) · promoted · hello-fledge:live \\(${id}\\) → http://127\\.0\\.0\\.1:\\d+/…\\n {4}fledge: hello-fledge:live promoted to version 1`));
    expect(local.stdout).toMatch(/✗ \d\d:\d\d:\d\d webhook 2 \(json\) · started · .* · try 3 failed: the receiver answered 500/);
    expect(code).toBe(0);
  }, 60_000);

  it('refuses a webhook list that is not valid with exit code 2, naming the file and the entry, before starting anything', async () => {
    // Prepare
    const cwd = await project();
    await writeFile(join(cwd, 'hooks.json'), JSON.stringify([{ url: 'https://hooks.example.com/a', format: 'xml' }]));

    // Act
    const result = await runFledge(['local', '--port', '0', '--api-port', '0', '--notification-webhooks', 'hooks.json'], { cwd });
    const missing = await runFledge(['local', '--port', '0', '--api-port', '0', '--notification-webhooks', 'nowhere.json'], { cwd });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--notification-webhooks hooks.json: notification webhook [0].format must be one of json, slack, teams');
    expect(result.stdout).not.toContain('starting');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--notification-webhooks nowhere.json: cannot read it (ENOENT)');
  }, 30_000);

  it('prints every text of a notification with its control and format characters escaped, on its own lines', () => {
    // Prepare: names, a reason and an error as anyone who can start a deployment or answer a webhook could write them.
    const delivery = hostile<NotificationDelivery>({
      id: 'n-1',
      time: '2024-05-01T12:00:00.000Z',
      channel: 'webhook 0 (slack)',
      kind: 'rolledBack',
      eventId: 'orders-1/outcome',
      deploymentId: 'orders-1',
      functionName: 'orders',
      alias: 'live',
      target: 'https://hooks.slack.com/…',
      try: 2,
      outcome: 'failed',
      error: 'the receiver answered 500',
      text: 'fledge: orders:live rolled back',
      body: {},
    });

    // Act
    const printed = formatDelivery({ ...delivery, time: '2024-05-01T12:00:00.000Z', try: 2, outcome: 'failed' }, styleFor({ isTTY: true }, { FORCE_COLOR: '1' }));

    // Assess
    expect(unsafeLeft(printed)).toEqual([]);
    expect(printed.split('\n')).toHaveLength(3);
    expect(printed).toContain('try 2 failed: the receiver answered 500');
  });
});
