import { LIMITS } from '../../model/spec-limits';
import type { PathSegment } from '../../model/spec';

/**
 * Measuring JSON-like values without trusting their shape: used by the spec reader and by the
 * doors that receive a spec as a value rather than text (the API's `{"spec": {...}}` body).
 */

/** Bytes of `value` as UTF-8 JSON: what Step Functions and DynamoDB count. Call on values within {@link LIMITS.maxDepth}. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * The path of the first object or array nested deeper than `maxDepth` (the value itself at
 * depth 1), or undefined. An explicit-stack walk: no depth of input can exhaust the call stack,
 * which `JSON.stringify` and every recursive walk would.
 */
export function tooDeep(value: unknown, maxDepth: number = LIMITS.maxDepth): PathSegment[] | undefined {
  interface Link {
    readonly segment: PathSegment;
    readonly parent: Link | undefined;
  }
  const stack: { value: unknown; depth: number; path: Link | undefined }[] = [{ value, depth: 1, path: undefined }];
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth > maxDepth) {
      const segments: PathSegment[] = [];
      for (let at = path; at !== undefined; at = at.parent) segments.push(at.segment);
      return segments.reverse();
    }
    const entries: [PathSegment, unknown][] = Array.isArray(current) ? current.map((item, index) => [index, item]) : Object.entries(current);
    // Reversed so the first child is walked first and the reported path is the first in document order.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [segment, child] = entries[i]!;
      stack.push({ value: child, depth: depth + 1, path: { segment, parent: path } });
    }
  }
  return undefined;
}

/**
 * Where most of a value's bytes are: from the top, into the largest child while it holds at
 * least half of its parent. Tells a person which field to shorten.
 */
export function largestPart(value: unknown): { readonly path: PathSegment[]; readonly bytes: number } {
  const path: PathSegment[] = [];
  let current = value;
  let bytes = jsonBytes(value);
  for (;;) {
    if (typeof current !== 'object' || current === null) break;
    const entries: [PathSegment, unknown][] = Array.isArray(current) ? current.map((item, index) => [index, item]) : Object.entries(current);
    let best: { segment: PathSegment; value: unknown; bytes: number } | undefined;
    for (const [segment, child] of entries) {
      const size = jsonBytes(child);
      if (best === undefined || size > best.bytes) best = { segment, value: child, bytes: size };
    }
    if (best === undefined || best.bytes * 2 < bytes) break;
    path.push(best.segment);
    current = best.value;
    bytes = best.bytes;
  }
  return { path, bytes };
}
