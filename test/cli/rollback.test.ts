import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupVersions } from '../../shared/domain/deployment/cleanup';
import { requestStop } from '../../shared/domain/deployment/controls';
import type { Clock } from '../../shared/ports/clock';
import { aliasOf, deploymentId, executionEnd, existingFunction, guardAliases, historyOf, recordStatus, settledAs, spec, startDeployment, TIMED_PAUSES, uploadArtifact, userCode } from '../support/engine';
import { eventually } from '../support/local-aws';
import { runCliAsync, startCliWorld, type CliWorld } from './cli-world';

/** `fledge rollback` (undo after success) as a person runs it: the real CLI, as a process, against local mode's API. */
describe('fledge rollback', () => {
  let world: CliWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startCliWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** `name:live` on version 1, then a successful allAtOnce deployment of version 2; returns that deployment's id. */
  async function deployedTwice(fn: string): Promise<{ name: string; id: string }> {
    const name = touch(fn);
    await existingFunction(world, name);
    const id = deploymentId(fn);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }), artifact });
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    await settledAs(world, id, 'SUCCEEDED');
    return { name, id };
  }

  async function recordsOf(name: string) {
    return (await world.plane.deps.store.listDeployments({ functionName: name, alias: 'live', limit: 100 })).items;
  }

  it('puts the alias back whole on the version before the last successful deployment, recorded ROLLED_BACK with who asked', async () => {
    // Prepare
    const { name, id } = await deployedTwice('undo-default');
    expect((await aliasOf(world, name)).version).toBe('2');

    // Act
    const result = await runCliAsync(world, ['rollback', `${name}:live`, '--local', '--reason', 'checkout errors', '--output', 'json']);

    // Assess: the alias, whole on version 1
    expect(result.code, result.stderr).toBe(0);
    const alias = await aliasOf(world, name);
    expect(alias.version).toBe('1');
    expect(alias.weights).toEqual({});
    // the answer and the record it leaves: its own deployment, ROLLED_BACK, naming both versions and who asked
    const answer = JSON.parse(result.stdout) as { deploymentId: string; status: string; fromVersion: string; toVersion: string; by: string; undoes: string };
    expect(answer).toMatchObject({ status: 'ROLLED_BACK', fromVersion: '2', toVersion: '1', by: 'local', undoes: id });
    const record = await settledAs(world, answer.deploymentId, 'ROLLED_BACK');
    expect(record.undo).toEqual({ fromVersion: '2', toVersion: '1', requestedBy: 'local', undoes: id, reason: 'checkout errors' });
    expect(record.startedBy).toBe('local');
    expect(record.reason).toContain('rolled back by local on request');
    expect(record.notified).toEqual(['outcome']);
    const events = await historyOf(world, answer.deploymentId);
    expect(events.map((event) => event.kind)).toEqual(['started', 'rolledBack']);
    expect(events.find((event) => event.kind === 'rolledBack')?.data).toMatchObject({ status: 'ROLLED_BACK', fromVersion: '2', toVersion: '1', requestedBy: 'local' });
    // fledge history lists it next to the deployment it undid
    const history = await runCliAsync(world, ['history', name, '--local', '--output', 'json']);
    const listed = JSON.parse(history.stdout) as { deploymentId: string; status: string }[];
    expect(listed.slice(0, 2).map((item) => [item.deploymentId, item.status])).toEqual([
      [answer.deploymentId, 'ROLLED_BACK'],
      [id, 'SUCCEEDED'],
    ]);
    // the lock is free again
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
  });

  it('refuses a second rollback to the version the alias is already on, changing nothing', async () => {
    // Prepare
    const { name } = await deployedTwice('undo-twice');
    const first = await runCliAsync(world, ['rollback', `${name}:live`, '--local']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('rolled back from version 2 to version 1');
    const before = { alias: await aliasOf(world, name), records: (await recordsOf(name)).length };

    // Act
    const second = await runCliAsync(world, ['rollback', `${name}:live`, '--local']);

    // Assess
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('is already on version 1');
    expect(await aliasOf(world, name)).toEqual(before.alias);
    expect((await recordsOf(name)).length).toBe(before.records);
  });

  it('refuses --to-version of a version that does not exist, with nothing changed and no record left', async () => {
    // Prepare
    const { name } = await deployedTwice('undo-missing');
    const before = { alias: await aliasOf(world, name), records: (await recordsOf(name)).length };

    // Act
    const result = await runCliAsync(world, ['rollback', `${name}:live`, '--to-version', '9', '--local']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`version 9 of ${name} does not exist`);
    expect(result.stderr).toContain('versions kept: 1, 2');
    expect(result.stderr).toContain('nothing was changed');
    expect(await aliasOf(world, name)).toEqual(before.alias);
    expect((await recordsOf(name)).length).toBe(before.records);
    expect(await world.plane.deps.store.getLock(name, 'live')).toBeUndefined();
  });

  it('refuses while a deployment runs on the alias, leaving the deployment and the alias alone', async () => {
    // Prepare: a canary holding 10% through a long pause
    const name = touch('undo-busy');
    await existingFunction(world, name);
    const id = deploymentId('undo-busy');
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const canary = spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, { health: TIMED_PAUSES });
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: canary, artifact });
    await eventually(async () => ((await world.plane.deps.store.getDeployment(id))?.currentWeight === 10 ? true : undefined), { timeoutMs: 60_000, intervalMs: 50, what: 'the canary at 10%' });
    const before = await aliasOf(world, name);

    // Act
    const result = await runCliAsync(world, ['rollback', `${name}:live`, '--to-version', '1', '--local']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${name}:live is being deployed by ${id}`);
    expect(result.stderr).toContain('nothing was rolled back');
    expect(await aliasOf(world, name)).toEqual(before);
    expect((await world.plane.deps.store.getLock(name, 'live'))?.holder).toBe(id);
    expect((await world.plane.deps.store.getDeployment(id))?.status).toBe('RUNNING');

    // Cleanup: stop the canary (the alias guard checks it ends whole)
    await requestStop(world.plane.deps, { deploymentId: id, by: 'test' });
    await executionEnd(world, executionArn);
    await recordStatus(world, id, 'ROLLED_BACK');
  });

  it('answers a malformed <function>:<alias> or --to-version as wrong usage (exit 2)', async () => {
    // Act
    const noAlias = await runCliAsync(world, ['rollback', 'orders-api', '--local']);
    const latest = await runCliAsync(world, ['rollback', 'orders-api:live', '--to-version', '$LATEST', '--local']);

    // Assess
    expect(noAlias.code).toBe(2);
    expect(noAlias.stderr).toContain('is not <function>:<alias>');
    expect(latest.code).toBe(2);
    expect(latest.stderr).toContain('--to-version must be a published version number');
  });

  it('finds its target after another deployment cleaned up inside the undo window, and says when the window has passed', async () => {
    // Prepare: live went 1 → 2; a deployment of another alias of the function cleans up with keepVersions 1
    const { name, id } = await deployedTwice('undo-window');
    const succeeded = (await world.plane.deps.store.getDeployment(id))!;
    const cleaner = { ...succeeded, deploymentId: `${id}-beta`, alias: 'beta', snapshot: { alias: null, functionExisted: true }, spec: { ...succeeded.spec, cleanup: { keepVersions: 1, undoWindow: 86_400 } } };
    const later = (ms: number): Clock => ({ now: () => world.aws.clock.now() + ms, sleep: (wait) => world.plane.deps.clock.sleep(wait) });
    const ports = (ms: number) => ({ lambda: world.plane.deps.lambda, store: world.plane.deps.store, clock: later(ms) });

    // Act: two hours later (past the 15 minutes every ending's versions are kept), then two days later
    const inside = await cleanupVersions(ports(2 * 3_600_000), cleaner, 1);
    const undone = await runCliAsync(world, ['rollback', `${name}:live`, '--local']);
    const back = await runCliAsync(world, ['rollback', `${name}:live`, '--to-version', '2', '--local']);
    const outside = await cleanupVersions(ports(2 * 86_400_000), cleaner, 1);
    const tooLate = await runCliAsync(world, ['rollback', `${name}:live`, '--to-version', '1', '--local']);

    // Assess: inside the window version 1 stays and the undo finds it
    expect(inside).toEqual([]);
    expect(undone.code, undone.stderr).toBe(0);
    expect(undone.stdout).toContain('rolled back from version 2 to version 1');
    expect(back.code, back.stderr).toBe(0);
    // past it, cleanup may take it, and the rollback says why it cannot go there
    expect(outside).toEqual(['1']);
    expect(tooLate.code).toBe(1);
    expect(tooLate.stderr).toContain(`version 1 of ${name} does not exist`);
    expect(tooLate.stderr).toContain('removed by cleanup.keepVersions after its undo window');
    expect((await aliasOf(world, name)).version).toBe('2');
  });

  it('answers 400 naming the field for a toVersion that is no version or a field it does not know, and 404 for an alias that does not exist', async () => {
    // Prepare
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${world.api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as { error: { code: string; message: string; details?: { problems?: { field: string }[] } } } };
    };

    // Act
    const latest = await post('/functions/orders-api/aliases/live/rollback', { toVersion: '$LATEST' });
    const unknown = await post('/functions/orders-api/aliases/live/rollback', { toVersion: 3, to: 2 });
    const missing = await post('/functions/no-such-fn/aliases/live/rollback', {});

    // Assess
    expect(latest.status).toBe(400);
    expect(latest.body.error.details?.problems?.map((problem) => problem.field)).toEqual(['toVersion']);
    expect(latest.body.error.message).toContain('a published version number');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('"to"');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('no alias no-such-fn:live');
  });
});
