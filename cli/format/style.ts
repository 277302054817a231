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
 * Colours only for a person at a terminal: the stream must be a TTY and `NO_COLOR` unset or empty
 * (https://no-color.org). Pipes, files and CI logs get plain text.
 */
export function styleFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  const enabled = stream.isTTY === true && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '');
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

// eslint-disable-next-line no-control-regex -- matching terminal escape sequences is the point.
const ANSI = /\u001b\[[0-9;]*m/g;

/** Width of text as shown on a terminal, colour codes excluded. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}
