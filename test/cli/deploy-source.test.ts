import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingFunction, guardAliases, userCode } from '../support/engine';
import { functionZip } from '../support/zip';
import { runCliAsync, startCliWorld, type CliWorld } from './cli-world';

// `fledge deploy --github-repository/--github-ref/--github-environment` (docs/spec.md#source,
// docs/ci.md): the CI integrations say where the code comes from through these options; fledge
// writes them into the spec it sends, as the user's spec field would be, comments kept.

const SHA = '0123456789abcdef0123456789abcdef01234567';

/** A project folder: the spec (as given) and the zip its artifact.zip names. */
function project(name: string, extra = '', file = 'release.yaml'): { spec: string; zip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-source-'));
  const yaml = `# yaml-language-server: $schema=../schema/fledge-spec.schema.json
# ${name}: the release the payments team reviewed
version: 1
function: ${name}   # the API behind checkout
alias: live
artifact:
  zip: build/function.zip
strategy:
  preset: AllAtOnce   # one step
health:
  minInvocations: 0
${extra}`;
  const text = file.endsWith('.json')
    ? JSON.stringify({ version: 1, function: name, alias: 'live', artifact: { zip: 'build/function.zip' }, strategy: { preset: 'AllAtOnce' }, health: { minInvocations: 0 } })
    : yaml;
  writeFileSync(join(dir, file), text);
  writeFileSync(join(dir, 'v2.zip'), functionZip(userCode('v2')));
  return { spec: join(dir, file), zip: join(dir, 'v2.zip') };
}

describe('fledge deploy --github-*', () => {
  let world: CliWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startCliWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** The spec objects `fledge deploy` dropped for a function (their text). */
  async function droppedSpecs(name: string): Promise<string[]> {
    const listed = await world.plane.clients.s3.send(new ListObjectsV2Command({ Bucket: world.plane.bucket, Prefix: `deployments/${name}/` }));
    const keys = (listed.Contents ?? []).map((object) => object.Key!).filter((key) => /\.(ya?ml|json)$/.test(key));
    return Promise.all(keys.map(async (key) => (await world.plane.clients.s3.send(new GetObjectCommand({ Bucket: world.plane.bucket, Key: key }))).Body!.transformToString()));
  }

  /** The deployment the CLI started (its `--output json` document's id), as stored. */
  async function stored(stdout: string) {
    const { deploymentId } = JSON.parse(stdout) as { deploymentId: string };
    const record = await world.plane.deps.store.getDeployment(deploymentId);
    return record!;
  }

  it('writes the source into the spec it drops in the bucket, comments kept, and the stored deployment carries it', async () => {
    // Prepare
    const name = touch('source-drop-fn');
    await existingFunction(world, name);
    const { spec, zip } = project(name);

    // Act
    const run = await runCliAsync(world, ['deploy', spec, '--zip', zip, '--local', '--wait', '--output', 'json', '--github-repository', 'acme/orders', '--github-ref', SHA, '--github-environment', 'production']);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const record = await stored(run.stdout);
    expect(record.spec.source).toEqual({ github: { repository: 'acme/orders', ref: SHA, environment: 'production' } });
    const [dropped, ...others] = await droppedSpecs(name);
    expect(others).toEqual([]);
    expect(dropped).toContain(`# ${name}: the release the payments team reviewed`);
    expect(dropped).toContain('# the API behind checkout');
    expect(dropped).toContain('# yaml-language-server: $schema=../schema/fledge-spec.schema.json');
    expect(dropped).toMatch(/^source:\n {2}github:\n {4}repository: acme\/orders\n/m);
  });

  it('posts a JSON spec with the source through the API; the environment defaults to none (the alias)', async () => {
    // Prepare
    const name = touch('source-api-fn');
    await existingFunction(world, name);
    const { spec, zip } = project(name, '', 'release.json');

    // Act
    const run = await runCliAsync(world, ['deploy', spec, '--zip', zip, '--via', 'api', '--local', '--wait', '--output', 'json', '--github-repository', 'acme/orders', '--github-ref', 'v1.2.3']);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect((await stored(run.stdout)).spec.source).toEqual({ github: { repository: 'acme/orders', ref: 'v1.2.3' } });
  });

  it('refuses a malformed or incomplete source by its option (exit 2) and uploads nothing', async () => {
    // Prepare
    const name = touch('source-bad-fn');
    await existingFunction(world, name);
    const { spec, zip } = project(name);
    const deploy = (...flags: string[]) => runCliAsync(world, ['deploy', spec, '--zip', zip, '--local', ...flags]);

    // Act
    const notOwnerName = await deploy('--github-repository', 'acme', '--github-ref', SHA);
    const spaced = await deploy('--github-repository', 'acme/orders', '--github-ref', 'my branch', '--github-environment', 'prod\u001b[2J');
    const empty = await deploy('--github-repository', 'acme/orders', '--github-ref', '');
    const refOnly = await deploy('--github-ref', SHA);

    // Assess
    expect(notOwnerName).toMatchObject({ code: 2, stdout: '' });
    expect(notOwnerName.stderr).toBe('fledge: --github-repository "acme": must be "owner/name", as GitHub spells it (e.g. "acme/payments")\n');
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toContain('--github-ref "my branch": must be a branch, tag or commit SHA');
    // The terminal control sequence is shown, not run.
    expect(spaced.stderr).toContain('--github-environment "prod\\u001b[2J": must be letters, digits, spaces and . _ / -');
    expect(empty).toMatchObject({ code: 2, stderr: 'fledge: --github-ref "": must not be empty\n' });
    expect(refOnly).toMatchObject({ code: 2, stderr: expect.stringContaining('--github-ref needs --github-repository too') });
    expect(await droppedSpecs(name)).toEqual([]);
  });

  it('refuses to override a different source.github the spec already has, and sends one that says the same as written', async () => {
    // Prepare
    const name = touch('source-own-fn');
    await existingFunction(world, name);
    const { spec, zip } = project(name, 'source:\n  github: { repository: acme/orders, ref: main }   # written by hand\n');

    // Act
    const other = await runCliAsync(world, ['deploy', spec, '--zip', zip, '--local', '--github-repository', 'acme/orders', '--github-ref', SHA]);
    const uploadedAfterRefusal = await droppedSpecs(name);
    const same = await runCliAsync(world, ['deploy', spec, '--zip', zip, '--local', '--wait', '--output', 'json', '--github-repository', 'acme/orders', '--github-ref', 'main']);

    // Assess
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`the spec already has source.github (repository acme/orders, ref main); --github-ref "${SHA}" would change it: fledge does not override the spec`);
    expect(uploadedAfterRefusal).toEqual([]);
    expect(same.code, same.stderr).toBe(0);
    expect((await stored(same.stdout)).spec.source).toEqual({ github: { repository: 'acme/orders', ref: 'main' } });
    expect(await droppedSpecs(name)).toEqual([expect.stringContaining('github: { repository: acme/orders, ref: main }   # written by hand')]);
  });
});
