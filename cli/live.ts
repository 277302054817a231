import cliTruncate from 'cli-truncate';
import { createLogUpdate } from 'log-update';

/** A terminal stream: its width, when it has one. */
export interface Terminal {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

/**
 * Lines cut to the terminal's width (an ellipsis marks the cut; colour codes and wide characters
 * counted as shown). Off a terminal, lines are left whole: a log or a pipe keeps every character.
 */
export function fitToTerminal(lines: readonly string[], stream: Pick<Terminal, 'isTTY' | 'columns'> = process.stdout): string[] {
  const columns = stream.isTTY === true ? stream.columns : undefined;
  if (!columns || columns < 1) return [...lines];
  return lines.map((line) => cliTruncate(line, columns, { position: 'end' }));
}

/**
 * A block of lines redrawn in place on a terminal (`status --watch`, `deploy --wait`, `traffic`).
 * log-update erases by physical rows — a line wider than the terminal wraps, and is erased as the
 * rows it took — and each line is cut to the terminal's width first, so a redraw never leaves
 * stale copies behind, at 80 columns or after the window is narrowed.
 */
export class LiveBlock {
  private readonly update;
  private lines: readonly string[] = [];

  constructor(private readonly stream: Terminal & NodeJS.WritableStream = process.stdout) {
    // The cursor stays visible: hiding it would need a restore on every way out (Ctrl+C included).
    this.update = createLogUpdate(stream, { showCursor: true });
  }

  /** Replaces the block with these lines. */
  draw(lines: readonly string[]): void {
    this.lines = lines;
    this.update(fitToTerminal(lines, this.stream).join('\n'));
  }

  /** Redraws the last lines at the terminal's current width (after a resize). */
  redraw(): void {
    this.draw(this.lines);
  }

  /** Erases the block (a summary printed next replaces it). */
  clear(): void {
    this.update.clear();
    this.update.done();
  }

  /** Leaves the block on the screen as it is; what is written next goes below it. */
  done(): void {
    this.update.done();
  }
}
