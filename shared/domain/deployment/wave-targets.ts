import type { DeploymentRecord, DeploymentStatus } from '../../model/deployment';
import { isTerminal } from '../../model/deployment';
import type { DeploymentStore } from '../../ports/deployment-store';
import { wavesOf } from '../spec/waves';
import { targetDeploymentId } from './waves';

/*
 * How a wave run stands, target by target, for people (`GET /deployments/{id}`, `fledge status`):
 * the parent's record lists its targets' rows, written when the wave runner looks (every 30 s);
 * each target's own deployment record is fresher, so it is read too.
 */

/** One target of a wave run as people see it. */
export interface WaveTargetView {
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  /** The wave it belongs to, from 1: the targets of a wave start together once the earlier waves they depend on succeeded. */
  readonly wave: number;
  readonly dependsOn: readonly string[];
  /** The target's own deployment (`<run>--<target>`). */
  readonly deploymentId: string;
  /** Its deployment's status, or `NOT_STARTED`. */
  readonly status: DeploymentStatus | 'NOT_STARTED';
  /** Percent of the target's traffic on the new version: as last set while it runs, 100 once promoted, 0 otherwise. */
  readonly weight: number;
  readonly previousVersion?: string;
  readonly newVersion?: string;
  /** Why it ended as it did, or why it has not started (what it waits for, or the failure that stopped the run). */
  readonly reason?: string;
}

/** A wave run's targets, by wave: the ids of each wave, and every target. */
export interface WaveRunView {
  readonly waves: readonly (readonly string[])[];
  readonly targets: readonly WaveTargetView[];
}

/** The deployment records of `parent`'s targets that have started, by target id. */
export async function waveTargetRecords(store: Pick<DeploymentStore, 'getDeployment'>, parent: DeploymentRecord): Promise<ReadonlyMap<string, DeploymentRecord>> {
  const records = new Map<string, DeploymentRecord>();
  for (const target of parent.spec.targets ?? []) {
    const row = parent.waves?.find((wave) => wave.id === target.id);
    const record = await store.getDeployment(row?.deploymentId ?? targetDeploymentId(parent.deploymentId, target.id));
    if (record) records.set(target.id, record);
  }
  return records;
}

/**
 * Every target of the wave run `parent`, from its spec (so a run not yet past its checks shows
 * them too), with the status of its deployment where it has one (else its row's), its weight and
 * versions, and why it has not started: the targets it still waits for, or the row's reason once
 * the run stopped. Undefined when `parent` is not a wave run.
 */
export function waveRunView(parent: DeploymentRecord, records: ReadonlyMap<string, DeploymentRecord>): WaveRunView | undefined {
  const targets = parent.spec.targets;
  if (!targets || targets.length === 0) return undefined;
  const waves = wavesOf(targets).map((wave) => wave.map((target) => target.id));
  const statusOf = (id: string): DeploymentStatus | 'NOT_STARTED' => records.get(id)?.status ?? parent.waves?.find((row) => row.id === id)?.status ?? 'NOT_STARTED';
  const views = targets.map((target): WaveTargetView => {
    const row = parent.waves?.find((wave) => wave.id === target.id);
    const record = records.get(target.id);
    const status = statusOf(target.id);
    const waiting = target.dependsOn.filter((id) => statusOf(id) !== 'SUCCEEDED' && statusOf(id) !== 'NO_CHANGE');
    const reason = row?.reason ?? record?.reason ?? (status === 'NOT_STARTED' ? notStartedReason(parent, waiting) : undefined);
    return {
      id: target.id,
      accountId: target.accountId,
      region: target.region,
      wave: waves.findIndex((wave) => wave.includes(target.id)) + 1,
      dependsOn: target.dependsOn,
      deploymentId: row?.deploymentId ?? targetDeploymentId(parent.deploymentId, target.id),
      status,
      weight: status === 'SUCCEEDED' ? 100 : status === 'NOT_STARTED' || isTerminal(status) ? 0 : (record?.currentWeight ?? 0),
      ...(record?.snapshot?.alias ? { previousVersion: record.snapshot.alias.version } : {}),
      ...(record?.newVersion ? { newVersion: record.newVersion } : {}),
      ...(reason !== undefined ? { reason } : {}),
    };
  });
  return { waves, targets: views };
}

function notStartedReason(parent: DeploymentRecord, waiting: readonly string[]): string {
  if (parent.status === 'PENDING') return 'the wave run has not reached its targets yet';
  if (parent.status === 'REJECTED') return `never started: ${parent.reason ?? 'the wave run was refused'}`;
  if (isTerminal(parent.status)) return `never started: the wave run ended ${parent.status}`;
  return waiting.length > 0 ? `waits for ${waiting.join(', ')} to succeed` : 'starts at the wave runner\'s next look';
}
