import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { executionEnd, existingFunction, recordStatus, userCode } from '../support/engine';
import { functionZip } from '../support/zip';
import { runCliAsync, type CliWorld } from './cli-world';

/** A canary that stops at 10% for a person's approval, then goes to 50% and 100%. */
export const APPROVAL_CANARY = 'canary:\n    steps:\n      - setWeight: 10\n      - pause: 1m\n      - approval: { message: check it }\n      - setWeight: 50\n      - pause: 1m';

/** A project folder with a spec and the zip its relative artifact.zip names. */
export function project(name: string, strategy = 'preset: AllAtOnce'): { spec: string; dir: string; zip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-deploy-'));
  // No traffic reaches these functions: the spec says its pauses only wait.
  writeFileSync(join(dir, 'release.yaml'), `version: 1\nfunction: ${name}\nalias: live\nartifact:\n  zip: build/function.zip\nstrategy:\n  ${strategy}\nhealth:\n  minInvocations: 0\ntimeout: 6h\n`);
  writeFileSync(join(dir, 'v2.zip'), functionZip(userCode('v2')));
  return { spec: join(dir, 'release.yaml'), dir, zip: join(dir, 'v2.zip') };
}

/** Starts the approval canary on an existing function through `fledge deploy --via api`; returns its id. */
export async function startApprovalCanary(world: CliWorld, name: string): Promise<string> {
  await existingFunction(world, name);
  const { spec, zip } = project(name, APPROVAL_CANARY);
  const deployed = await runCliAsync(world, ['deploy', spec, '--zip', zip, '--via', 'api', '--local', '--output', 'json']);
  if (deployed.code !== 0) throw new Error(`deploy failed: ${deployed.stderr}`);
  return (JSON.parse(deployed.stdout) as { deploymentId: string }).deploymentId;
}

/** Approves the deployment's pending approval as a person with the link would. */
export async function approveAsPerson(world: CliWorld, id: string): Promise<void> {
  const record = await recordStatus(world, id, 'AWAITING_APPROVAL');
  await decideApproval(world.plane.deps, { approvalId: record.approvalId!, approve: true, by: 'test approver' });
}

/** Ends what a test left running: rejects a pending approval, waits for the execution. */
export async function settle(world: CliWorld, ids: string[]): Promise<void> {
  for (const id of ids.splice(0)) {
    const record = await world.plane.deps.store.getDeployment(id);
    if (record?.status === 'AWAITING_APPROVAL' && record.approvalId) await decideApproval(world.plane.deps, { approvalId: record.approvalId, approve: false, by: 'test cleanup' }).catch(() => undefined);
    else if (record && ['RUNNING', 'PENDING'].includes(record.status)) await world.plane.deps.store.updateDeployment(id, { stopRequested: { by: 'test cleanup', at: Date.now() } }).catch(() => undefined);
    if (record?.executionArn) await executionEnd(world, record.executionArn);
  }
}
