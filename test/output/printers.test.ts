import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatEmail } from '../../cli/format/email';
import { formatHistory, formatStatus, formatStatusLine, type DeploymentDetail, type DeploymentSummary } from '../../cli/format/deployment';
import { formatMetrics } from '../../cli/format/metrics';
import { formatPlan } from '../../cli/format/plan';
import { formatProblems } from '../../cli/format/problems';
import { styleFor } from '../../cli/format/style';
import { formatTrafficProgress, formatTrafficSummary } from '../../cli/format/traffic';
import { log } from '../../functions/lib/log';
import type { TrafficStats } from '../../local/traffic';
import { render } from '../../shared/adapters/sns-notifier';
import { renderApprovalOutcome, renderApprovalView } from '../../shared/interfaces/html/approval-page';
import { planDeployment } from '../../shared/domain/plan/planner';
import { slackMessage, type PublishedNotification } from '../../shared/interfaces/slack/message';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { DeploymentNotification } from '../../shared/model/notification';
import { HOSTILE, hostile, unsafeLeft } from './hostile';

/*
 * Every printer, fed values whose every string carries escape sequences, bidi and zero-width
 * characters and a forged "Approve:" line, writes none of them raw. The inputs are made hostile
 * wholesale, so a field a printer starts showing later is covered without touching this file.
 */

const plain = styleFor({ isTTY: false });
const colour = styleFor({ isTTY: true }, {});

const summary: DeploymentSummary = {
  deploymentId: 's3-abc',
  functionName: 'orders',
  alias: 'live',
  status: 'REJECTED',
  previousVersion: '4',
  newVersion: '5',
  currentWeight: 10,
  startedBy: 's3://fledge-artifacts/deployments/orders/spec.yaml (uploaded by AWS:AIDA1)',
  source: 's3',
  createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:01:00.000Z',
  reason: 'the spec is not valid',
};
const detail: DeploymentDetail = {
  ...summary,
  status: 'AWAITING_APPROVAL',
  deadline: '2026-11-22T11:00:00.000Z',
  approvalId: 's3-abc.a2',
  problems: [{ path: 'artifact.zip', message: 'no object at deployments/orders/build.zip', line: 5, column: 3 }],
  events: [
    { at: '2026-11-22T10:00:01.000Z', kind: 'check', message: 'alarm orders-5xx: OK' },
    { at: '2026-11-22T10:00:01.500Z', kind: 'webhook', message: 'check webhook gate (gate.example.com) answered 409 Conflict in 12 ms: "freeze": stop' },
    { at: '2026-11-22T10:00:02.000Z', kind: 'approvalRequested', message: 'waiting for approval: ship it?' },
    { at: '2026-11-22T10:00:02.500Z', kind: 'notificationFailed', message: 'could not send approvalRequested to webhook 0 (teams): the receiver answered 500 (3 tries); the deployment goes on' },
  ],
  serverTime: '2026-11-22T10:30:00.000Z',
};
const facts = { deploymentId: 's3-abc', functionName: 'orders', alias: 'live', previousVersion: '4', newVersion: '5', startedBy: 'ci@example.com' };
const notifications: DeploymentNotification[] = [
  { kind: 'approvalRequested', ...facts, approvalId: 's3-abc.a2', expiresAt: Date.parse('2026-11-22T11:00:00Z'), message: 'ship it?', currentWeight: 10, health: '3 checks green' },
  { kind: 'rolledBack', ...facts, reason: 'alarm orders-5xx is in ALARM' },
  { kind: 'drifted', ...facts, reason: 'the alias changed', aliasDescription: 'version 3' },
  { kind: 'failed', ...facts, reason: 'rollback failed', aliasDescription: '90% v4, 10% v5' },
  { kind: 'rejected', ...facts, reason: 'deployments/orders/spec.yaml: unknown preset' },
];
const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const links = { approve: `${API}/approvals/s3-abc.a2?sig=${'s'.repeat(43)}&exp=1&intent=approve`, reject: `${API}/approvals/s3-abc.a2?sig=${'s'.repeat(43)}&exp=1&intent=reject` };

/** Every string in a value, for printers whose output is a structure (Slack's Block Kit). */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

describe('every printer of untrusted text', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['status, plain', () => formatStatus(hostile(detail), plain).join('\n')],
    ['status, in colour', () => formatStatus(hostile(detail), colour).join('\n')],
    ['status line of --watch', () => formatStatusLine(hostile(detail))],
    ['history', () => formatHistory([hostile(summary)], colour).join('\n')],
    ['spec problems', () => formatProblems(`spec${HOSTILE}.yaml`, hostile(detail.problems!).map((p) => ({ ...p, line: 5, column: 3, suggestion: `x${HOSTILE}` })), colour)],
    ['traffic progress and summary', () => {
      const stats = hostile<TrafficStats>({ sent: 3, answered: 3, byVersion: { '1': { invocations: 2, errors: 1 }, [`2${HOSTILE}`]: { invocations: 1, errors: 0 } }, callErrors: { [`Throttled${HOSTILE}`]: 1 }, skipped: 0, elapsedMs: 1000 } as TrafficStats);
      return `${formatTrafficProgress(stats, colour)}\n${formatTrafficSummary(`orders:live${HOSTILE}`, stats, colour)}`;
    }],
    ['local mode\'s mail printer', () => formatEmail(hostile({ id: 'm-1', to: 'you@fledge.local', subject: 'fledge: approve orders:live?', body: `A deployment waits.\nApprove: ${links.approve}\nReject: ${links.reject}`, topicArn: 'arn', time: '2026' }), colour)],
    ['local mode\'s mail printer, without links', () => formatEmail(hostile({ id: 'm-1', to: 'you@fledge.local', subject: 'fledge: orders:live rolled back', body: 'The deployment was rolled back: alarm', topicArn: 'arn', time: '2026' }), colour)],
    ['delivery metrics', () => {
      const none = { samples: 0, medianMs: null, p90Ms: null };
      const summary = { deployments: 1, succeeded: 1, failedChanges: 0, deploymentsPerWeek: 1, changeFailureRate: 0, leadTime: { samples: 1, medianMs: 60_000, p90Ms: 60_000 }, timeToRestore: none };
      return formatMetrics(hostile({ from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z', function: `orders${HOSTILE}`, overall: summary, functions: [{ functionName: `orders${HOSTILE}`, ...summary }], weekly: [{ week: '2026-W45', start: '2026-11-02T00:00:00.000Z', ...summary }] }), colour).join('\n');
    }],
  ])('%s: writes no raw control, bidi or zero-width character', (_printer, print) => {
    // Act
    const printed = print();

    // Assess
    expect(unsafeLeft(printed)).toEqual([]);
    expect(printed).toContain('\\u001b[2J');
    expect(printed).not.toMatch(/^\s*Approve: https:\/\/evil/m);
  });

  it("shows a channel's failed notifications on a row of their own, and the step the deployment is at", () => {
    // Act
    const printed = formatStatus(detail, plain).join('\n');

    // Assess
    expect(printed).toMatch(/Notifications\s+1 not delivered, last: could not send approvalRequested to webhook 0 \(teams\): the receiver answered 500/);
    expect(printed).toMatch(/Step\s+waiting for approval: ship it\?/);
  });

  it('plans a spec whose message, artifact key and alarm carry escape sequences without printing them raw', () => {
    // Prepare
    const yaml = [
      'version: 1',
      'function: orders',
      'alias: live',
      'artifact:',
      // Keys with C0 controls are refused by the spec; C1 and bidi characters are legal S3 keys.
      '  zip: "build/\\u009b2J\\u202eevil.zip"',
      'strategy:',
      '  canary:',
      '    steps:',
      '      - setWeight: 10',
      '      - approval: { message: "look\\e]52;c;ZXZpbA==\\a\\nApprove: https://evil.example/" }',
      '      - setWeight: 50',
      '      - pause: 1m',
      'health:',
      '  alarms: ["orders-5xx\\e[2J"]',
      'timeout: 2h',
    ].join('\n');
    const parsed = parseDeploymentSpec(new TextEncoder().encode(yaml), 'x.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));

    // Act
    const printed = formatPlan({ source: `x${HOSTILE}.yaml`, spec: parsed.spec, plan: planDeployment(parsed.spec, { functionExists: true }), functionExists: true }, colour);

    // Assess
    expect(unsafeLeft(printed)).toEqual([]);
    expect(printed).toContain('build/\\u009b2J\\u202eevil.zip');
    expect(printed).toContain('Wait for approval (up to 1h: "look\\u001b]52;c;ZXZpbA==\\u0007")');
  });

  it.each(notifications.map((n) => [n.kind, n] as const))('the %s e-mail keeps every value on its line: no forged "Approve:" line, nothing raw', (_kind, notification) => {
    // Act
    const { subject, body } = render(hostile(notification), links);

    // Assess
    expect(unsafeLeft(body)).toEqual([]);
    expect(subject).toMatch(/^[\x20-\x7e]{1,100}$/);
    const approveLines = body.split('\n').filter((line) => /^\s*(Approve|Reject):/.test(line));
    expect(approveLines).toEqual(notification.kind === 'approvalRequested' ? [`Approve: ${links.approve}`, `Reject: ${links.reject}`] : []);
  });

  it('shows a multi-line spec message in the approval e-mail as one escaped line, without its final line break', () => {
    // Prepare
    const request = { ...notifications[0]!, message: 'ship it?\nApprove: https://evil.example/a\n' } as DeploymentNotification;

    // Act
    const { body } = render(request, links);

    // Assess
    expect(body.split('\n')[0]).toBe('A deployment waits for your approval: ship it?\\nApprove: https://evil.example/a');
    expect(body.split('\n').filter((line) => line.startsWith('Approve:'))).toEqual([`Approve: ${links.approve}`]);
  });

  it.each(notifications.map((n) => [n.kind, n] as const))('the %s Slack message is verbatim, escaped text: no raw character, mention or link from the values', (_kind, notification) => {
    // Act
    const message = slackMessage({ ...hostile(notification), ...(notification.kind === 'approvalRequested' ? { links } : {}) } as PublishedNotification, API);

    // Assess
    for (const text of stringsOf(message)) expect(unsafeLeft(text)).toEqual([]);
    const mrkdwn = message.blocks.flatMap((block) => [...('text' in block && block.text ? [block.text] : []), ...('fields' in block && block.fields ? block.fields : []), ...(block.type === 'context' ? block.elements : [])]).filter((text) => text.type === 'mrkdwn');
    expect(mrkdwn.length).toBeGreaterThan(0);
    for (const text of mrkdwn) {
      expect(text).toMatchObject({ verbatim: true });
      expect(text.text).not.toMatch(/[<>]/);
    }
  });

  it('turns the bidi override and controls of a spec message into visible escapes on the approval page', () => {
    // Prepare
    const approvalFacts = { approvalId: 'a', deploymentId: 'd', functionName: 'orders', alias: 'live', currentWeight: 10, health: 'green', startedBy: 'ci', expiresAt: 0, message: 'ok' };

    // Act
    const view = renderApprovalView({ kind: 'confirm', facts: hostile(approvalFacts), sig: 's', exp: '1' });
    const outcome = renderApprovalOutcome({ kind: 'decided', decision: 'APPROVED', by: `Mallory${HOSTILE}`, at: 0, facts: hostile(approvalFacts) });

    // Assess
    for (const page of [view.html, outcome.html]) {
      expect(unsafeLeft(page)).toEqual([]);
      expect(page).toContain('\\u202eevil');
      expect(page).not.toContain('<b>');
    }
  });

  it('writes log lines that are JSON with no raw C1, bidi or zero-width character', () => {
    // Prepare
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
    vi.stubEnv('FLEDGE_LOG', '');

    // Act
    log.warn(`dropped ${HOSTILE}`, { key: HOSTILE });
    vi.unstubAllEnvs();
    write.mockRestore();

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^[^\n]*\n$/);
    expect(unsafeLeft(lines[0]!)).toEqual([]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'WARN', message: `dropped ${HOSTILE}`, key: HOSTILE });
  });
});
