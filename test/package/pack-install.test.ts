import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/run-cli';

// Issue 18: fledge as a user gets it. The tarball `npm pack` makes (of the dist/ the global setup
// built) is installed into an empty directory with production dependencies only, from npm's cache
// where it can (`--prefer-offline`; `npm ci` filled it), and the installed `fledge` is run there.
// About a minute on two cores, most of it npm installing.

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; optionalDependencies: Record<string, string> };

/**
 * The environment of a user's shell: this Node.js first on the PATH (npm and fledge's bin start
 * with `env node`, and npm skips optional dependencies on a Node.js their `engines` refuse), and
 * none of the `npm_*` variables `npm test` sets — `npm_config_local_prefix` would point npm at this
 * checkout instead of the empty directory.
 */
const userEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD')),
  PATH: [dirname(process.execPath), process.env['PATH']].join(delimiter),
  NO_COLOR: '1',
};

interface Run { code: number | null; stdout: string; stderr: string }

function run(command: string, args: readonly string[], cwd: string, timeout = 120_000): Run {
  const result = spawnSync(command, args, { cwd, env: userEnv, encoding: 'utf8', timeout });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function succeed(command: string, args: readonly string[], cwd: string): Run {
  const result = run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** Installs the tarball into the project, as `npm install [--omit=…] <tarball>` there does. */
function install(omit: readonly string[]): void {
  succeed('npm', ['install', ...omit.map((what) => `--omit=${what}`), '--prefer-offline', '--no-audit', '--no-fund', tarball], project);
}

/** Runs the installed `fledge` in the project, as a user's shell would. */
function fledge(args: readonly string[]): Run {
  return run(join(project, 'node_modules', '.bin', 'fledge'), args, project, 60_000);
}

let work: string;
let tarball: string;
let packedFiles: string[];
/** The user's project: an empty directory, then the package installed there. */
let project: string;
let modules: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'fledge-pack-'));
  // --ignore-scripts: `prepare` would rebuild dist/ under the other test files running now; the
  // global setup has just built it with the same script.
  const packed = succeed('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
  const [report] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  tarball = join(work, report.filename);
  packedFiles = report.files.map((file) => file.path).sort();
  project = join(work, 'project');
  modules = join(project, 'node_modules');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "private": true }\n');
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
}, 120_000);

describe('the packed tarball', () => {
  it('holds the built CLI, the state machine, the stack, the examples and the licence, and no tests, benchmarks, CI, sources or source maps', () => {
    // Assess
    expect(packedFiles).toEqual(expect.arrayContaining([
      'package.json',
      'README.md',
      'LICENSE',
      'bin/fledge.mjs',
      'dist/fledge.mjs',
      'dist/deployment.asl.yml',
      'state-machines/deployment.asl.yml',
      'state-machines/waves.asl.yml',
      'dist/waves.asl.yml',
      'serverless.yml',
      'serverless/state-machines.yml',
      'examples/canary.yaml',
      'examples/demo/hello-v1.yaml',
      'examples/demo/build/hello-v1.zip',
      'schema/fledge-spec.schema.json',
      'dist/stack/functions/prepare.js',
    ]));
    const allowed = /^(package\.json|README\.md|LICENSE|bin\/fledge\.mjs|dist\/[^/]+\.(mjs|yml)|dist\/stack\/functions\/[\w/.-]+\.js|state-machines\/(deployment|waves)\.asl\.yml|serverless\.yml|serverless\/.+\.(yml|js)|schema\/fledge-spec\.schema\.json|examples\/.+)$/;
    expect(packedFiles.filter((file) => !allowed.test(file))).toEqual([]);
    expect(packedFiles.filter((file) => /(^|\/)(test|tests|bench|\.ci|packages|scripts|docs|node_modules|coverage|\.fledge)\/|\.ts$|\.map$/.test(file))).toEqual([]);
  });

  it('is a public package named for the registry, whose command is fledge', () => {
    // Prepare
    const packed = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;

    // Assess: `fledge` on the registry is another project.
    expect(packed['private']).toBeUndefined();
    expect(packed['name']).toBe('fledge-deploy');
    expect(packed['bin']).toEqual({ fledge: 'bin/fledge.mjs' });
    expect(packed['engines']).toEqual({ node: expect.stringMatching(/^>=22/) });
    expect(tarball.endsWith(`${pkg.name}-${pkg.version}.tgz`)).toBe(true);
  });
});

// The two installations follow each other in one project, as for a user who first only deploys
// and later wants the demo: the second adds the optional dependencies (one full install fewer).
describe('installed with production dependencies only, without the optional embedded AWS', () => {
  beforeAll(() => {
    install(['dev', 'optional']);
  }, 180_000);

  it('answers --help, validates and plans a spec', () => {
    // Act
    const help = fledge(['--help']);
    const validate = fledge(['validate', join(modules, pkg.name, 'examples/canary.yaml')]);
    const plan = fledge(['plan', join(modules, pkg.name, 'examples/canary.yaml')]);

    // Assess
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: fledge/);
    for (const command of ['deploy', 'status', 'validate', 'plan', 'demo', 'local']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(validate).toMatchObject({ code: 0, stderr: '' });
    expect(validate.stdout).toMatch(/canary\.yaml: valid \(function orders-api, alias live, canary strategy\)/);
    expect(plan).toMatchObject({ code: 0, stderr: '' });
    expect(plan.stdout).toMatch(/Plan for orders-api, alias live/);
    expect(plan.stdout).toMatch(/Publish a new version/);
  });

  it('exports the spec\'s JSON Schema, which the installed examples name by a path that resolves', () => {
    // Act: as an editor plugin or a user's own tooling finds it.
    const resolved = run(process.execPath, ['--input-type=module', '-e', `console.log(import.meta.resolve('${pkg.name}/schema/fledge-spec.schema.json'))`], project);
    const example = readFileSync(join(modules, pkg.name, 'examples/canary.yaml'), 'utf8');

    // Assess
    expect(resolved).toMatchObject({ code: 0, stderr: '' });
    const schemaPath = new URL(resolved.stdout.trim()).pathname;
    expect(JSON.parse(readFileSync(schemaPath, 'utf8'))).toMatchObject({ title: 'fledge deployment spec, version 1', type: 'object' });
    const named = /^# yaml-language-server: \$schema=(\S+)$/m.exec(example)?.[1];
    expect(named && join(modules, pkg.name, 'examples', named)).toBe(schemaPath);
  });

  it('writes a starter spec with fledge init that names the installed schema and validates', () => {
    // Act
    const init = fledge(['init', 'deploy/orders.yaml', '--yes', '--function', 'orders-api', '--from-latest']);
    const validate = fledge(['validate', 'deploy/orders.yaml']);

    // Assess
    expect(init).toMatchObject({ code: 0, stderr: '' });
    expect(validate).toMatchObject({ code: 0, stderr: '' });
    const named = /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(join(project, 'deploy/orders.yaml'), 'utf8'))?.[1];
    expect(named).toBe('../node_modules/fledge-deploy/schema/fledge-spec.schema.json');
  });

  it('builds the stack with fledge stack package: a CloudFormation template with the deployer and approver policies, and a zip per function', () => {
    // Act: the first run installs osls and its plugins into .fledge/stack/ (from npm's cache).
    const dryRun = fledge(['stack', 'deploy', '--stage', 'prod', '--region', 'eu-west-1', '--param', 'managedFunctions=orders-*', '--dry-run']);
    const packaged = run(join(project, 'node_modules', '.bin', 'fledge'), ['stack', 'package', '--stage', 'test', '--region', 'eu-west-1'], project, 300_000);

    // Assess
    expect(dryRun).toMatchObject({ code: 0, stdout: "in .fledge/stack (assembled from the installed package):\n  osls deploy --stage prod --region eu-west-1 --param 'managedFunctions=orders-*'\n" });
    expect(packaged.code, packaged.stderr).toBe(0);
    const out = join(project, '.fledge/stack/package');
    const template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as { Outputs: Record<string, unknown>; Resources: Record<string, { Type: string }> };
    expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(['ArtifactsBucketName', 'HttpApiUrl', 'DeployerPolicyArn', 'ApproverPolicyArn']));
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(14);
    for (const name of ['prepare', 'publish', 'traffic', 'api', 'sweeper']) expect(existsSync(join(out, `${name}.zip`)), `${name}.zip`).toBe(true);
  }, 320_000);

  it('refuses an invalid spec with exit code 1, naming the field', () => {
    // Prepare
    const spec = join(work, 'invalid.yaml');
    writeFileSync(spec, 'version: 1\nfunction: orders-api\nalias: live\nartifact: { zip: build/a.zip }\nstrategy: { preset: NoSuchPreset }\n');

    // Act
    const result = fledge(['validate', spec]);

    // Assess
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toMatch(/strategy\.preset/);
  });

  it('leaves out the embedded AWS, and fledge demo says what is missing and how to install it', () => {
    // Act
    const demo = fledge(['demo']);

    // Assess
    for (const name of Object.keys(pkg.optionalDependencies)) {
      if (name !== 'fflate') expect(existsSync(join(modules, name)), `${name} should not be installed`).toBe(false);
    }
    expect(demo.code).toBe(1);
    expect(demo.stderr).toMatch(/fledge demo needs the embedded AWS/);
    expect(demo.stderr).toMatch(/dynalite/);
    expect(demo.stderr).toMatch(new RegExp(`npm install ${pkg.name}`));
    expect(demo.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('installed with production dependencies, the embedded AWS included', () => {
  beforeAll(() => {
    install(['dev']);
  }, 180_000);

  it('runs fledge demo: v1 deployed, v2 approved, v3 rolled back, exit code 0', () => {
    // Prepare
    for (const name of Object.keys(pkg.optionalDependencies)) expect(existsSync(join(modules, name)), `${name} should be installed`).toBe(true);

    // Act
    const demo = fledge(['demo']);

    // Assess
    expect(demo.stderr).toBe('');
    expect(demo.stdout).toMatch(/v3 \(broken canary\): ROLLED_BACK/);
    expect(demo.stdout).toMatch(/fledge demo: every outcome was the expected one/);
    expect(demo.code).toBe(0);
  });

  it('starts fledge local, which tells where the installed examples are, and stops on SIGTERM', async () => {
    // Prepare
    const child = spawn(join(project, 'node_modules', '.bin', 'fledge'), ['local', '--no-persist', '--port', '0', '--api-port', '0'], { cwd: project, env: userEnv });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
    const exit = new Promise<number | null>((resolve) => child.once('close', resolve));

    // Act
    const deadline = Date.now() + 60_000;
    while (!stdout.includes('Press Ctrl+C to stop.') && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    const code = await exit;

    // Assess
    expect(stdout).toMatch(/fledge local: fledge is running on an embedded AWS/);
    expect(stdout).toMatch(/fledge deploy node_modules\/fledge-deploy\/examples\/demo\/hello-v1\.yaml --local --wait/);
    expect(stdout).toMatch(/fledge local: stopped/);
    expect(code).toBe(0);
  }, 90_000);
});
