import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { deployRelease } from '../../cli/demo/deploy';
import { startLocalMode, type LocalMode, type LocalModeOptions } from '../../local/mode';
import { isTerminal, type DeploymentStatus } from '../../shared/model/deployment';
import { clientConfig, eventually } from '../support/local-aws';

describe('local mode across restarts', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(dataDir: string): Promise<LocalMode> {
    process.env['FLEDGE_LOG'] ??= 'off';
    const options: LocalModeOptions = { port: 0, apiPort: 0, dataDir, timeScale: 0.005, discoveryDir: false, aws: { cloudwatch: { evaluationIntervalSeconds: 5 }, lambda: { updateDelayMs: 200 } } };
    const mode = await startLocalMode(options);
    cleanups.push(() => mode.stop());
    return mode;
  }

  const status = (mode: LocalMode, id: string, accept: (status: DeploymentStatus) => boolean, what: string) =>
    eventually(async () => {
      const record = await mode.plane.deps.store.getDeployment(id);
      return record && accept(record.status) ? record : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50, what: `deployment ${id} to be ${what}` });

  it('keeps the history, and puts back the alias of a deployment that the stop interrupted', async () => {
    // Prepare: v1 live, v2 waiting for approval at 10%, then local mode stops.
    const dataDir = await mkdtemp(join(tmpdir(), 'fledge-restart-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await start(dataDir);
    const v1 = await deployRelease(first, 'v1');
    await status(first, v1, (s) => s === 'SUCCEEDED', 'SUCCEEDED');
    const v2 = await deployRelease(first, 'v2');
    await status(first, v2, (s) => s === 'AWAITING_APPROVAL', 'AWAITING_APPROVAL');
    await first.stop();

    // Act
    const second = await start(dataDir);
    const interrupted = await status(second, v2, isTerminal, 'finished');
    const lambda = new LambdaClient(clientConfig(second.aws));
    const alias = await eventually(async () => {
      const out = await lambda.send(new GetAliasCommand({ FunctionName: 'hello-fledge', Name: 'live' }));
      return Object.keys(out.RoutingConfig?.AdditionalVersionWeights ?? {}).length === 0 ? out : undefined;
    }, { timeoutMs: 20_000, what: 'the alias to carry no extra weight' });
    // The status is written first, the lock released right after it.
    const lock = await eventually(async () => {
      const held = await second.plane.deps.store.getLock('hello-fledge', 'live');
      return held?.holder === v2 ? undefined : { held };
    }, { timeoutMs: 20_000, what: `${v2} to release the lock` });
    const listed = (await (await fetch(`${second.api.url}/deployments?function=hello-fledge`)).json()) as { items: { deploymentId: string; status: string }[] };
    lambda.destroy();

    // Assess
    expect(listed.items.map((item) => [item.deploymentId, item.status])).toEqual([[v2, 'ROLLED_BACK'], [v1, 'SUCCEEDED']]);
    expect(interrupted.status).toBe('ROLLED_BACK');
    expect(alias.FunctionVersion).toBe('1');
    expect(lock.held?.holder === v2 ? lock.held : undefined).toBeUndefined();
  });
});
