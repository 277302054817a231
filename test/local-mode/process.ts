import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../cli/run-cli';

/** A CLI process running in the background, with what it printed so far. */
export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  /** Exit code, or the signal's name when a signal ended it. */
  readonly exit: Promise<number | string | null>;
}

/**
 * Starts the bundled CLI (`dist/fledge.mjs`) as a real process, without blocking this one: the
 * test process may host an embedded AWS the CLI talks to.
 */
export function startFledge(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(process.execPath, [join(ROOT, 'dist/fledge.mjs'), ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...options.env } });
  const running: Running = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? signal))),
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => { running.stdout += text; });
  child.stderr.setEncoding('utf8').on('data', (text: string) => { running.stderr += text; });
  return running;
}

/** Runs the CLI to the end. */
export async function runFledge(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | string | null; stdout: string; stderr: string }> {
  const running = startFledge(args, options);
  const code = await running.exit;
  return { code, stdout: running.stdout, stderr: running.stderr };
}
