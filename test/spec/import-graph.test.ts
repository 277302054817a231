import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, base, join(base, 'index.ts')].find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** The folders of `shared/` and the folders each imports (type-only imports count: they couple as much). */
function folderGraph(files: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of files) {
    const from = relative(ROOT, dirname(file));
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = resolveImport(file, specifier!);
      if (!target) continue;
      const to = relative(ROOT, dirname(target));
      if (to !== from && to.startsWith('shared')) edges.add(to);
    }
  }
  return graph;
}

/** Every cycle of folders, each as the path that closes it (Tarjan's strongly connected components). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

describe('the import graph of shared/', () => {
  it('has no cycle between folders: spec, plan, deployment and the rest import each other one way only', () => {
    // Prepare
    const graph = folderGraph(sourceFiles(join(ROOT, 'shared')));

    // Act
    const found = cycles(graph);

    // Assess
    expect(graph.get('shared/domain/plan')).toContain('shared/domain/spec');
    expect(found).toEqual([]);
  });

  it('finds a cycle when two folders import each other', () => {
    // Prepare
    const graph = new Map([
      ['shared/domain/spec', new Set(['shared/domain/plan'])],
      ['shared/domain/plan', new Set(['shared/domain/spec'])],
      ['shared/model', new Set<string>()],
    ]);

    // Act
    const found = cycles(graph);

    // Assess
    expect(found).toEqual([['shared/domain/plan', 'shared/domain/spec']]);
  });
});
