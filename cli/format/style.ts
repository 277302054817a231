import stringWidth from 'string-width';
import { globals } from '../globals';

/** Text styling for terminal output; every function returns its input unchanged when colour is off. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/**
 * Whether to colour a stream: `--no-color` never; else `FORCE_COLOR` (any value but `0`/`false`
 * colours even a pipe, `0` never — it wins over `NO_COLOR`, as in Node.js itself); else no colour
 * when `NO_COLOR` is set and not empty (https://no-color.org); else only on a terminal. Pipes,
 * files and CI logs get plain text unless told otherwise.
 */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (globals().color === false) return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return stream.isTTY === true;
}

/** The styles for a stream, coloured when {@link colourEnabled} says so. */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  const enabled = colourEnabled(stream, env);
  const sgr = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return {
    enabled,
    bold: sgr(1, 22),
    dim: sgr(2, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
  };
}

/** Width of text as shown on a terminal (columns): colour codes excluded, wide characters count twice. */
export function visibleWidth(text: string): number {
  return stringWidth(text);
}
