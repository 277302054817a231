import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localSigningSecret, localWebhookSecret, WEBHOOK_SECRET_FILE } from '../../local/approval-secret';

describe("local mode's webhook signing secret", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('is kept in the data directory, readable only by its owner, the same after a restart and apart from the approval key', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-webhook-secret-'));
    dirs.push(dataDir);

    // Act
    const first = await localWebhookSecret(dataDir);
    const again = await localWebhookSecret(dataDir);
    const approval = await localSigningSecret(dataDir);

    // Assess
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(again).toBe(first);
    expect((await readFile(join(dataDir, WEBHOOK_SECRET_FILE), 'utf8')).trim()).toBe(first);
    expect((await stat(join(dataDir, WEBHOOK_SECRET_FILE))).mode & 0o777).toBe(0o600);
    expect(approval.toString('base64url')).not.toBe(first);
  });
});
