import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDiscovery } from '../../local/discovery';
import type { ControlPlaneOptions } from '../../local/fledge-on-local';
import { provisionS3Drop } from '../../local/mode-trigger';
import { startInterfaces, type InterfaceWorld } from '../api/world';
import { ROOT, type CliResult } from './run-cli';

/** The embedded AWS with fledge, its local API and S3 drop, announced in a discovery file as `fledge local` does. */
export interface CliWorld extends InterfaceWorld {
  /** `FLEDGE_DIR` for the CLI processes: where `--local` finds the discovery file. */
  readonly fledgeDir: string;
}

/** Starts a {@link CliWorld}; `options` as local mode's (e.g. `notifications` for a GitHub stand-in, as `fledge local --github-api-url`). */
export async function startCliWorld(options: ControlPlaneOptions = {}): Promise<CliWorld> {
  // Three SDK attempts per call, as local mode provisions fledge: the CLI's deployments have
  // other processes competing for the CPU, and a person's local mode retries the same way.
  const world = await startInterfaces({ sdkMaxAttempts: 3, ...options });
  await provisionS3Drop(world.aws, world.plane);
  const fledgeDir = mkdtempSync(join(tmpdir(), 'fledge-cli-local-'));
  await writeDiscovery(
    {
      version: 1,
      endpoint: world.aws.endpoint,
      apiUrl: world.api.url,
      region: world.aws.region,
      bucket: world.plane.bucket,
      tableName: world.plane.tableName,
      stateMachineArn: world.plane.stateMachineArn,
      approvalTopicArn: world.plane.approvalTopicArn,
      notificationTopicArn: world.plane.notificationTopicArn,
      outboxUrl: `${world.aws.endpoint}/_fledge/sns/outbox`,
      dataDir: null,
      timeScale: world.aws.clock.timeScale,
      // This process serves the embedded AWS, so it is the "fledge local" the CLI looks for.
      pid: process.pid,
      startedAt: Date.now(),
    },
    fledgeDir,
  );
  return { ...world, fledgeDir };
}

/**
 * Runs the bundled CLI as a real process, asynchronously: the embedded AWS it talks to lives in
 * this test process, so the event loop must keep serving while the CLI runs.
 */
export function runCliAsync(world: CliWorld, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return runProcess(process.execPath, [join(ROOT, 'dist/fledge.mjs'), ...args], { ...process.env, NO_COLOR: '1', FLEDGE_DIR: world.fledgeDir, AWS_REGION: world.aws.region, ...options.env }, options.timeoutMs);
}

/** An environment with no AWS settings at all: a fresh HOME, no credentials, no region, no fledge configuration; `extra` on top. */
export function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(AWS_|FLEDGE_|XDG_CONFIG_HOME$)/.test(key)) env[key] = value;
  return { ...env, HOME: mkdtempSync(join(tmpdir(), 'fledge-home-')), NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

/** Runs the bundled CLI as a real process with exactly `env` (a {@link bareEnv}), asynchronously. */
export function runCliWithEnv(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return runProcess(process.execPath, [join(ROOT, 'dist/fledge.mjs'), ...args], env);
}

/** Runs a process to its end without blocking this process's event loop. */
export function runProcess(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 25_000): Promise<CliResult> {
  return startProcess(file, args, env, timeoutMs).result;
}

/** A process still running: its output so far, and its end. */
export interface RunningProcess {
  stdout(): string;
  readonly result: Promise<CliResult>;
}

/** Starts a process; the caller can watch its output while it runs (e.g. `status --watch`). */
export function startProcess(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 25_000): RunningProcess {
  let stdout = '';
  let stderr = '';
  const result = new Promise<CliResult>((resolve, reject) => {
    const child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { stdout: () => stdout, result };
}

/** The environment the CLI processes of a {@link CliWorld} run with. */
export function cliEnv(world: CliWorld): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', FLEDGE_DIR: world.fledgeDir, AWS_REGION: world.aws.region };
}
