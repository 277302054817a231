import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasOf, existingFunction, guardAliases, historyOf, mailTo, subscribeEmail, userCode } from '../support/engine';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { runCliAsync, startCliWorld, type CliWorld } from './cli-world';

const APPROVER = 'release-manager@example.com';

describe('a new user on the embedded AWS', () => {
  let world: CliWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startCliWorld();
    await subscribeEmail(world, world.plane.approvalTopicArn, APPROVER);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('drops a zip and a spec, gets the approval e-mail, approves on the page, and sees the deployment in history', async () => {
    // Prepare
    const name = touch('first-user-fn');
    await existingFunction(world, name);
    const dir = mkdtempSync(join(tmpdir(), 'fledge-first-'));
    writeFileSync(join(dir, 'release.yaml'), `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: function.zip\nstrategy:\n  canary:\n    steps:\n      - setWeight: 10\n      - pause: 1m\n      - approval: { message: "Look at the p99 before going on" }\n      - setWeight: 50\n      - pause: 1m\nhealth:\n  minInvocations: 0  # no traffic here: the pauses only wait\ntimeout: 6h\n`);
    writeFileSync(join(dir, 'function.zip'), functionZip(userCode('v2')));

    // Act: deploy through the bucket, as CI would
    const deployed = await runCliAsync(world, ['deploy', join(dir, 'release.yaml'), '--local']);
    const id = /deployment (s3-[A-Za-z0-9_-]+)/.exec(deployed.stderr)?.[1];
    // … the approver reads the e-mail, opens the link and presses Approve
    const mail = await eventually(async () => (await mailTo(world, APPROVER)).find((m) => id !== undefined && m.body.includes(id)), { what: 'the approval e-mail', timeoutMs: 20_000 });
    const link = /^Approve: (\S+)$/m.exec(mail.body)![1]!;
    const page = await (await fetch(link)).text();
    const action = new URL(/<form method="post" action="([^"]+)"/.exec(page)![1]!.replace(/&#38;/g, '&'), link);
    const decided = await fetch(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ decision: 'approve', name: 'Rita', comment: 'p99 is flat' }) });
    // … and the developer follows it to the end and looks at the history
    const watched = await runCliAsync(world, ['status', id!, '--watch', '--interval', '0.1', '--local']);
    const history = await runCliAsync(world, ['history', name, '--local']);

    // Assess
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toMatch(/RUNNING|AWAITING_APPROVAL|PENDING/);
    expect(mail.subject).toBe(`fledge: approve ${name}:live?`);
    expect(mail.body).toContain('Look at the p99 before going on');
    expect(page).toContain('Look at the p99 before going on');
    expect(decided.status).toBe(200);
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toContain('SUCCEEDED');
    expect(history.stdout).toMatch(new RegExp(`${id}\\s+live\\s+SUCCEEDED\\s+v1 → v2`));
    expect((await historyOf(world, id!)).find((e) => e.kind === 'approvalGiven')?.message).toBe('approved by Rita (signed link): p99 is flat');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
  });
});
