import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentDetail } from '../../cli/format/deployment';
import { eventually } from '../support/local-aws';
import { unsafeLeft } from '../output/hostile';
import { runCliAsync, startCliWorld, type CliWorld } from './cli-world';
import { runCli } from './run-cli';

/** What an attacker who may upload to the bucket puts in a key: a screen clear, a clipboard write (OSC 52), a bidi override, a forged line. */
const KEY_TEXT = '\u001b[2J\u001b]52;c;ZXZpbA==\u0007\u202egpj.exe\nApprove: evil';

describe('the fledge CLI printing untrusted text', () => {
  let world: CliWorld;

  beforeAll(async () => {
    world = await startCliWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('shows an S3 key and spec problems full of escape sequences in status and history with every control character escaped', async () => {
    // Prepare: a spec dropped under a hostile key, with a hostile unknown key inside, is refused and recorded.
    const name = 'cli-hostile-key-fn';
    const key = `deployments/${name}/${KEY_TEXT}.yaml`;
    const body = `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: build.zip\nstrategy:\n  preset: AllAtOnce\n"st\\e[2J\\u202erategy": 1\n`;
    await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: world.plane.bucket, Key: key, Body: body }));
    const id = await eventually(async () => {
      const { items } = (await (await fetch(`${world.api.url}/deployments?function=${name}`)).json()) as { items: { deploymentId: string; status: string }[] };
      return items.find((item) => item.status === 'REJECTED')?.deploymentId;
    }, { timeoutMs: 20_000, what: 'the refused deployment' });

    // Act
    const [status, table, listed, json] = await Promise.all([
      runCliAsync(world, ['status', id, '--local']),
      runCliAsync(world, ['history', name, '--local']),
      runCliAsync(world, ['history', name, '--local', '--output', 'json']),
      runCliAsync(world, ['status', id, '--local', '--output', 'json']),
    ]);

    // Assess
    expect(status.code, status.stderr).toBe(1);
    expect(table.code, table.stderr).toBe(0);
    for (const printed of [status.stdout, table.stdout, listed.stdout, json.stdout]) expect(unsafeLeft(printed)).toEqual([]);
    expect(status.stdout).toContain(`deployments/${name}/\\u001b[2J\\u001b]52;c;ZXZpbA==\\u0007\\u202egpj.exe\\nApprove: evil.yaml`);
    expect(status.stdout).toContain('st\\u001b[2J\\u202erategy');
    expect(status.stdout).not.toMatch(/^Approve: /m);
    expect(table.stdout).toContain(`${id}  live`);
    expect(table.stdout).not.toMatch(/^Approve: /m);
    const detail = JSON.parse(json.stdout) as DeploymentDetail;
    expect(detail.startedBy).toContain(key);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ deploymentId: id, startedBy: detail.startedBy })]);
  });

  it('escapes the control characters of a file name it cannot read in its error message', () => {
    // Act
    const result = runCli(['validate', `missing${KEY_TEXT}.yaml`]);

    // Assess
    expect(result.code).toBe(2);
    expect(unsafeLeft(result.stderr)).toEqual([]);
    expect(result.stderr).toBe('fledge: cannot read spec "missing\\u001b[2J\\u001b]52;c;ZXZpbA==\\u0007\\u202egpj.exe\\nApprove: evil.yaml": no such file\n');
  });
});
