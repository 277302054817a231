import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MIN_SECRET_BYTES } from '../shared/domain/approval/signing';

/** File name of the local approval-signing secret inside the data directory. */
export const SECRET_FILE = 'approval-signing-secret';

/**
 * The approval-signing secret of local mode: generated once and kept (mode 0600) in the data
 * directory, so links mailed before a restart still verify after it; random per run without a
 * data directory. Never printed.
 */
export async function localSigningSecret(dataDir: string | undefined | null): Promise<Buffer> {
  if (!dataDir) return randomBytes(MIN_SECRET_BYTES);
  const path = join(dataDir, SECRET_FILE);
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
