import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `fledge stack` runs osls, the open-source Serverless Framework v3 fork that builds and
 * deploys fledge's stack (docs/deploy.md). In a checkout: the checkout itself, with its own
 * osls and plugins (devDependencies) bundling functions/*.ts, exactly as `npm run package` does.
 * From an installed fledge-deploy, which ships no TypeScript: a work folder assembled from the
 * package (serverless.yml, serverless/, the state machine, the prebuilt handlers of
 * dist/stack/functions/ in place of functions/*.ts), whose osls toolchain is installed on demand
 * with npm, at the versions this fledge was tested with (the package's devDependencies).
 */
export interface StackService {
  /** The folder osls runs in (its `serviceDir`). */
  readonly dir: string;
  /** True when `dir` is a checkout of fledge (functions built from source). */
  readonly checkout: boolean;
  /** The fledge package's own folder. */
  readonly packageRoot: string;
}

/** The packages `fledge stack` needs in an installed package's work folder. */
export const STACK_TOOLCHAIN = ['osls', 'serverless-esbuild', 'serverless-step-functions', 'esbuild', 'yaml'] as const;

/** The fledge package root: the nearest folder up from this module with fledge's package.json. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  const manifest = join(from, 'package.json');
  if (existsSync(manifest) && existsSync(join(from, 'serverless.yml'))) return from;
  const parent = dirname(from);
  if (parent === from) throw new Error('cannot find the fledge package (its serverless.yml) above the CLI');
  return packageRoot(parent);
}

/** The service of `root`: the checkout itself, or a work folder under `workDir` (default `.fledge/stack` in the current folder). */
export function stackService(root: string, workDir = resolve('.fledge', 'stack')): StackService {
  const checkout = existsSync(join(root, 'functions', 'engine-functions.ts'));
  return { dir: checkout ? root : workDir, checkout, packageRoot: root };
}

/**
 * Fills an installed package's work folder with what osls reads: serverless.yml and serverless/
 * and the state machine as shipped, the prebuilt handlers as functions/. Replaced on every run, so
 * a newer fledge-deploy never deploys an older copy.
 */
export function assemble(service: StackService): void {
  if (service.checkout) return;
  const { dir, packageRoot: root } = service;
  mkdirSync(dir, { recursive: true });
  for (const part of ['serverless', 'functions', 'state-machines']) rmSync(join(dir, part), { recursive: true, force: true });
  cpSync(join(root, 'serverless.yml'), join(dir, 'serverless.yml'));
  cpSync(join(root, 'serverless'), join(dir, 'serverless'), { recursive: true });
  for (const machine of ['deployment.asl.yml', 'waves.asl.yml']) cpSync(join(root, 'state-machines', machine), join(dir, 'state-machines', machine));
  const prebuilt = join(root, 'dist', 'stack', 'functions');
  if (!existsSync(prebuilt)) throw new Error(`this fledge-deploy has no prebuilt stack functions (${prebuilt}): reinstall it`);
  cpSync(prebuilt, join(dir, 'functions'), { recursive: true });
  // osls (and serverless-esbuild) read the service's package.json; the stack's ESM config needs "type": "module".
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, type: 'module', description: 'fledge stack work folder, written by `fledge stack`' }, null, 2)}\n`);
}

/** The path of osls's entry in the service, or undefined when the toolchain is not installed there. */
export function oslsEntry(service: StackService): string | undefined {
  const entry = join(service.dir, 'node_modules', 'osls', 'bin', 'serverless.js');
  return existsSync(entry) ? entry : undefined;
}

/** `name@version` for each toolchain package, at the versions of the package's manifest. */
export function toolchainSpecs(root: string): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const versions = { ...manifest.devDependencies, ...manifest.dependencies };
  return STACK_TOOLCHAIN.map((name) => `${name}@${versions[name] ?? 'latest'}`);
}

/** Installs the toolchain into an installed package's work folder with npm (from its cache when it can). */
export function installToolchain(service: StackService, log: (line: string) => void): void {
  const specs = toolchainSpecs(service.packageRoot);
  log(`fledge stack: installing ${specs.join(' ')} into ${relative(process.cwd(), service.dir) || '.'} (once)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', ...specs], { cwd: service.dir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm could not install the stack's toolchain (${specs.join(' ')}) into ${service.dir}: see npm's output above`);
}
