import type { ApiClient } from './api-client';
import { FINISHED, formatEvent, formatStatus, formatDuration, type DeploymentDetail, type DeploymentEventView } from './format/deployment';
import { styleFor } from './format/style';
import { globals } from './globals';
import { LiveBlock } from './live';
import { printResult } from './output';
import { printError } from './program';

/** How following a deployment ended. */
export type FollowEnd = 'finished' | 'timeout' | 'interrupted';

/** Options of {@link followDeployment}. */
export interface FollowOptions {
  readonly intervalMs: number;
  /** `--timeout`: stop following after this long (the deployment goes on). */
  readonly timeoutMs?: number;
  /** The flags that reach the same fledge, for the commands suggested (`--local`, …). */
  readonly flags: string;
}

/** Reads a deployment. */
export async function getDeployment(client: ApiClient, id: string): Promise<DeploymentDetail> {
  return client.request<DeploymentDetail>('GET', `/deployments/${encodeURIComponent(id)}`);
}

/**
 * Follows a deployment until it finishes, `--timeout` runs out or Ctrl+C. On a terminal the
 * status block is redrawn in place ({@link LiveBlock}); anywhere else (a pipe, a CI log) each
 * event of the history is printed once, in order, with its time — every event, since the whole
 * history is read at each poll and only the events not printed yet are printed. With `--output
 * json|yaml` only the final record is printed. Ctrl+C and a timeout say that the deployment goes
 * on, and how to follow or stop it.
 */
export async function followDeployment(client: ApiClient, id: string, options: FollowOptions): Promise<{ detail: DeploymentDetail; end: FollowEnd }> {
  const out = process.stdout;
  const { output } = globals();
  const style = styleFor(out);
  const people = output === 'table' && globals().query === undefined;
  const live = people && out.isTTY === true ? new LiveBlock() : undefined;
  const printed = new Set<string>();
  const interrupted = new AbortController();
  const onSigint = (): void => interrupted.abort();
  process.once('SIGINT', onSigint);
  const onResize = (): void => live?.redraw();
  out.on('resize', onResize);
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  let detail: DeploymentDetail | undefined;
  let end: FollowEnd | undefined;
  try {
    for (;;) {
      detail = await getDeployment(client, id);
      if (live) live.draw([...formatStatus(detail, style, { flags: options.flags }), '', ...recent(detail.events, 3).map((e) => style.dim(formatEvent(e)))]);
      else if (people) {
        const seen = new Map<string, number>();
        for (const event of detail.events) {
          // Two events alike in time, kind and message are two events: count the occurrences.
          const base = `${event.at}\u0000${event.kind}\u0000${event.message}`;
          const occurrence = (seen.get(base) ?? 0) + 1;
          seen.set(base, occurrence);
          const key = `${base}\u0000${occurrence}`;
          if (printed.has(key)) continue;
          printed.add(key);
          out.write(`${formatEvent(event)}\n`);
        }
      }
      if (FINISHED.has(detail.status)) {
        end = 'finished';
        break;
      }
      const wait = deadline === undefined ? options.intervalMs : Math.min(options.intervalMs, deadline - Date.now());
      if (wait <= 0 || !(await sleep(wait, interrupted.signal))) {
        end = interrupted.signal.aborted ? 'interrupted' : 'timeout';
        break;
      }
      if (deadline !== undefined && Date.now() >= deadline) {
        end = 'timeout';
        break;
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
    out.off('resize', onResize);
    live?.done();
  }
  if (!detail || !end) throw new Error(`deployment ${id} could not be followed`);
  if (end === 'finished') {
    if (people && !live) out.write(`\n${formatStatus(detail, style, { flags: options.flags }).join('\n')}\n`);
    else if (!people) printResult(detail, () => '');
  } else {
    const where = `${detail.status}${detail.currentWeight !== undefined ? ` at ${detail.currentWeight}%` : ''}`;
    const why = end === 'interrupted' ? 'stopped following' : `--timeout ran out after ${formatDuration(options.timeoutMs ?? 0)}`;
    printError(`${why}: deployment ${id} goes on (${where}). Follow it: fledge status ${id} --watch${options.flags}; stop it (it rolls back): fledge stop ${id}${options.flags}`);
    if (!people) printResult(detail, () => '');
  }
  return { detail, end };
}

/** The last `count` events, for the live view. */
function recent(events: readonly DeploymentEventView[], count: number): readonly DeploymentEventView[] {
  return events.slice(-count);
}

/** Waits `ms`; false when interrupted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
