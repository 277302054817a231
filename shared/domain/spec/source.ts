import {
  Composer,
  LineCounter,
  Parser,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type CST,
  type Document,
  type Node,
  type ParsedNode,
} from 'yaml';
import { describeBytes, LIMITS } from '../../model/spec-limits';
import type { PathSegment, SpecProblem } from '../../model/spec';
import { formatPath, quote } from './problems';

/** Specs are small; anything larger is a mistake or an attack: {@link LIMITS.maxSpecBytes}. */
export const MAX_SPEC_BYTES = LIMITS.maxSpecBytes;
/** Alias expansions a spec may use: {@link LIMITS.maxAliasCount}. */
export const MAX_ALIAS_COUNT = LIMITS.maxAliasCount;

/**
 * The problem of a spec over {@link LIMITS.maxSpecBytes}, worded once for every door: a file, an
 * S3 object refused before it is read, a request body.
 */
export function specTooLarge(size: number): SpecProblem {
  return problemAt(1, 1, `the spec is ${size} bytes; the limit is ${describeBytes(MAX_SPEC_BYTES)}`);
}

/** How a nesting problem is worded, wherever it is found. */
export function tooDeepMessage(viaAlias?: string): string {
  return (
    `mappings and lists nest more than ${LIMITS.maxDepth} levels deep here${viaAlias === undefined ? '' : ` once alias *${viaAlias} is expanded`}; ` +
    `a spec nests at most ${LIMITS.maxDepth} levels (the top-level mapping is level 1)`
  );
}

/** A spec file read and parsed as YAML (JSON is YAML), with what is needed to point into it. */
export interface SpecSource {
  readonly value: unknown;
  /** Line and column (1-based) of the node at `path` (or of its key when `at` is `key`); nearest existing ancestor when absent. */
  locate(path: readonly PathSegment[], at?: 'key' | 'value'): { line: number; column: number };
}

export type SourceResult = { readonly ok: true; readonly source: SpecSource } | { readonly ok: false; readonly problems: SpecProblem[] };

function problemAt(line: number, column: number, message: string, path = ''): SpecProblem {
  return { path, message, line, column };
}

/**
 * Decodes and parses a spec, refusing hostile or ambiguous input cleanly: too large, not UTF-8,
 * nested too deep, several documents, duplicate keys, tags, non-string keys, cyclic or excessive
 * aliases.
 */
export function readSource(input: string | Uint8Array): SourceResult {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > MAX_SPEC_BYTES) return { ok: false, problems: [specTooLarge(size)] };
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  if (typeof text !== 'string') return { ok: false, problems: [text] };

  const lineCounter = new LineCounter();
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // The syntax tree is built without recursion; composing it into nodes recurses, and thousands
  // of levels would overflow the stack: the nesting is checked in between.
  const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
  const deep = tooDeepInSyntax(tokens, position);
  if (deep !== undefined) return { ok: false, problems: [deep] };
  const composer = new Composer({
    // checkNodes reports duplicates itself, naming the key, and also keys that only collide as text (1 and "1").
    uniqueKeys: false,
    schema: 'core',
    merge: false,
    resolveKnownTags: false,
  });
  const documents = Array.from(composer.compose(tokens));
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
    const { line, column } = position(error.pos[0]);
    problems.push(problemAt(line, column, yamlMessage(error.message)));
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
  const deepAlias = tooDeepThroughAliases(document, position);
  if (deepAlias !== undefined) return { ok: false, problems: [deepAlias] };

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand beyond maxAliasCount; anything else is a bug.
    if (!(error instanceof ReferenceError)) throw error;
    const first = firstAlias(document);
    const { line, column } = position(first?.range?.[0] ?? 0);
    return {
      ok: false,
      problems: [
        problemAt(
          line,
          column,
          `YAML aliases expand too much: a spec may expand at most ${MAX_ALIAS_COUNT} alias uses (aliases within aliases multiply); write the values out`,
          first === undefined ? '' : formatPath(pathOf(document, first)),
        ),
      ],
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
      // Keys as the spec reads them (text): `1` and `"1"` are the same key once read.
      const seen = new Map<string, Node>();
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number' && typeof key.value !== 'boolean')) {
          report(isPair(pair) ? (key as Node | null) : null, 'keys must be plain words, not lists, mappings or null', path);
          continue;
        }
        if (key.tag !== undefined) reportTag(key, path);
        // .nan, .inf: YAML reads them as numbers no key can be named after (they would come back as NaN, Infinity).
        if (typeof key.value === 'number' && !Number.isFinite(key.value)) {
          report(key, `key ${quote(key.source ?? text.slice(key.range?.[0] ?? 0, key.range?.[1] ?? 0))} reads as a number that is not finite: keys must be plain words`, path);
          continue;
        }
        const name = String(key.value);
        const first = seen.get(name);
        if (first !== undefined) {
          const { line, column } = position(first.range?.[0] ?? 0);
          report(key, `duplicate key ${quote(name)}: it is already given at line ${line}, column ${column}; a key may appear once`, [...path, name]);
          continue;
        }
        seen.set(name, key);
        visit(pair.value, [...path, name], ancestors);
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

/**
 * The YAML library's message for a syntax problem, first line only. A message that is not about
 * the spec (an exhausted stack, a JavaScript error) is never shown as it is.
 */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (/call stack|RangeError|TypeError|ReferenceError|is not a function|undefined|\bat .+:\d+:\d+/.test(first)) {
    return 'YAML: this part of the spec cannot be read: check its brackets, quotes and indentation';
  }
  return `YAML: ${first}`;
}

/** A step up a path, kept as a linked list so that walking very deep input stays linear. */
interface PathLink {
  readonly segment: PathSegment;
  readonly parent: PathLink | undefined;
}

function pathFrom(link: PathLink | undefined): PathSegment[] {
  const segments: PathSegment[] = [];
  for (let at = link; at !== undefined; at = at.parent) segments.push(at.segment);
  return segments.reverse();
}

/** The text of a key as written in the syntax tree: plain or quoted scalars; undefined for anything else. */
function keyText(token: CST.Token | null | undefined): string | undefined {
  if (token === null || token === undefined) return undefined;
  if (token.type === 'scalar') return token.source;
  if (token.type === 'single-quoted-scalar' || token.type === 'double-quoted-scalar') return token.source.slice(1, -1);
  return undefined;
}

/**
 * The first mapping or list nested deeper than {@link LIMITS.maxDepth}, found on the syntax tree
 * (which the YAML library builds without recursion) by an explicit-stack walk, so no depth of
 * input can exhaust the call stack. Aliases are not followed here: see {@link tooDeepThroughAliases}.
 */
function tooDeepInSyntax(tokens: readonly CST.Token[], position: (offset: number) => { line: number; column: number }): SpecProblem | undefined {
  const stack: { token: CST.Token; depth: number; path: PathLink | undefined }[] = [];
  for (const token of tokens) {
    if (token.type === 'document' && token.value !== undefined) stack.push({ token: token.value, depth: 0, path: undefined });
  }
  while (stack.length > 0) {
    const { token, depth, path } = stack.pop()!;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    const here = depth + 1;
    if (here > LIMITS.maxDepth) {
      const { line, column } = position(token.offset);
      return problemAt(line, column, tooDeepMessage(), formatPath(pathFrom(path)));
    }
    const isMapping = token.type === 'block-map' || (token.type === 'flow-collection' && token.start.source === '{');
    token.items.forEach((item, index) => {
      const key = keyText(item.key);
      const segment: PathSegment = isMapping ? (key ?? '?') : index;
      // `[a: b]` is a list of one-pair mappings: one level more.
      const pairInList = !isMapping && (item.key !== undefined || item.sep !== undefined) ? 1 : 0;
      if (item.key !== undefined && item.key !== null) stack.push({ token: item.key, depth: here + pairInList, path: { segment, parent: path } });
      if (item.value !== undefined) stack.push({ token: item.value, depth: here + pairInList, path: { segment, parent: path } });
    });
  }
  return undefined;
}

/**
 * The first place where expanding aliases nests mappings and lists deeper than
 * {@link LIMITS.maxDepth} (`a: &x [[[…]]]` then `b: [[[*x]]]`). Each node's height is computed
 * once, so alias fans stay linear; the walk descends at most the limit, so it cannot overflow.
 */
function tooDeepThroughAliases(document: Document.Parsed, position: (offset: number) => { line: number; column: number }): SpecProblem | undefined {
  const heights = new Map<unknown, number>();
  class TooDeep {
    constructor(
      readonly node: Node,
      readonly path: readonly PathSegment[],
      readonly alias?: string,
    ) {}
  }
  const height = (node: unknown, depth: number, path: PathSegment[]): number => {
    if (isAlias(node)) {
      const target = node.resolve(document);
      const known = heights.get(target) ?? height(target, depth, path);
      if (depth + known > LIMITS.maxDepth) throw new TooDeep(node, path, node.source);
      return known;
    }
    if (!isCollection(node)) return 0;
    const known = heights.get(node);
    if (known !== undefined) {
      if (depth + known > LIMITS.maxDepth) throw new TooDeep(node, path);
      return known;
    }
    if (depth + 1 > LIMITS.maxDepth) throw new TooDeep(node, path);
    let below = 0;
    if (isMap(node)) for (const pair of node.items) below = Math.max(below, height(pair.value, depth + 1, [...path, String((pair.key as { value?: unknown } | null)?.value)]));
    else node.items.forEach((item, index) => (below = Math.max(below, height(item, depth + 1, [...path, index]))));
    heights.set(node, below + 1);
    return below + 1;
  };
  try {
    height(document.contents, 0, []);
    return undefined;
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
    const { line, column } = position(error.node.range?.[0] ?? 0);
    return problemAt(line, column, tooDeepMessage(error.alias), formatPath(error.path));
  }
}

/** The path of `target` in the document, without following aliases; empty when not found. */
function pathOf(document: Document.Parsed, target: Node): PathSegment[] {
  const stack: { node: unknown; path: PathLink | undefined }[] = [{ node: document.contents, path: undefined }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node === target) return pathFrom(path);
    if (isMap(node)) for (const pair of node.items) stack.push({ node: pair.value, path: { segment: String((pair.key as { value?: unknown } | null)?.value), parent: path } });
    else if (isSeq(node)) node.items.forEach((item, index) => stack.push({ node: item, path: { segment: index, parent: path } }));
  }
  return [];
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

/** Each mapping's pairs by key text, built on first use: locating thousands of problems in one mapping stays linear. */
const pairIndexes = new WeakMap<object, Map<string, { key: unknown; value: unknown }>>();

function pairAt(map: { items: { key: unknown; value: unknown }[] }, key: string): { key: unknown; value: unknown } | undefined {
  let index = pairIndexes.get(map);
  if (index === undefined) {
    index = new Map();
    for (const item of map.items) {
      const text = isScalar(item.key) ? String(item.key.value) : undefined;
      if (text !== undefined && !index.has(text)) index.set(text, item);
    }
    pairIndexes.set(map, index);
  }
  return index.get(key);
}

/** Source offset of the node at `path`, following aliases; the nearest ancestor when the path goes beyond the document. */
function offsetOf(document: Document.Parsed, path: readonly PathSegment[], at: 'key' | 'value'): number {
  let node: unknown = document.contents;
  let offset = (node as ParsedNode | null)?.range[0] ?? 0;
  for (const [depth, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(document);
    const last = depth === path.length - 1;
    if (isMap(node)) {
      const pair = pairAt(node, String(segment));
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
