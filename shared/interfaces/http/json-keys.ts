import type { PathSegment } from '../../model/spec';
import { formatPath } from '../../domain/spec/problems';

type Frame = { readonly kind: 'object'; readonly keys: Set<string>; key?: string; expectKey: boolean } | { readonly kind: 'array'; index: number };

/**
 * Where a JSON text gives one key twice in the same object, at any depth (`spec.version`,
 * `artifact.key`), found by one linear scan that never recurses. `JSON.parse` silently keeps the
 * last of duplicates, so a request saying two things at once would be acted on as one of them.
 *
 * Run it on text `JSON.parse` accepted (it trusts the text's structure) and after the depth scan
 * ({@link firstTooDeep}) bounded the nesting. At most `max` paths are returned.
 */
export function duplicateKeys(text: string, max = 5): string[] {
  const found: string[] = [];
  const stack: Frame[] = [];
  for (let i = 0; i < text.length && found.length < max; i += 1) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      const start = i;
      for (i += 1; text[i] !== '"'; i += 1) if (text[i] === '\\') i += 1;
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.keys.has(key)) found.push(formatPath([...pathTo(stack), key]));
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
    } else if (c === '{') stack.push({ kind: 'object', keys: new Set(), expectKey: true });
    else if (c === '[') stack.push({ kind: 'array', index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top !== undefined) {
      if (top.kind === 'object') top.expectKey = true;
      else top.index += 1;
    }
  }
  return found;
}

/** The path to the value the innermost frame holds, without that frame's own current key. */
function pathTo(stack: readonly Frame[]): PathSegment[] {
  return stack.slice(0, -1).map((frame) => (frame.kind === 'object' ? (frame.key ?? '') : frame.index));
}
