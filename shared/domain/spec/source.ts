import {
  LineCounter,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Document,
  type Node,
  type ParsedNode,
} from 'yaml';
import { formatPath, type PathSegment, type SpecProblem } from './problems';

/** Specs are small; anything larger is a mistake or an attack. */
export const MAX_SPEC_BYTES = 256 * 1024;
/** Aliases a spec may use: generous for real reuse, far below what a "billion laughs" needs. */
export const MAX_ALIAS_COUNT = 50;

/** A spec file read and parsed as YAML (JSON is YAML), with what is needed to point into it. */
export interface SpecSource {
  readonly value: unknown;
  /** Line and column (1-based) of the node at `path` (or of its key when `at` is `key`); nearest existing ancestor when absent. */
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): { line: number; column: number };
}

export type SourceResult = { readonly ok: true; readonly source: SpecSource } | { readonly ok: false; readonly problems: SpecProblem[] };

const problemAt = (line: number, column: number, message: string, path = ''): SpecProblem => ({ path, message, line, column });

/**
 * Decodes and parses a spec, refusing hostile or ambiguous input cleanly: too large, not UTF-8,
 * several documents, duplicate keys, tags, non-string keys, cyclic or excessive aliases.
 */
export function readSource(input: string | Uint8Array): SourceResult {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > MAX_SPEC_BYTES) {
    return { ok: false, problems: [problemAt(1, 1, `the spec is ${size} bytes; the limit is ${MAX_SPEC_BYTES} bytes (256 KiB)`)] };
  }
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  if (typeof text !== 'string') return { ok: false, problems: [text] };

  const lineCounter = new LineCounter();
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const documents = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: true,
    uniqueKeys: true,
    schema: 'core',
    merge: false,
    resolveKnownTags: false,
  });
  if (!Array.isArray(documents) || documents.length === 0) {
    return { ok: false, problems: [problemAt(1, 1, 'the spec is empty: it must be a mapping starting with "version: 1"')] };
  }
  if (documents.length > 1) {
    const second = documents[1]!;
    const { line, column } = position(second.range[0]);
    return { ok: false, problems: [problemAt(line, column, 'the file holds several YAML documents ("---"); a spec is exactly one')] };
  }
  const document = documents[0]!;
  const problems: SpecProblem[] = [];
  // Unresolved tags are warnings to the YAML library; checkNodes reports every tag with its path instead.
  const warnings = document.warnings.filter((warning) => warning.code !== 'TAG_RESOLVE_FAILED');
  for (const error of [...document.errors, ...warnings]) {
    const at = error.linePos?.[0] ?? { line: 1, col: 1 };
    problems.push(problemAt(at.line, at.col, `YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`));
  }
  if (problems.length > 0) return { ok: false, problems };

  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    return { ok: false, problems: [problemAt(1, 1, 'the spec is empty: it must be a mapping starting with "version: 1"')] };
  }
  problems.push(...checkNodes(document, text, position));
  if (!isMap(contents)) {
    const { line, column } = position(contents.range?.[0] ?? 0);
    problems.push(problemAt(line, column, `the spec must be a mapping of keys (version, function, alias, …), not ${isSeq(contents) ? 'a list' : 'a single value'}`));
  }
  if (problems.length > 0) return { ok: false, problems };

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand beyond maxAliasCount.
    const first = firstAlias(document);
    const { line, column } = position(first?.range?.[0] ?? 0);
    return {
      ok: false,
      problems: [problemAt(line, column, `YAML aliases expand too much (${error instanceof Error ? error.message : String(error)}); write the values out`)],
    };
  }
  return {
    ok: true,
    source: {
      value,
      locate: (path, at = 'value') => position(offsetOf(document, path, at)),
    },
  };
}

/** Decodes strict UTF-8 (a BOM is dropped); for invalid bytes, a problem at the first bad character. */
function decodeUtf8(bytes: Uint8Array): string | SpecProblem {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Decode again leniently to find where the first invalid sequence sits (it becomes U+FFFD).
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const index = Math.max(0, lenient.indexOf('\uFFFD'));
    const before = lenient.slice(0, index).split('\n');
    const line = before.length;
    const column = (before.at(-1)?.length ?? 0) + 1;
    return problemAt(line, column, `the file is not valid UTF-8 (first invalid byte at line ${line}, column ${column}); save it as UTF-8`);
  }
}

/** Structural checks the YAML library leaves to us: tags, non-string keys, aliases that contain themselves. */
function checkNodes(document: Document.Parsed, text: string, position: (offset: number) => { line: number; column: number }): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const report = (node: { range?: readonly number[] | null } | null | undefined, message: string, path: readonly PathSegment[]) => {
    const { line, column } = position(node?.range?.[0] ?? 0);
    problems.push(problemAt(line, column, message, formatPath(path)));
  };
  // The node's range starts after its tag: find the tag as written, just before the node.
  const reportTag = (node: { range?: readonly number[] | null }, path: readonly PathSegment[]) => {
    const start = text.lastIndexOf('!', node.range?.[0] ?? 0);
    let from = start;
    while (from > 0 && !/[\s,[{]/.test(text[from - 1] ?? ' ')) from--;
    const written = text.slice(from).split(/[\s,\]}]/)[0] ?? '!';
    const { line, column } = position(Math.max(0, from));
    problems.push(problemAt(line, column, `YAML tags are not accepted (found ${written}); write plain values`, formatPath(path)));
  };
  const visit = (node: unknown, path: PathSegment[], ancestors: Set<unknown>): void => {
    if (isAlias(node)) {
      const target = node.resolve(document);
      if (target !== undefined && ancestors.has(target)) report(node, `alias *${node.source} refers to a node that contains it`, path);
      return;
    }
    if (!isScalar(node) && !isCollection(node)) return;
    if (node.tag !== undefined) reportTag(node, path);
    if (isMap(node)) {
      ancestors.add(node);
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number' && typeof key.value !== 'boolean')) {
          report(isPair(pair) ? (key as Node | null) : null, 'keys must be plain words, not lists, mappings or null', path);
          continue;
        }
        if (key.tag !== undefined) reportTag(key, path);
        visit(pair.value, [...path, String(key.value)], ancestors);
      }
      ancestors.delete(node);
    } else if (isSeq(node)) {
      ancestors.add(node);
      node.items.forEach((item, index) => visit(item, [...path, index], ancestors));
      ancestors.delete(node);
    }
  };
  visit(document.contents, [], new Set());
  return problems;
}

function firstAlias(document: Document.Parsed): Node | undefined {
  let found: Node | undefined;
  const walk = (node: unknown): void => {
    if (found !== undefined) return;
    if (isAlias(node)) found = node;
    else if (isMap(node)) node.items.forEach((pair) => walk(pair.value));
    else if (isSeq(node)) node.items.forEach(walk);
  };
  walk(document.contents);
  return found;
}

/** Source offset of the node at `path`, following aliases; the nearest ancestor when the path goes beyond the document. */
function offsetOf(document: Document.Parsed, path: readonly PathSegment[], at: 'key' | 'value'): number {
  let node: unknown = document.contents;
  let offset = (node as ParsedNode | null)?.range[0] ?? 0;
  for (const [depth, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(document);
    const last = depth === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) return offset;
      const keyOffset = (pair.key as ParsedNode).range[0];
      if (last && at === 'key') return keyOffset;
      // A key with no value (`pause:`) has no value node: point at the key.
      const value = pair.value as ParsedNode | null;
      offset = value?.range && !(isScalar(value) && value.value === null && value.range[0] === value.range[1]) ? value.range[0] : keyOffset;
      node = value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as ParsedNode | undefined;
      if (item === undefined) return offset;
      offset = item.range[0];
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}
