import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';

/** The repository root (this file is test/stack/support/package-stack.ts). */
export const ROOT = resolve(import.meta.dirname, '../../..');

/** A CloudFormation template, as far as the tests read it. */
export interface Template {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown>; readonly Condition?: string; readonly DependsOn?: string | string[]; readonly DeletionPolicy?: string; readonly UpdateReplacePolicy?: string }>;
  readonly Parameters?: Record<string, { readonly Type: string; readonly Default?: string; readonly AllowedValues?: string[]; readonly AllowedPattern?: string }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, unknown>;
}

/** One packaged function: its zip's entries by path. */
export interface FunctionBundle {
  readonly zipBytes: number;
  readonly files: Readonly<Record<string, Uint8Array>>;
}

/** The result of one offline `serverless package`. */
export interface PackagedStack {
  readonly template: Template;
  /** By serverless function key (`prepare`, `safetyNet`, …). */
  readonly bundles: Readonly<Record<string, FunctionBundle>>;
  /** The CloudFormation parameter values `osls deploy` will pass (provider.stackParameters). */
  readonly stackParameters: readonly { readonly ParameterKey: string; readonly ParameterValue: string }[];
  readonly seconds: number;
}

/**
 * Runs the real `osls package` offline, as `npm run package` does, into a private folder (so a
 * developer's `.serverless/` and a concurrent run are left alone), with no AWS credentials and
 * telemetry off, and reads back the template and the zips. `params` become `--param` options.
 */
export async function packageStack(params: Readonly<Record<string, string>> = {}): Promise<PackagedStack> {
  const runDir = join(ROOT, 'node_modules/.cache/fledge-stack', `${process.pid}-${Date.now()}`);
  const out = join(runDir, 'out');
  await mkdir(runDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', FLEDGE_ESBUILD_WORK_DIR: join(runDir, 'esbuild').slice(ROOT.length + 1) };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[name];
  const started = performance.now();
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'package', '--package', out, ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)], {
      cwd: ROOT,
      env,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`serverless package failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const seconds = (performance.now() - started) / 1000;
    const template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
    const bundles: Record<string, FunctionBundle> = {};
    for (const name of (await readdir(out)).filter((f) => f.endsWith('.zip'))) {
      const bytes = await readFile(join(out, name));
      bundles[name.slice(0, -'.zip'.length)] = { zipBytes: bytes.byteLength, files: unzipSync(bytes) };
    }
    const state = JSON.parse(await readFile(join(out, 'serverless-state.json'), 'utf8')) as { service: { provider: { stackParameters?: PackagedStack['stackParameters'] } } };
    return { template, bundles, stackParameters: state.service.provider.stackParameters ?? [], seconds };
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}
