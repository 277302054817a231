import type { Template } from './package-stack';

/**
 * The dependencies CloudFormation derives between resources: `Ref`, `Fn::GetAtt`, `${X}` and
 * `${X.Attr}` inside `Fn::Sub`, and `DependsOn`. Pseudo parameters and template parameters are
 * not resources and are skipped.
 */
export function dependenciesOf(template: Template): Map<string, Set<string>> {
  const ids = new Set(Object.keys(template.Resources));
  const graph = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    const deps = new Set<string>([resource.DependsOn ?? []].flat());
    collect(resource.Properties, ids, deps);
    graph.set(id, deps);
  }
  return graph;
}

function collect(value: unknown, ids: ReadonlySet<string>, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collect(item, ids, into);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    if (key === 'Ref' && typeof item === 'string' && ids.has(item)) into.add(item);
    else if (key === 'Fn::GetAtt') {
      const target = Array.isArray(item) ? item[0] : String(item).split('.')[0];
      if (typeof target === 'string' && ids.has(target)) into.add(target);
    } else if (key === 'Fn::Sub') {
      const text = Array.isArray(item) ? item[0] : item;
      const locals = Array.isArray(item) ? Object.keys((item[1] ?? {}) as object) : [];
      for (const [, name] of String(text).matchAll(/\$\{([^}!.]+)(?:\.[^}]+)?\}/g)) if (ids.has(name!) && !locals.includes(name!)) into.add(name!);
      if (Array.isArray(item)) collect(item[1], ids, into);
    } else collect(item, ids, into);
  }
}

/** One dependency cycle as the list of resources on it, or `[]` when the graph has none. */
export function findCycle(template: Template): string[] {
  const graph = dependenciesOf(template);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] => {
    if (state.get(id) === 'done') return [];
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of graph.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle.length > 0) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return [];
  };
  for (const id of graph.keys()) {
    const cycle = visit(id);
    if (cycle.length > 0) return cycle;
  }
  return [];
}
