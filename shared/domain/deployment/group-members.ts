import type { ArtifactLocation, DeploymentRecord, EngineState, GroupMemberRef, MemberState } from '../../model/deployment';
import { adoptedArtifact } from '../../model/deployment';
import type { MemberFacts } from '../../model/notification';
import type { ArtifactSpec, DeploymentSpec } from '../../model/spec';
import type { DeploymentStore } from '../../ports/deployment-store';

/*
 * A function group is one deployment (one execution, one record: the group's) whose members each
 * have a record of their own, `<group id>.m<index>`, holding what a single deployment holds for its
 * alias — the snapshot, the new version, the revision fledge owns, the write-ahead intent, the
 * lock. Every task of the group runs the single-function task on each member's view of the state
 * (`memberState`), so each member's alias is moved, guarded and restored exactly as a lone
 * deployment's is; the group decides together (all published before any moves, all judged before
 * any shifts, all restored when one fails).
 */

/** The record id of a group's `index`-th member (the spec's own function is member 0). */
export function memberIdOf(groupId: string, index: number): string {
  return `${groupId}.m${index}`;
}

/** The members of the group a spec names, as the group's record lists them. */
export function memberRefs(groupId: string, spec: DeploymentSpec): GroupMemberRef[] {
  return (spec.group?.members ?? []).map((member, index) => ({ deploymentId: memberIdOf(groupId, index), functionName: member.function.name, alias: member.alias }));
}

/**
 * The spec of one member: the group's strategy, health and timeout, with the member's function,
 * alias, artifact and configuration. The hooks, the webhooks and the smoke test are the group's,
 * run once, on member 0's view (the spec's own function, as a single deployment runs them).
 */
export function memberSpec(spec: DeploymentSpec, index: number): DeploymentSpec {
  const member = spec.group?.members[index];
  if (!member) throw new Error(`unreachable: the group has no member ${index}`);
  const { group: _group, configuration: _configuration, webhooks, ...rest } = spec;
  const { smokeTest, ...health } = spec.health;
  const own = index === 0;
  return {
    ...rest,
    function: member.function,
    alias: member.alias,
    artifact: member.artifact,
    ...(member.configuration !== undefined && { configuration: member.configuration }),
    hooks: own ? spec.hooks : {},
    health: own && smokeTest !== undefined ? { ...health, smokeTest } : health,
    ...(own && webhooks !== undefined && { webhooks }),
  };
}

/** Where a member's code comes from: member 0's was resolved by the starter; the others name their bucket (a spec rule). */
export function memberArtifact(state: Pick<EngineState, 'spec' | 'artifact'>, index: number): ArtifactLocation {
  if (index === 0) return state.artifact;
  const artifact: ArtifactSpec | undefined = state.spec.group?.members[index]?.artifact;
  if (!artifact) throw new Error(`unreachable: the group has no member ${index}`);
  if (artifact.kind === 'image') return { imageUri: artifact.imageUri };
  // A version another tool published (adoption): no code to fetch.
  if (artifact.kind === 'published' || artifact.kind === 'fromLatest') return adoptedArtifact(artifact)!;
  return { bucket: artifact.bucket ?? '', key: artifact.key, ...(artifact.versionId ? { versionId: artifact.versionId } : {}) };
}

/** How many members the group of `state` has. */
export function memberCount(state: Pick<EngineState, 'spec'>): number {
  return state.spec.group?.members.length ?? 0;
}

const MEMBER_FIELDS = ['snapshot', 'aliasRevisionId', 'published', 'evidence', 'checksPassed', 'failedChecks'] as const;

/** The state as a single deployment of member `index` sees it: the group's steps, bake and clock; the member's alias bookkeeping. */
export function memberState(state: EngineState, index: number): EngineState {
  const { members, ...group } = state;
  const own: Partial<MemberState> = members?.[index] ?? {};
  const view: Record<string, unknown> = { ...group, deploymentId: memberIdOf(state.deploymentId, index), spec: memberSpec(state.spec, index), artifact: memberArtifact(state, index) };
  for (const field of MEMBER_FIELDS) {
    delete view[field];
    if (own[field] !== undefined) view[field] = own[field];
  }
  return view as unknown as EngineState;
}

/** The group's state with member `index`'s part taken from `result` (what a task returned for its view). */
export function withMember(state: EngineState, index: number, result: EngineState): EngineState {
  const members: MemberState[] = Array.from({ length: memberCount(state) }, (_, i) => state.members?.[i] ?? { deploymentId: memberIdOf(state.deploymentId, i) });
  const part: Record<string, unknown> = { deploymentId: memberIdOf(state.deploymentId, index) };
  for (const field of MEMBER_FIELDS) if (result[field] !== undefined) part[field] = result[field];
  members[index] = part as unknown as MemberState;
  return { ...state, members };
}

/** The members whose alias moves: those that published a new version (an unchanged member ended NO_CHANGE at Publish). */
export function movingMembers(state: EngineState): number[] {
  return Array.from({ length: memberCount(state) }, (_, index) => index).filter((index) => state.members?.[index]?.published?.changed === true);
}

/** The members' records, in order (absent ones left out: the group failed before creating them). */
export async function memberRecords(store: DeploymentStore, group: Pick<DeploymentRecord, 'members'>): Promise<DeploymentRecord[]> {
  const records: DeploymentRecord[] = [];
  for (const ref of group.members ?? []) {
    const record = await store.getDeployment(ref.deploymentId);
    if (record) records.push(record);
  }
  return records;
}

/** What a notification says of each member. */
export function memberFacts(records: readonly DeploymentRecord[]): MemberFacts[] {
  return records.map((record) => ({
    functionName: record.functionName,
    alias: record.alias,
    ...(record.newVersion ? { newVersion: record.newVersion } : {}),
    ...(record.snapshot?.alias ? { previousVersion: record.snapshot.alias.version } : {}),
    status: record.status,
  }));
}

/** `api:live (version 3 → 4), worker:live (version 7 → 8)`: the members, for messages. */
export function describeMembers(records: readonly DeploymentRecord[]): string {
  return records
    .map((record) => {
      const from = record.snapshot?.alias?.version;
      const to = record.newVersion;
      const versions = from && to ? ` (version ${from} → ${to})` : to ? ` (version ${to})` : '';
      return `${record.functionName}:${record.alias}${versions} ${record.status}`;
    })
    .join(', ');
}
