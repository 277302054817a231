/**
 * Orders keys as S3 lists them: by the bytes of their UTF-8 encoding, which is Unicode code point
 * order. JavaScript's `<` compares UTF-16 code units instead, which puts characters beyond U+FFFF
 * (surrogate pairs) before U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** What one ListObjects(V2) call asks for. */
export interface ListingQuery {
  readonly prefix: string;
  /** Empty for none. */
  readonly delimiter: string;
  /** List only what sorts after this key (StartAfter, Marker, or where a continuation token points). */
  readonly after: string | undefined;
  /** 0 to 1000. */
  readonly maxKeys: number;
}

/** One page of a listing. */
export interface ListingPage<T> {
  readonly contents: readonly T[];
  readonly commonPrefixes: readonly string[];
  readonly isTruncated: boolean;
  /** The last key or common prefix on this page: the next page starts after it. */
  readonly last: string | undefined;
}

/** Index of the first entry of `sorted` for which `before` is false (`before` must hold for a prefix of it). */
function partition<T>(sorted: readonly T[], before: (entry: T) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(sorted[middle] as T)) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * One page of keys as S3 lists them: the keys under `prefix` that sort after `after`, with every
 * key that has `delimiter` after the prefix rolled up into one common prefix (up to and including
 * the delimiter), keys and common prefixes together counting towards `maxKeys`. `sorted` must be
 * in {@link compareKeys} order.
 */
export function listPage<T extends { readonly key: string }>(sorted: readonly T[], query: ListingQuery): ListingPage<T> {
  const { prefix, delimiter, after, maxKeys } = query;
  const contents: T[] = [];
  const commonPrefixes: string[] = [];
  if (maxKeys === 0) return { contents, commonPrefixes, isTruncated: false, last: undefined };
  let index = partition(sorted, (entry) => compareKeys(entry.key, prefix) < 0);
  if (after !== undefined) index = Math.max(index, partition(sorted, (entry) => compareKeys(entry.key, after) <= 0));
  let last: string | undefined;
  let isTruncated = false;
  for (; index < sorted.length; index++) {
    const entry = sorted[index] as T;
    if (!entry.key.startsWith(prefix)) break; // sorted: past the keys under the prefix
    const at = delimiter === '' ? -1 : entry.key.indexOf(delimiter, prefix.length);
    const commonPrefix = at < 0 ? undefined : entry.key.slice(0, at + delimiter.length);
    // The keys of a common prefix already listed, on this page or (as `after`) on an earlier one.
    if (commonPrefix !== undefined && (commonPrefix === last || commonPrefix === after)) continue;
    if (contents.length + commonPrefixes.length === maxKeys) {
      isTruncated = true;
      break;
    }
    if (commonPrefix === undefined) {
      contents.push(entry);
      last = entry.key;
    } else {
      commonPrefixes.push(commonPrefix);
      last = commonPrefix;
    }
  }
  return { contents, commonPrefixes, isTruncated, last };
}

/** The opaque `NextContinuationToken` for a page that ended at `last`. */
export function continuationToken(last: string): string {
  return Buffer.from(last, 'utf8').toString('base64url');
}

/** Where a continuation token points, or undefined when it is not one this S3 handed out. */
export function continuationTokenTarget(token: string): string | undefined {
  if (token === '' || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const decoded = Buffer.from(token, 'base64url');
  const text = decoded.toString('utf8');
  return Buffer.from(text, 'utf8').equals(decoded) && continuationToken(text) === token ? text : undefined;
}
