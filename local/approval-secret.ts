import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIN_SECRET_BYTES } from '../shared/domain/approval/signing';

/** File name of the local approval-signing secret inside the data directory. */
export const SECRET_FILE = 'approval-signing-secret';

/** File name of the local webhook signing secret inside the data directory (receivers verify with its text). */
export const WEBHOOK_SECRET_FILE = 'webhook-signing-secret';

/**
 * The approval-signing secret of local mode: generated once and kept (mode 0600) in the data
 * directory, so links mailed before a restart still verify after it; random per run without a
 * data directory. Never printed.
 */
export async function localSigningSecret(dataDir: string | undefined | null): Promise<Buffer> {
  return keptSecret(dataDir, SECRET_FILE);
}

/**
 * The webhook signing secret of local mode, as text (its UTF-8 bytes are the HMAC key, as the
 * stack's Secrets Manager secret's are): kept in `<data dir>/webhook-signing-secret` like the
 * approval secret, so a receiver configured with it keeps verifying after a restart.
 */
export async function localWebhookSecret(dataDir: string | undefined | null): Promise<string> {
  return (await keptSecret(dataDir, WEBHOOK_SECRET_FILE)).toString('base64url');
}

async function keptSecret(dataDir: string | undefined | null, file: string): Promise<Buffer> {
  if (!dataDir) return randomBytes(MIN_SECRET_BYTES);
  const path = join(dataDir, file);
  try {
    const stored = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url');
    if (stored.length >= MIN_SECRET_BYTES) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(MIN_SECRET_BYTES);
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${secret.toString('base64url')}\n`, { mode: 0o600 });
  return secret;
}
