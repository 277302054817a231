import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalMode, type LocalMode } from '../../local/mode';
import { bareEnv, runCliWithEnv as cli } from './cli-world';

/**
 * `fledge configure --stack`: the API and bucket from the stack's outputs. Local mode stands for
 * the stack `fledge stack deploy --stage local` would make (its embedded CloudFormation describes
 * `fledge-local` with the outputs fledge's stack has), so the real CLI reads it as it reads AWS.
 */
describe('fledge configure --stack (the real CLI, on the embedded AWS)', () => {
  let mode: LocalMode;
  beforeAll(async () => {
    mode = await startLocalMode({ port: 0, apiPort: 0, dataDir: null, discoveryDir: false });
  }, 60_000);
  afterAll(async () => mode?.stop());

  it('keeps the API, the artifacts bucket and the region of fledge\'s stack, read from its outputs', async () => {
    // Prepare
    const env = bareEnv();
    const config = join(env['HOME']!, '.config', 'fledge', 'config.yaml');

    // Act
    const written = await cli(['configure', '--stack', 'fledge-local', '--aws-endpoint', mode.aws.endpoint, '--region', mode.aws.region], env);
    const shown = await cli(['configure', '--output', 'json'], env);

    // Assess
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain(`wrote ${config}`);
    expect(parse(readFileSync(config, 'utf8'))).toEqual({ api: mode.api.url, bucket: mode.plane.bucket, region: mode.aws.region });
    expect(JSON.parse(shown.stdout)).toMatchObject({ api: mode.api.url, bucket: mode.plane.bucket });
  });

  it('says a stack that does not exist, and where it looked (exit 1), and refuses --stack with --api (exit 2), writing nothing', async () => {
    // Prepare
    const env = bareEnv();
    const config = join(env['HOME']!, '.config', 'fledge', 'config.yaml');

    // Act
    const missing = await cli(['configure', '--stack', 'fledge-prod', '--aws-endpoint', mode.aws.endpoint, '--region', mode.aws.region], env);
    const both = await cli(['configure', '--stack', 'fledge-local', '--api', 'https://example.com', '--aws-endpoint', mode.aws.endpoint, '--region', mode.aws.region], env);
    const endpointAlone = await cli(['configure', '--aws-endpoint', mode.aws.endpoint], env);

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`fledge: stack fledge-prod does not exist in ${mode.aws.region}: fledge stack deploy --stage <stage> names it fledge-<stage> (and --region says where)\n`);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--stack reads the API and the bucket from the stack');
    expect(endpointAlone.code).toBe(2);
    expect(() => readFileSync(config, 'utf8')).toThrow(/ENOENT/);
  });
});
