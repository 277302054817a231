import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasOf, existingFunction, guardAliases, userCode } from '../support/engine';
import { startGithubStandIn, type GithubStandIn } from '../support/github-stand-in';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import { runProcess, startCliWorld, type CliWorld } from '../cli/cli-world';
import { ROOT } from '../cli/run-cli';

// Issue 18: the GitHub Action's entry point and the Buildkite plugin's command hook, run as their
// runners run them — inputs as INPUT_* variables with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files,
// options as BUILDKITE_PLUGIN_FLEDGE_* variables with buildkite-agent on the PATH — against fledge
// on the embedded AWS (local mode), with the CLI the package installs (dist/fledge.mjs). Local mode
// has a GitHub token and a stand-in of GitHub's API (`fledge local --github-api-url`): the repository
// and commit the integrations pass become GitHub deployments with statuses, as on AWS.

const CLI = join(ROOT, 'dist/fledge.mjs');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** A project folder: a spec whose relative zip is next to it, and the zip. */
function project(name: string, artifact = 'zip: build/function.zip', extra = ''): { spec: string; zip: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-ci-'));
  writeFileSync(join(dir, 'release.yaml'), `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  ${artifact}\nstrategy:\n  preset: AllAtOnce\nhealth:\n  minInvocations: 0\n${extra}`);
  writeFileSync(join(dir, 'v2.zip'), functionZip(userCode('v2')));
  return { spec: join(dir, 'release.yaml'), zip: join(dir, 'v2.zip'), dir };
}

/** `name=value` lines of a GITHUB_OUTPUT file. */
function outputsOf(file: string): Record<string, string> {
  return Object.fromEntries(readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('CI integrations against fledge on the embedded AWS', () => {
  let world: CliWorld;
  let github: GithubStandIn;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    github = await startGithubStandIn();
    world = await startCliWorld({ notifications: { githubToken: 'ghp_ci-token', githubApiUrl: github.url } });
  });
  afterAll(async () => {
    await world?.stop();
    await github?.stop();
  });

  /** The stored spec's source of a deployment. */
  const sourceOf = async (id: string | undefined) => (await world.plane.deps.store.getDeployment(id ?? 'missing'))?.spec.source;
  /** The GitHub deployment fledge created for a deployment, and the states it set, once the last is `final`. */
  async function githubDeploymentOf(id: string | undefined, final: string): Promise<{ deployment: GithubStandIn['created'][number] | undefined; states: string[] }> {
    const states = await eventually(async () => {
      const set = github.statesOf(id ?? 'missing');
      return set.at(-1) === final ? set : undefined;
    });
    return { deployment: github.created.find((d) => (d.payload as { fledgeDeploymentId?: string }).fledgeDeploymentId === id), states };
  }

  const localEnv = (): NodeJS.ProcessEnv => ({ ...process.env, NO_COLOR: '1', FLEDGE_DIR: world.fledgeDir, FLEDGE_CLI: CLI, AWS_REGION: world.aws.region });

  describe('the GitHub Action', () => {
    /** Runs ci/github/run.mjs as the composite step does, with the runner's files and variables. */
    async function runAction(inputs: Record<string, string>): Promise<{ code: number | null; stderr: string; outputs: Record<string, string>; summary: string }> {
      const dir = mkdtempSync(join(tmpdir(), 'fledge-gha-'));
      const output = join(dir, 'output');
      const summary = join(dir, 'summary');
      writeFileSync(output, '');
      writeFileSync(summary, '');
      const env: NodeJS.ProcessEnv = {
        ...localEnv(),
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_REPOSITORY: 'acme/orders',
        GITHUB_SHA: SHA,
        GITHUB_REF: 'refs/heads/main',
        GITHUB_RUN_ID: '42',
        ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value])),
      };
      const result = await runProcess(process.execPath, [join(ROOT, 'ci/github/run.mjs')], env, 60_000);
      return { code: result.code, stderr: result.stderr, outputs: outputsOf(output), summary: readFileSync(summary, 'utf8') };
    }

    it('deploys, waits, sets the outputs and writes a job summary with the timeline', async () => {
      // Prepare
      const name = touch('gha-fn');
      await existingFunction(world, name);
      const { spec, zip } = project(name);

      // Act
      const run = await runAction({ spec, zip, wait: 'true', timeout: '60', local: 'true' });

      // Assess
      expect(run.code, run.stderr).toBe(0);
      expect(run.outputs).toEqual({ 'deployment-id': expect.stringMatching(/^s3-/), status: 'SUCCEEDED', 'new-version': '2', 'previous-version': '1' });
      expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
      expect(run.summary).toMatch(/^### ✅ fledge: gha-fn:live SUCCEEDED$/m);
      expect(run.summary).toContain(`| deployment | \`${run.outputs['deployment-id']}\` |`);
      expect(run.summary).toContain('| versions | 1 → 2 |');
      expect(run.summary).toContain('| source | acme/orders refs/heads/main @ `0123456789ab` |');
      expect(run.summary).toMatch(/^\| at \| event \| what happened \|$/m);
      expect(run.summary).toMatch(/^\| \S+ \| published \| published version 2 of gha-fn \|$/m);
      expect(run.summary).toMatch(/^\| \S+ \| promoted \| .*version 2 promoted/m);
      // The run's repository and commit became the spec's source; fledge reported to GitHub, ending in success.
      expect(await sourceOf(run.outputs['deployment-id'])).toEqual({ github: { repository: 'acme/orders', ref: SHA } });
      const { deployment, states } = await githubDeploymentOf(run.outputs['deployment-id'], 'success');
      expect(deployment).toMatchObject({ repository: 'acme/orders', ref: SHA, environment: 'live' });
      expect(states).toEqual(['in_progress', 'success']);
    });

    it('fails the step on a refused deployment, with the outputs, the reason in the summary and an error annotation', async () => {
      // Prepare: a spec adopting a version the function never published.
      const name = touch('gha-refused-fn');
      await existingFunction(world, name);
      const { spec } = project(name, 'version: 9');

      // Act
      const run = await runAction({ spec, wait: 'true', timeout: '60', local: 'true', environment: 'staging' });

      // Assess
      expect(run.code).toBe(1);
      expect(run.outputs).toMatchObject({ status: 'REJECTED', 'previous-version': '' });
      expect(await sourceOf(run.outputs['deployment-id'])).toEqual({ github: { repository: 'acme/orders', ref: SHA, environment: 'staging' } });
      expect((await githubDeploymentOf(run.outputs['deployment-id'], 'failure')).deployment).toMatchObject({ ref: SHA, environment: 'staging' });
      expect(run.stderr).toMatch(/^::error::fledge: gha-refused-fn:live REJECTED: .*has no version 9 \(artifact\.version\)/m);
      expect(run.summary).toMatch(/^### ❌ fledge: gha-refused-fn:live REJECTED$/m);
      expect(run.summary).toMatch(/\| reason \| .*has no version 9/);
      expect(await aliasOf(world, name)).toMatchObject({ version: '1', weights: {} });
    });

    it('refuses to override a source.github the spec already names, and with github-deployment false sends the spec as written', async () => {
      // Prepare
      const name = touch('gha-own-source-fn');
      await existingFunction(world, name);
      const { spec, zip } = project(name, 'zip: build/function.zip', 'source:\n  github: { repository: acme/orders, ref: release-1 }\n');

      // Act
      const refused = await runAction({ spec, zip, local: 'true' });
      const asWritten = await runAction({ spec, zip, local: 'true', 'github-deployment': 'false' });

      // Assess
      expect(refused).toMatchObject({ code: 1, outputs: {}, summary: '' });
      expect(refused.stderr).toContain(`::error::fledge deploy started nothing (exit code 2): fledge: the spec already has source.github (repository acme/orders, ref release-1); --github-ref "${SHA}" would change it`);
      expect(asWritten.code, asWritten.stderr).toBe(0);
      expect(await sourceOf(asWritten.outputs['deployment-id'])).toEqual({ github: { repository: 'acme/orders', ref: 'release-1' } });
      expect((await githubDeploymentOf(asWritten.outputs['deployment-id'], 'success')).deployment).toMatchObject({ ref: 'release-1', environment: 'live' });
    });

    it('refuses a bad input by name and writes nothing', async () => {
      // Act
      const run = await runAction({ spec: 'release.yaml', wait: 'maybe', local: 'true' });
      const missing = await runAction({ local: 'true' });

      // Assess
      expect(run).toMatchObject({ code: 2, outputs: {}, summary: '' });
      expect(run.stderr).toContain('::error::fledge: input "wait" must be true or false, got "maybe"');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('input "spec" is required');
      const badSwitch = await runAction({ spec: 'release.yaml', 'github-deployment': 'yes', local: 'true' });
      expect(badSwitch).toMatchObject({ code: 2, outputs: {}, summary: '' });
      expect(badSwitch.stderr).toContain('::error::fledge: input "github-deployment" must be true or false, got "yes"');
    });

    it('action.yml passes every input of the entry point as INPUT_<NAME> and its outputs from the deploy step', () => {
      // Prepare
      const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
        inputs: Record<string, unknown>;
        outputs: Record<string, { value: string }>;
        runs: { using: string; steps: { id?: string; uses?: string; with?: Record<string, string>; run?: string; env?: Record<string, string> }[] };
      };
      const deploy = action.runs.steps.find((step) => step.id === 'deploy');
      const oidc = action.runs.steps.find((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));

      // Assess
      expect(action.runs.using).toBe('composite');
      expect(deploy?.run).toContain('ci/github/run.mjs');
      const forwarded = Object.keys(action.inputs).filter((name) => !['role-to-assume', 'fledge-version'].includes(name));
      expect(deploy?.env).toEqual(Object.fromEntries(forwarded.map((name) => [`INPUT_${name.toUpperCase()}`, `\${{ inputs.${name} }}`])));
      expect(oidc?.with).toMatchObject({ 'role-to-assume': '${{ inputs.role-to-assume }}' });
      for (const name of ['deployment-id', 'status', 'new-version']) expect(action.outputs[name]?.value).toBe(`\${{ steps.deploy.outputs.${name} }}`);
      // The action installs the fledge-deploy of its own release.
      expect((action.inputs['fledge-version'] as { default: string }).default).toBe(VERSION);
    });
  });

  describe('the Buildkite plugin', () => {
    /** Runs hooks/command as the agent does, with a buildkite-agent that records its calls. */
    async function runHook(options: Record<string, string>, build: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string; calls: { args: string[]; stdin: string }[] }> {
      const bin = mkdtempSync(join(tmpdir(), 'fledge-bk-'));
      const log = join(bin, 'calls.jsonl');
      writeFileSync(log, '');
      writeFileSync(join(bin, 'buildkite-agent'), `#!/usr/bin/env node\nconst stdin = process.argv[2] === 'annotate' ? require('fs').readFileSync(0, 'utf8') : '';\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args: process.argv.slice(2), stdin }) + '\\n');\n`);
      chmodSync(join(bin, 'buildkite-agent'), 0o755);
      const env: NodeJS.ProcessEnv = {
        ...localEnv(),
        PATH: [bin, process.env['PATH']].join(delimiter),
        BUILDKITE: 'true',
        BUILDKITE_BUILD_URL: 'https://buildkite.com/acme/orders/builds/7',
        BUILDKITE_REPO: 'git@github.com:acme/orders.git',
        BUILDKITE_COMMIT: SHA,
        ...build,
        ...Object.fromEntries(Object.entries(options).map(([name, value]) => [`BUILDKITE_PLUGIN_FLEDGE_${name.toUpperCase().replace(/-/g, '_')}`, value])),
      };
      const result = await runProcess('bash', [join(ROOT, 'ci/buildkite/hooks/command')], env, 60_000);
      const calls = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { args: string[]; stdin: string });
      return { ...result, calls };
    }

    it('deploys, waits, sets the build meta-data and annotates the build with the timeline', async () => {
      // Prepare
      const name = touch('bk-fn');
      await existingFunction(world, name);
      const { spec, zip } = project(name);

      // Act
      const run = await runHook({ spec, zip, wait: 'true', timeout: '60', local: 'true' });

      // Assess
      expect(run.code, run.stderr).toBe(0);
      const meta = Object.fromEntries(run.calls.filter((call) => call.args[0] === 'meta-data').map((call) => [call.args[2], call.args[3]]));
      expect(meta).toEqual({ 'fledge:deployment-id': expect.stringMatching(/^s3-/), 'fledge:status': 'SUCCEEDED', 'fledge:new-version': '2', 'fledge:previous-version': '1' });
      const annotation = run.calls.find((call) => call.args[0] === 'annotate');
      expect(annotation?.args).toEqual(['annotate', '--style', 'success', '--context', `fledge-${meta['fledge:deployment-id']}`]);
      expect(annotation?.stdin).toMatch(/^### fledge: bk-fn:live SUCCEEDED$/m);
      expect(annotation?.stdin).toContain('| build | https://buildkite.com/acme/orders/builds/7 |');
      expect(annotation?.stdin).toContain('| source | acme/orders @ 0123456789ab |');
      expect(annotation?.stdin).toMatch(/^\| \S+ \| promoted \| .*version 2 promoted/m);
      expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
      // The build's GitHub repository and commit became the spec's source; fledge reported to GitHub.
      expect(await sourceOf(meta['fledge:deployment-id'])).toEqual({ github: { repository: 'acme/orders', ref: SHA } });
      const { deployment, states } = await githubDeploymentOf(meta['fledge:deployment-id'], 'success');
      expect(deployment).toMatchObject({ repository: 'acme/orders', ref: SHA, environment: 'live' });
      expect(states).toEqual(['in_progress', 'success']);
    });

    it('passes a github.com repository in any URL form as owner/name with the commit, and nothing for another host or no commit', async () => {
      // Prepare: a fledge that records its arguments and answers as `deploy --output json` does.
      const dir = mkdtempSync(join(tmpdir(), 'fledge-bk-cli-'));
      const argsFile = join(dir, 'args.json');
      const fakeCli = join(dir, 'fledge.mjs');
      writeFileSync(fakeCli, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));\nprocess.stdout.write(JSON.stringify({ deploymentId: 'd-1', status: 'SUCCEEDED', functionName: 'f', alias: 'live', events: [] }));\n`);
      const sourceArgs = async (repo: string, commit: string, options: Record<string, string> = {}) => {
        const run = await runHook({ spec: 'release.yaml', ...options }, { BUILDKITE_REPO: repo, BUILDKITE_COMMIT: commit, FLEDGE_CLI: fakeCli });
        expect(run.code, run.stderr).toBe(0);
        const args = JSON.parse(readFileSync(argsFile, 'utf8')) as string[];
        return args.filter((arg, i) => arg.startsWith('--github-') || args[i - 1]?.startsWith('--github-'));
      };
      const expected = ['--github-repository', 'acme/orders', '--github-ref', SHA];

      // Act / Assess
      for (const repo of ['https://github.com/acme/orders', 'ssh://git@github.com/acme/orders.git', 'https://x-access-token@github.com/acme/orders.git']) {
        expect(await sourceArgs(repo, SHA), repo).toEqual(expected);
      }
      expect(await sourceArgs('git@github.com:acme/orders.git', SHA, { environment: 'production' })).toEqual([...expected, '--github-environment', 'production']);
      expect(await sourceArgs('https://github.example.com/acme/orders.git', SHA)).toEqual([]);
      expect(await sourceArgs('git@github.com:acme/orders.git', 'HEAD')).toEqual([]);
      expect(await sourceArgs('git@github.com:acme/orders.git', SHA, { 'github-deployment': 'false' })).toEqual([]);
    });

    it('fails the step on a refused deployment and annotates it as an error with the reason', async () => {
      // Prepare
      const name = touch('bk-refused-fn');
      await existingFunction(world, name);
      const { spec } = project(name, 'version: 9');

      // Act: a repository that is not on github.com has no GitHub deployments.
      const run = await runHook({ spec, local: 'true' }, { BUILDKITE_REPO: 'https://gitlab.com/acme/orders.git' });

      // Assess
      expect(run.code).toBe(1);
      expect(await sourceOf(run.calls.find((call) => call.args[2] === 'fledge:deployment-id')?.args[3])).toBeUndefined();
      const annotation = run.calls.find((call) => call.args[0] === 'annotate');
      expect(annotation?.args.slice(0, 3)).toEqual(['annotate', '--style', 'error']);
      expect(annotation?.stdin).toMatch(/\| reason \| .*has no version 9/);
      expect(run.calls).toContainEqual({ args: ['meta-data', 'set', 'fledge:status', 'REJECTED'], stdin: '' });
    });

    it('refuses a bad option by name before running anything', async () => {
      // Act
      const run = await runHook({ spec: 'release.yaml', timeout: 'soon' });

      // Assess
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('fledge plugin: timeout must be a whole number of seconds, got "soon"');
      expect(run.calls).toEqual([]);
      const badSwitch = await runHook({ spec: 'release.yaml', 'github-deployment': 'maybe' });
      expect(badSwitch.code).toBe(2);
      expect(badSwitch.stderr).toContain('fledge plugin: github-deployment must be true or false, got "maybe"');
    });

    it('plugin.yml declares every option the hook reads', () => {
      // Prepare
      const plugin = parse(readFileSync(join(ROOT, 'ci/buildkite/plugin.yml'), 'utf8')) as { name: string; configuration: { properties: Record<string, unknown>; required: string[] } };
      const hook = readFileSync(join(ROOT, 'ci/buildkite/hooks/command'), 'utf8');
      const read = [...hook.matchAll(/BUILDKITE_PLUGIN_FLEDGE_([A-Z_]+)/g)].map((match) => match[1]!.toLowerCase().replace(/_/g, '-'));

      // Assess
      expect(plugin.name).toBe('fledge');
      expect(hook).toContain(`version="\${BUILDKITE_PLUGIN_FLEDGE_FLEDGE_VERSION:-${VERSION}}"`);
      expect(plugin.configuration.required).toEqual(['spec']);
      expect(Object.keys(plugin.configuration.properties).sort()).toEqual([...new Set(read)].sort());
    });
  });
});
