import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { requestStop } from '../../shared/domain/deployment/controls';
import type { DeploymentStatus } from '../../shared/model/deployment';
import { isTerminal } from '../../shared/model/deployment';
import type { DeploymentSpec, StrategySpec } from '../../shared/model/spec';
import { eventually } from '../support/local-aws';
import { detailOf } from '../../shared/interfaces/http/api/views';
import { formatStatus } from '../../cli/format/deployment';
import { styleFor } from '../../cli/format/style';
import { aliasOf, deploymentId, existingFunction, guardAliases, historyOf, kinds, settledAs, spec, startDeployment, startEngine, TIMED_PAUSES, uploadArtifact, userCode, type EngineWorld } from '../support/engine';

const WAITS_FOR_APPROVAL: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'approval', timeout: 600 }] };
const CANARY: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 50 }, { type: 'pause', duration: 120 }] };

describe('a deployment that finds its alias taken (onConflict) on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  const status = async (id: string): Promise<DeploymentStatus | undefined> => (await world.plane.deps.store.getDeployment(id))?.status;

  /**
   * Samples the alias until `until` holds. At every sample the alias is whole or split by exactly one
   * deployment: at most one extra version; never the first's version once it had ended before the
   * read; never the second's while it was still waiting after the read.
   */
  async function sampleWhile(name: string, first: { id: string; version: string }, second: { id: string; version: string }, until: () => Promise<boolean>): Promise<number> {
    let samples = 0;
    const deadline = Date.now() + 60_000;
    while (!(await until())) {
      if (Date.now() > deadline) throw new Error('the deployments did not end within 60 s');
      const firstBefore = await status(first.id);
      const alias = await aliasOf(world, name);
      const secondAfter = await status(second.id);
      const extra = Object.keys(alias.weights);
      expect(extra.length).toBeLessThanOrEqual(1);
      if (firstBefore && isTerminal(firstBefore)) expect(extra).not.toContain(first.version);
      if (secondAfter === 'PENDING' || secondAfter === 'QUEUED') expect([alias.version, ...extra]).not.toContain(second.version);
      samples += 1;
    }
    return samples;
  }

  async function startHolder(name: string, label: string): Promise<string> {
    const id = deploymentId(label);
    await startDeployment(world, { deploymentId: id, spec: spec(name, WAITS_FOR_APPROVAL, { health: TIMED_PAUSES }), artifact: await uploadArtifact(world, `${label}/v2.zip`, userCode('v2')) });
    await eventually(async () => ((await status(id)) === 'AWAITING_APPROVAL' ? true : undefined), { what: `${id} to wait for its approval` });
    return id;
  }

  function withConflict(name: string, onConflict: 'enqueue' | 'supersede'): DeploymentSpec {
    return { ...spec(name, CANARY, { health: TIMED_PAUSES }), onConflict };
  }

  it('queues a deployment with onConflict: enqueue (visible as QUEUED, cancellable) and starts it by itself once the one holding the alias ended', async () => {
    // Prepare: A holds the alias at 50% on version 2, waiting for an approval.
    const name = touch('enqueue-fn');
    await existingFunction(world, name);
    const a = await startHolder(name, 'enqueue-a');
    const b = deploymentId('enqueue-b');
    const c = deploymentId('enqueue-c');

    // Act: B and C queue behind A; C is cancelled; A is approved and promotes.
    await startDeployment(world, { deploymentId: b, spec: withConflict(name, 'enqueue'), artifact: await uploadArtifact(world, 'enqueue-b/v3.zip', userCode('v3')) });
    await eventually(async () => ((await status(b)) === 'QUEUED' ? true : undefined), { what: 'B to be queued' });
    await startDeployment(world, { deploymentId: c, spec: withConflict(name, 'enqueue'), artifact: await uploadArtifact(world, 'enqueue-c/v4.zip', userCode('v4')) });
    await eventually(async () => ((await status(c)) === 'QUEUED' ? true : undefined), { what: 'C to be queued' });
    const listed = await world.plane.deps.store.listDeployments({ functionName: name, alias: 'live', status: 'QUEUED', limit: 10 });
    const queuedView = JSON.parse(JSON.stringify(detailOf((await world.plane.deps.store.getDeployment(b))!, await historyOf(world, b))));
    const printed = formatStatus(queuedView, styleFor({ isTTY: false }, {})).join('\n');
    await requestStop(world.plane.deps, { deploymentId: c, by: 'carol@example.com', reason: 'not this one' });
    const approvalId = (await world.plane.deps.store.getDeployment(a))!.approvalId!;
    await decideApproval(world.plane.deps, { approvalId, approve: true, by: 'alice@example.com' });
    const samples = await sampleWhile(name, { id: a, version: '2' }, { id: b, version: '3' }, async () => isTerminal((await status(b)) ?? 'PENDING'));

    // Assess
    expect(samples).toBeGreaterThan(0);
    expect(listed.items.map((item) => item.deploymentId).sort()).toEqual([b, c].sort());
    expect(queuedView).toMatchObject({ status: 'QUEUED', queuedBehind: a });
    expect(printed).toContain(`behind ${a}; starts when it ends (cancel: fledge stop ${b})`);
    expect((await settledAs(world, a, 'SUCCEEDED')).newVersion).toBe('2');
    const second = await settledAs(world, b, 'SUCCEEDED');
    expect(second.queuedBehind).toBeUndefined();
    expect(await aliasOf(world, name)).toMatchObject({ version: '3', weights: {} });
    expect(kinds(await historyOf(world, b))).toEqual(expect.arrayContaining(['queued', 'started', 'weight', 'promoted']));
    const cancelled = await settledAs(world, c, 'REJECTED');
    expect(cancelled.reason).toContain('cancelled by carol@example.com while queued');
    expect(cancelled.newVersion).toBeUndefined();
  });

  it('rolls back the deployment holding the alias for one with onConflict: supersede, then runs the new one, the alias whole or split by one at every moment', async () => {
    // Prepare
    const name = touch('supersede-fn');
    await existingFunction(world, name);
    const a = await startHolder(name, 'supersede-a');
    const b = deploymentId('supersede-b');

    // Act
    await startDeployment(world, { deploymentId: b, spec: withConflict(name, 'supersede'), artifact: await uploadArtifact(world, 'supersede-b/v3.zip', userCode('v3')) });
    const samples = await sampleWhile(name, { id: a, version: '2' }, { id: b, version: '3' }, async () => isTerminal((await status(b)) ?? 'PENDING'));

    // Assess
    expect(samples).toBeGreaterThan(0);
    const superseded = await settledAs(world, a, 'ROLLED_BACK');
    expect(superseded.reason).toContain(`superseded by deployment ${b}`);
    await settledAs(world, b, 'SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '3', weights: {} });
    expect(kinds(await historyOf(world, b))).toEqual(expect.arrayContaining(['queued', 'superseded', 'started', 'promoted']));
  });

  it('still refuses at once without onConflict, touching nothing', async () => {
    // Prepare
    const name = touch('reject-fn');
    await existingFunction(world, name);
    const a = await startHolder(name, 'reject-a');
    const b = deploymentId('reject-b');

    // Act
    await startDeployment(world, { deploymentId: b, spec: spec(name, CANARY, { health: TIMED_PAUSES }), artifact: await uploadArtifact(world, 'reject-b/v3.zip', userCode('v3')) });

    // Assess
    expect((await settledAs(world, b, 'REJECTED')).reason).toContain(`is being deployed by ${a}`);
    expect(await status(a)).toBe('AWAITING_APPROVAL');
    await requestStop(world.plane.deps, { deploymentId: a, by: 'test' });
    await settledAs(world, a, 'ROLLED_BACK');
  });

  it('queues a group behind a group that shares one of its functions, holding none of its locks meanwhile, and runs it once the first ended', async () => {
    // Prepare: group A (api + worker) waits for an approval; group B (worker + other) enqueues.
    const [api, worker, other] = [touch('gq-api'), touch('gq-worker'), touch('gq-other')];
    for (const name of [api, worker, other]) await existingFunction(world, name);
    const group = async (names: readonly string[], label: string, strategy: StrategySpec, onConflict?: 'enqueue'): Promise<{ spec: DeploymentSpec; artifact: { bucket: string; key: string } }> => {
      const artifacts = await Promise.all(names.map((name) => uploadArtifact(world, `${label}/${name}.zip`, userCode(label))));
      const base = spec(names[0]!, strategy, { health: TIMED_PAUSES });
      return {
        artifact: artifacts[0]!,
        spec: { ...base, ...(onConflict ? { onConflict } : {}), group: { shift: 'lockstep', members: names.map((name, index) => ({ function: { name }, alias: 'live', artifact: { kind: 'zip', bucket: artifacts[index]!.bucket, key: artifacts[index]!.key } })) } },
      };
    };
    const a = deploymentId('gq-a');
    const b = deploymentId('gq-b');
    await startDeployment(world, { deploymentId: a, ...(await group([api, worker], 'gq-a', WAITS_FOR_APPROVAL)) });
    await eventually(async () => ((await status(a)) === 'AWAITING_APPROVAL' ? true : undefined), { what: 'group A to wait for its approval' });

    // Act
    await startDeployment(world, { deploymentId: b, ...(await group([worker, other], 'gq-b', CANARY, 'enqueue')) });
    await eventually(async () => ((await status(b)) === 'QUEUED' ? true : undefined), { what: 'group B to be queued' });
    const otherLockWhileQueued = await world.plane.deps.store.getLock(other, 'live');
    const queued = await world.plane.deps.store.getDeployment(b);
    await decideApproval(world.plane.deps, { approvalId: (await world.plane.deps.store.getDeployment(a))!.approvalId!, approve: true, by: 'alice@example.com' });
    const samples = await sampleWhile(worker, { id: a, version: '2' }, { id: b, version: '3' }, async () => isTerminal((await status(b)) ?? 'PENDING'));

    // Assess
    expect(samples).toBeGreaterThan(0);
    expect(otherLockWhileQueued).toBeUndefined();
    expect(queued?.queuedBehind).toBe(a);
    await settledAs(world, a, 'SUCCEEDED');
    await settledAs(world, b, 'SUCCEEDED');
    expect(await aliasOf(world, worker)).toMatchObject({ version: '3', weights: {} });
    expect(await aliasOf(world, other)).toMatchObject({ version: '2', weights: {} });
    expect(await aliasOf(world, api)).toMatchObject({ version: '2', weights: {} });
  });
});
