import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pressButton } from '../../cli/demo/approval-page';
import { ROOT } from '../cli/run-cli';
import { eventually } from '../support/local-aws';
import { runFledge, startFledge, type Running } from './process';

const spec = (release: string) => join(ROOT, 'examples', 'demo', `hello-${release}.yaml`);

describe('npm start, then fledge deploy --local, as the README says', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  // Three processes at once (fledge local, the traffic, each CLI command): more room than the default 30 s.
  it('deploys the sample, mails the approval link to the local terminal, and lists both in the history', async () => {
    // Prepare: a project directory with fledge local running in it.
    const cwd = await mkdtemp(join(tmpdir(), 'fledge-by-hand-'));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));
    const local: Running = startFledge(['local', '--port', '0', '--api-port', '0', '--time-scale', '0.01'], { cwd });
    cleanups.push(() => { if (local.child.exitCode === null) local.child.kill('SIGKILL'); });
    await eventually(() => (local.stdout.includes('Press Ctrl+C to stop.') ? true : undefined), { timeoutMs: 20_000, what: `fledge local to be ready (${local.stderr})` });

    // Act: as the README says, traffic runs (in a third terminal) while the canary is judged on it.
    const first = await runFledge(['deploy', spec('v1'), '--local', '--wait'], { cwd });
    const traffic: Running = startFledge(['traffic', 'hello-fledge:live', '--rps', '100', '--duration', '10m', '--local'], { cwd });
    cleanups.push(() => { if (traffic.child.exitCode === null) traffic.child.kill('SIGKILL'); });
    const second = await runFledge(['deploy', spec('v2'), '--local'], { cwd });
    const link = await eventually(() => /^ {4}approve: (http\S+)$/m.exec(local.stdout)?.[1], { timeoutMs: 20_000, what: `the approval link in fledge local's output:\n${local.stdout}` });
    const { result } = await pressButton(link, /^approve$/i, { name: 'Hand Tester' });
    const history = await eventually(async () => {
      const listed = await runFledge(['history', 'hello-fledge', '--local'], { cwd });
      return (listed.stdout.match(/SUCCEEDED/g) ?? []).length === 2 ? listed : undefined;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'both deployments to succeed' });
    traffic.child.kill('SIGINT');
    await traffic.exit;
    local.child.kill('SIGINT');
    const code = await local.exit;

    // Assess
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Deployment +\S+ +SUCCEEDED/);
    expect(second.code, second.stderr).toBe(0);
    expect(local.stdout).toContain('e-mail to you@fledge.local: fledge: approve hello-fledge:live?');
    expect(result.status).toBe(200);
    expect(history.stdout).toMatch(/^\S+ +live +SUCCEEDED +v1 → v2 .*promoted on \d+ invocations of version 2/m);
    expect(history.stdout).toMatch(/^\S+ +live +SUCCEEDED +– → v1 /m);
    expect(code).toBe(0);
  }, 60_000);
});
