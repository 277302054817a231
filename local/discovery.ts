import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LocalAwsError } from '@fledge-local/embedded-aws/errors';

/**
 * What a running `fledge local` tells the other commands of the same project, so that
 * `fledge deploy --local`, `fledge traffic --local`, … find it without being told the ports.
 * Written to `<project>/.fledge/local.json` when local mode is up, removed when it stops.
 */
export interface LocalDiscovery {
  /** Format of this file; bumped on an incompatible change. */
  readonly version: 1;
  /** The embedded AWS's edge endpoint (AWS_ENDPOINT_URL). */
  readonly endpoint: string;
  /** Base URL of the deployments API and the approval pages. */
  readonly apiUrl: string;
  readonly region: string;
  /** The artifacts bucket (specs and zips dropped under `deployments/` start deployments). */
  readonly bucket: string;
  readonly tableName: string;
  readonly stateMachineArn: string;
  readonly approvalTopicArn: string;
  readonly notificationTopicArn: string;
  /** Where approval e-mails land in local mode: the embedded SNS outbox, read with GET on this URL. */
  readonly outboxUrl: string;
  /** Absolute data directory, or null when nothing is kept across restarts. */
  readonly dataDir: string | null;
  readonly timeScale: number;
  /** Process id of the `fledge local` that wrote the file: a file whose process is gone is stale. */
  readonly pid: number;
  /** Real epoch ms at start-up. */
  readonly startedAt: number;
}

/** Raised when `--local` is asked for and no running local mode can be found. */
export class LocalModeNotRunningError extends LocalAwsError {
  override readonly name = 'LocalModeNotRunningError';
}

/** Directory of fledge's local files in a project: `FLEDGE_DIR`, else `.fledge` under `cwd`. */
export function fledgeDir(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  return resolve(cwd, env['FLEDGE_DIR'] || '.fledge');
}

/** Path of the discovery file. */
export function discoveryPath(dir: string = fledgeDir()): string {
  return join(dir, 'local.json');
}

/** Writes the discovery file atomically (a reader never sees half a file). */
export async function writeDiscovery(info: LocalDiscovery, dir: string = fledgeDir()): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = discoveryPath(dir);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(info, null, 2)}\n`);
  await rename(temporary, path);
  return path;
}

/**
 * Removes the discovery file, but only if it is still ours: a second `fledge local` (another
 * port, another data directory) may have replaced it meanwhile.
 */
export async function removeDiscovery(dir: string = fledgeDir(), pid: number = process.pid): Promise<void> {
  const current = await readDiscoveryFile(dir).catch(() => undefined);
  if (current?.pid === pid) await rm(discoveryPath(dir), { force: true });
}

/**
 * The running local mode of this project.
 *
 * @throws {LocalModeNotRunningError} when there is no discovery file, it cannot be read, or the
 *   process that wrote it is gone (it was killed without cleaning up).
 */
export async function findLocalMode(dir: string = fledgeDir()): Promise<LocalDiscovery> {
  const path = discoveryPath(dir);
  let info: LocalDiscovery | undefined;
  try {
    info = await readDiscoveryFile(dir);
  } catch (error) {
    throw new LocalModeNotRunningError(`cannot read ${path}: ${(error as Error).message}; start local mode again with \`npm start\` (fledge local)`, { cause: error });
  }
  if (info === undefined) {
    throw new LocalModeNotRunningError(`local mode is not running here (no ${path}): start it with \`npm start\` (fledge local) in this directory, or pass --endpoint <url>`);
  }
  if (!isAlive(info.pid)) {
    throw new LocalModeNotRunningError(`local mode is not running any more (${path} was written by process ${info.pid}, which is gone): start it again with \`npm start\` (fledge local)`);
  }
  return info;
}

async function readDiscoveryFile(dir: string): Promise<LocalDiscovery | undefined> {
  let text: string;
  try {
    text = await readFile(discoveryPath(dir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<LocalDiscovery>;
  if (parsed.version !== 1 || typeof parsed.endpoint !== 'string' || typeof parsed.pid !== 'number') {
    throw new Error('not a fledge local-mode discovery file of version 1');
  }
  return parsed as LocalDiscovery;
}

function isAlive(pid: number): boolean {
  try {
    // Signal 0 checks existence only; EPERM means it exists but belongs to someone else.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
