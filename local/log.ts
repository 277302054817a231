import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sanitise } from '../shared/text/sanitise';
import type { SimClock } from './types';

/** One line of the embedded AWS's log. */
export interface LogLine {
  /** Simulated time, ISO 8601. */
  readonly time: string;
  readonly message: string;
}

/** The embedded AWS's own log: what its services did and what failed (asynchronous deliveries above all). */
export interface LocalLog {
  /** The path of the log file, when there is a data directory. */
  readonly file: string | undefined;
  write(message: string): void;
  /** The newest lines kept in memory, oldest first; only those containing `contains` when given. */
  recent(contains?: string): LogLine[];
}

/** Lines kept in memory for `GET /_fledge/log`. */
const KEPT_LINES = 1000;
/** The file is rotated once (to `embedded-aws.log.1`) when it grows past this. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Keeps every log line three ways: the newest {@link KEPT_LINES} in memory (served at
 * `GET /_fledge/log`), appended to `<dataDir>/embedded-aws.log` when there is a data directory
 * (written before the call returns, so the lines before a crash are there), and passed to
 * `forward` (`--verbose` prints them). Lines are user text (function output, error messages):
 * the file gets them with control characters escaped, as a terminal would print them.
 */
export function createLocalLog(options: { dataDir: string | undefined; clock: SimClock; forward?: (message: string) => void }): LocalLog {
  const file = options.dataDir === undefined ? undefined : join(options.dataDir, 'embedded-aws.log');
  const lines: LogLine[] = [];
  let size = -1;
  let fileBroken = false;
  const toFile = (line: LogLine): void => {
    if (!file || fileBroken) return;
    try {
      if (size < 0) {
        mkdirSync(dirname(file), { recursive: true });
        size = statOrZero(file);
      }
      if (size > MAX_FILE_BYTES) {
        renameSync(file, `${file}.1`);
        size = 0;
      }
      const text = `${line.time} ${sanitise(line.message, { keepNewlines: true })}\n`;
      appendFileSync(file, text);
      size += Buffer.byteLength(text);
    } catch (error) {
      // A log must never break the service it logs; say so once, where someone may see it.
      fileBroken = true;
      options.forward?.(`embedded AWS: cannot write its log file ${file}: ${(error as Error).message}; the log stays in memory (GET /_fledge/log)`);
    }
  };
  return {
    file,
    write(message) {
      const line = { time: new Date(options.clock.now()).toISOString(), message };
      lines.push(line);
      if (lines.length > KEPT_LINES) lines.splice(0, lines.length - KEPT_LINES);
      toFile(line);
      options.forward?.(message);
    },
    recent: (contains) => (contains === undefined ? [...lines] : lines.filter((line) => line.message.includes(contains))),
  };
}

function statOrZero(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
