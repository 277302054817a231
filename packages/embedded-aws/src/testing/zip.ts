import { strToU8, zipSync, type Zippable } from 'fflate';

/** A fixed timestamp for every entry, so the same sources always give the same zip and CodeSha256. */
const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

/**
 * Builds a Node.js function zip from inline sources, e.g.
 * `functionZip({ 'index.mjs': 'export const handler = async () => 42;' })`.
 * The bytes are deterministic: equal sources give an equal CodeSha256.
 */
export function functionZip(files: Readonly<Record<string, string>>): Uint8Array {
  const entries: Zippable = {};
  for (const [path, source] of Object.entries(files)) entries[path] = [strToU8(source), { mtime: FIXED_MTIME }];
  return zipSync(entries);
}

/** A zip whose `index.mjs` handler returns `value` (and, when given, the event's `echo` member). */
export function returningZip(value: unknown): Uint8Array {
  return functionZip({ 'index.mjs': `export const handler = async (event) => ({ value: ${JSON.stringify(value)}, echo: event.echo });\n` });
}
