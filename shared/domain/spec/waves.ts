/*
 * The order of a spec's targets: `dependsOn` makes a graph, and the waves are its layers. The
 * validator refuses what cannot be ordered (an unknown id, a cycle); the planner shows the layers;
 * the wave runner starts each target as soon as every target it depends on has succeeded.
 */

/** A problem in the `dependsOn` graph, at `targets[index].dependsOn[position]` (or the target itself). */
export interface TargetGraphProblem {
  readonly index: number;
  readonly position?: number;
  readonly message: string;
}

/** What `dependsOn` names: each target's id and dependencies, as written. */
export interface TargetNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/**
 * The problems of a `dependsOn` graph: an id named that no target has, a target that depends on
 * itself, a dependency listed twice, and each cycle (reported once, at its first target in the
 * spec's order, spelled out: `eu → us → eu`).
 */
export function targetGraphProblems(targets: readonly TargetNode[]): TargetGraphProblem[] {
  const problems: TargetGraphProblem[] = [];
  const ids = new Set(targets.map((target) => target.id));
  const known = [...ids].map((id) => `"${id}"`).join(', ');
  targets.forEach((target, index) => {
    const seen = new Set<string>();
    target.dependsOn.forEach((dependency, position) => {
      if (dependency === target.id) problems.push({ index, position, message: `target "${target.id}" cannot depend on itself` });
      else if (!ids.has(dependency)) problems.push({ index, position, message: `no target has the id "${dependency}"; the targets are ${known}` });
      else if (seen.has(dependency)) problems.push({ index, position, message: `"${dependency}" is listed twice` });
      seen.add(dependency);
    });
  });
  if (problems.length > 0) return problems;
  const cycle = findCycle(targets);
  if (cycle !== undefined) {
    const index = targets.findIndex((target) => target.id === cycle[0]);
    problems.push({ index, message: `the targets depend on each other in a cycle (${[...cycle, cycle[0]].join(' → ')}), so none of them could ever start` });
  }
  return problems;
}

/** One cycle of the graph, as the ids on it in order; undefined when there is none. */
function findCycle(targets: readonly TargetNode[]): string[] | undefined {
  const byId = new Map(targets.map((target) => [target.id, target]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return path.slice(path.indexOf(id));
    state.set(id, 'open');
    path.push(id);
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      const cycle = visit(dependency);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const target of targets) {
    const cycle = visit(target.id);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/**
 * The waves of a valid graph: the targets with no dependency first, then each target in the wave
 * after the last of its dependencies, each wave in the spec's order. Throws on a cycle (the
 * validator refuses those first).
 */
export function wavesOf<T extends TargetNode>(targets: readonly T[]): T[][] {
  const depth = new Map<string, number>();
  const byId = new Map(targets.map((target) => [target.id, target]));
  const depthOf = (id: string, trail: readonly string[]): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (trail.includes(id)) throw new Error(`unreachable: the targets' dependsOn has a cycle through "${id}"`);
    const target = byId.get(id);
    if (target === undefined) throw new Error(`unreachable: no target "${id}"`);
    const value = target.dependsOn.reduce((max, dependency) => Math.max(max, depthOf(dependency, [...trail, id]) + 1), 0);
    depth.set(id, value);
    return value;
  };
  const waves: T[][] = [];
  for (const target of targets) (waves[depthOf(target.id, [])] ??= []).push(target);
  return waves;
}

/** How far a target of a wave run has come, as far as ordering cares. */
export type TargetProgress = 'notStarted' | 'running' | 'succeeded' | 'failed';

/**
 * The targets to start now: not started, and every target they depend on succeeded. Nothing once
 * any target has failed: a failure stops every later wave.
 */
export function readyTargets<T extends TargetNode>(targets: readonly T[], progress: (id: string) => TargetProgress): T[] {
  if (targets.some((target) => progress(target.id) === 'failed')) return [];
  return targets.filter((target) => progress(target.id) === 'notStarted' && target.dependsOn.every((dependency) => progress(dependency) === 'succeeded'));
}
