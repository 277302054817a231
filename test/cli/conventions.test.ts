import { spawn, spawnSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bareEnv, runCliWithEnv as cli } from './cli-world';
import { ROOT, runCli } from './run-cli';

const SUMMARY = { deploymentId: 'api-01JTEST', functionName: 'orders-api', alias: 'live', status: 'ROLLED_BACK', startedBy: 'ci', source: 'api', createdAt: '2026-11-22T09:14:03.120Z', updatedAt: '2026-11-22T09:20:11.004Z', reason: 'alarm \u001b[2J fired' };

/** A stand-in for fledge's API on AWS: answers the history, records each request's headers. */
class StandIn {
  readonly requests: { path: string; headers: IncomingHttpHeaders }[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        this.requests.push({ path: request.url ?? '', headers: request.headers });
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [SUMMARY] }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}


/** The command names `fledge --help` lists. */
function commandNames(): string[] {
  return runCli(['--help']).stdout.split('\n').flatMap((line) => /^ {2}([a-z][a-z-]*)\b/.exec(line)?.[1] ?? []).filter((name) => name !== 'help');
}

describe('conventions every command follows', () => {
  const api = new StandIn();
  beforeAll(async () => {
    await api.start();
  });
  afterAll(async () => {
    await api.stop();
  });

  it('groups the commands in --help, and gives every command examples and its exit codes', async () => {
    // Act
    const root = runCli(['--help']);
    const names = commandNames();
    const helps = await Promise.all(names.map(async (name) => [name, await cli([name, '--help'], process.env)] as const));

    // Assess
    for (const heading of ['Global options:', 'Preparing a deployment:', 'Deploying:', 'Following deployments:', 'Operating a deployment:', 'Trying fledge locally:', 'Setting up:']) expect(root.stdout).toContain(heading);
    expect(names).toEqual(expect.arrayContaining(['validate', 'plan', 'deploy', 'status', 'list', 'history', 'approve', 'reject', 'stop', 'promote', 'traffic', 'configure', 'completion']));
    for (const [name, help] of helps) {
      expect(help.code, name).toBe(0);
      expect(help.stdout, name).toContain('Examples:');
      expect(help.stdout, name).toMatch(/Exit codes: 0 /);
      expect(help.stdout, name).toContain('--output <format>');
    }
  }, 60_000);

  it('prints results as json or yaml, selected with --query, escaping untrusted text the same way', async () => {
    // Prepare
    const env = bareEnv({ AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' });

    // Act
    const json = await cli(['history', 'orders-api', '--endpoint', api.url, '--output', 'json'], env);
    const yaml = await cli(['history', 'orders-api', '--endpoint', api.url, '-o', 'yaml'], env);
    const query = await cli(['--query', '[].deploymentId', 'history', 'orders-api', '--endpoint', api.url], env);
    const queryJson = await cli(['history', 'orders-api', '--endpoint', api.url, '--output', 'json', '--query', '[0].{id: deploymentId, why: reason}'], env);
    const validate = runCli(['validate', 'examples/canary.yaml', '--output', 'yaml', '--query', 'spec.alias']);
    const badQuery = await cli(['history', 'orders-api', '--endpoint', api.url, '--query', '[?'], env);

    // Assess
    expect(JSON.parse(json.stdout)).toEqual([SUMMARY]);
    expect(parse(yaml.stdout)).toEqual([SUMMARY]);
    expect(yaml.stdout).not.toContain('\u001b');
    expect(json.stdout).not.toContain('\u001b');
    expect(query.stdout).toBe('api-01JTEST\n');
    expect(JSON.parse(queryJson.stdout)).toEqual({ id: 'api-01JTEST', why: SUMMARY.reason });
    expect(validate.stdout).toBe('"live"\n');
    expect(badQuery.code).toBe(2);
    expect(badQuery.stderr).toMatch(/^fledge: --query "\[\?" is not a valid JMESPath expression/);
  });

  it('colours only a terminal, unless FORCE_COLOR says so, and never with --no-color', () => {
    // Act
    const plain = runCli(['validate', 'examples/canary.yaml']);
    const forced = runCli(['validate', 'examples/canary.yaml'], { env: { FORCE_COLOR: '1' } });
    const refused = runCli(['validate', 'examples/canary.yaml', '--no-color'], { env: { FORCE_COLOR: '1', NO_COLOR: '' } });

    // Assess
    expect(plain.stdout).not.toContain('\u001b[');
    expect(forced.stdout).toContain('\u001b[32m');
    expect(refused.stdout).not.toContain('\u001b[');
    expect(refused.code).toBe(0);
  });

  it('signs with the --profile\'s credentials and region from the AWS config files', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'fledge-aws-'));
    writeFileSync(join(dir, 'config'), '[default]\nregion = us-east-1\n\n[profile prod]\nregion = ap-southeast-2\n');
    writeFileSync(join(dir, 'credentials'), '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = x\n\n[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = y\n');
    const env = bareEnv({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') });
    api.requests.length = 0;

    // Act
    const prod = await cli(['history', 'orders-api', '--endpoint', api.url, '--profile', 'prod'], env);
    const byDefault = await cli(['history', 'orders-api', '--endpoint', api.url], env);
    const overridden = await cli(['history', 'orders-api', '--endpoint', api.url, '--profile', 'prod', '--region', 'eu-central-1'], env);

    // Assess
    expect([prod.code, byDefault.code, overridden.code], prod.stderr + byDefault.stderr + overridden.stderr).toEqual([0, 0, 0]);
    const scopes = api.requests.map((r) => /Credential=([^/]+)\/\d+\/([^/]+)\/execute-api/.exec(String(r.headers.authorization))?.slice(1, 3));
    expect(scopes).toEqual([
      ['AKIDPROD', 'ap-southeast-2'],
      ['AKIDDEFAULT', 'us-east-1'],
      ['AKIDPROD', 'eu-central-1'],
    ]);
  });

  it('says what to do when there are no AWS credentials, and exits 2', async () => {
    // Act
    const result = await cli(['history', 'orders-api', '--endpoint', api.url, '--region', 'eu-west-1'], bareEnv());

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^fledge: no AWS credentials found: .*aws configure.*--profile.*AWS_ACCESS_KEY_ID.*--local/);
    expect(result.stderr).not.toMatch(/CredentialsProviderError|\n\s+at /);
  });

  it('keeps the API, bucket, profile and region with fledge configure, and uses them without flags', async () => {
    // Prepare
    const env = bareEnv({ AWS_ACCESS_KEY_ID: 'AKIDCONF', AWS_SECRET_ACCESS_KEY: 'z' });
    const config = join(env['HOME']!, '.config', 'fledge', 'config.yaml');
    api.requests.length = 0;

    // Act
    const before = await cli(['history', 'orders-api'], env);
    const written = await cli(['configure', '--api', api.url, '--bucket', 'my-artifacts', '--region', 'sa-east-1'], env);
    const shown = await cli(['configure', '--output', 'json'], env);
    const history = await cli(['history', 'orders-api'], env);
    const badApi = await cli(['configure', '--api', 'not a url'], env);

    // Assess
    expect(before.code).toBe(2);
    expect(before.stderr).toContain('fledge configure --api <url>');
    expect(written.code, written.stderr).toBe(0);
    expect(parse(readFileSync(config, 'utf8'))).toEqual({ api: api.url, bucket: 'my-artifacts', region: 'sa-east-1' });
    expect(statSync(config).mode & 0o777).toBe(0o600);
    expect(JSON.parse(shown.stdout)).toEqual({ path: config, api: api.url, bucket: 'my-artifacts', region: 'sa-east-1' });
    expect(history.code, history.stderr).toBe(0);
    expect(String(api.requests[0]?.headers.authorization)).toMatch(/Credential=AKIDCONF\/\d+\/sa-east-1\//);
    expect(badApi.code).toBe(2);
    expect(parse(readFileSync(config, 'utf8'))).toEqual({ api: api.url, bucket: 'my-artifacts', region: 'sa-east-1' });
  });

  it('uses one error prefix and exit 2 for usage errors, local mode not running included', async () => {
    // Act
    const unknown = runCli(['status', 'x', '--bogus']);
    const notRunning = await cli(['status', 'x', '--local'], bareEnv({ FLEDGE_DIR: mkdtempSync(join(tmpdir(), 'fledge-none-')) }));
    const endpointOnTraffic = runCli(['traffic', 'f:live', '--rps', '1', '--endpoint', 'http://127.0.0.1:1']);

    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^fledge: unknown option '--bogus'/);
    expect(notRunning.code).toBe(2);
    expect(notRunning.stderr).toMatch(/^fledge: /);
    expect(endpointOnTraffic.code).toBe(2);
    expect(endpointOnTraffic.stderr).toMatch(/^fledge: unknown option '--endpoint'/);
  });

  it('exits quietly when the reader closes the pipe (head, less), with no stack trace', async () => {
    // Act: the reading end is closed before the CLI writes anything
    const child = spawn(process.execPath, [join(ROOT, 'dist/fledge.mjs'), 'plan', 'examples/canary.yaml', '--output', 'json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('completes commands, options and option values in bash', () => {
    // Prepare
    const script = runCli(['completion', 'bash']).stdout;
    const complete = (words: string[]) => {
      const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _fledge; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return spawnSync('bash', ['-c', program], { encoding: 'utf8' }).stdout.trim().split('\n');
    };

    // Act / Assess
    expect(complete(['fledge', 'st'])).toEqual(expect.arrayContaining(['status', 'stop']));
    expect(complete(['fledge', 'status', '--w'])).toEqual(['--watch']);
    expect(complete(['fledge', 'deploy', 'x.yaml', '--output', 'y'])).toEqual(['yaml']);
    expect(complete(['fledge', 'deploy', '--via', ''])).toEqual(['s3', 'api']);
    expect(runCli(['completion', 'zsh']).stdout).toMatch(/^#compdef fledge/);
    expect(runCli(['completion', 'fish']).stdout).toContain("complete -c fledge -f -n '__fish_use_subcommand' -a status");
    expect(runCli(['completion', 'tcsh']).code).toBe(2);
  });
});
