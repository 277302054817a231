import { formatDuration } from '../../shared/domain/spec/duration';
import { isTerminal, type DeploymentEvent, type DeploymentRecord } from '../../shared/model/deployment';
import type { DeploymentStore } from '../../shared/ports/deployment-store';
import { trafficBar } from '../format/bar';
import type { Style } from '../format/style';
import { sanitise } from '../../shared/text/sanitise';

/** Options of {@link followDeployment}. */
export interface FollowOptions {
  readonly store: DeploymentStore;
  readonly deploymentId: string;
  /** Prefix of every line, e.g. `v2`. */
  readonly label: string;
  readonly write: (line: string) => void;
  readonly style: Style;
  /** A short description of the traffic seen so far, appended to health checks. */
  readonly traffic?: () => string;
  /** Called once for each new history event (the demo approves on `approvalRequested`). */
  readonly onEvent?: (event: DeploymentEvent) => void | Promise<void>;
  /** Real ms before giving up; default 90 s. */
  readonly timeoutMs?: number;
}

const KIND_WIDTH = 18;

/**
 * Follows a deployment from its history, one line per event — the step, the traffic split as a
 * bar, the health verdicts — until it ends, and returns the final record. Times are simulated
 * time since the deployment started, as the history records them.
 */
export async function followDeployment(options: FollowOptions): Promise<DeploymentRecord> {
  const { store, deploymentId, style } = options;
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  const shown = new Set<string>();
  let startedAt: number | undefined;
  let weight = 0;
  for (;;) {
    const record = await store.getDeployment(deploymentId);
    for (const event of record ? await store.listEvents(deploymentId) : []) {
      if (shown.has(event.key)) continue;
      shown.add(event.key);
      startedAt ??= event.at;
      if (event.kind === 'weight' && typeof event.data?.['percent'] === 'number') weight = event.data['percent'];
      if (event.kind === 'promoted') weight = 100;
      if (event.kind === 'rolledBack') weight = 0;
      options.write(formatEvent(event, { label: options.label, since: event.at - startedAt, weight, style, traffic: event.kind === 'check' ? options.traffic?.() : undefined }));
      await options.onEvent?.(event);
    }
    // The status is written first and the ending's event a moment later: wait for the event too.
    if (record && isTerminal(record.status) && (!record.ending || shown.has(record.ending.eventKey))) return record;
    if (Date.now() > deadline) throw new Error(`deployment ${deploymentId} did not finish within ${Math.round((options.timeoutMs ?? 90_000) / 1000)} s (status ${record?.status ?? 'not recorded yet'})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function formatEvent(event: DeploymentEvent, context: { label: string; since: number; weight: number; style: Style; traffic: string | undefined }): string {
  const { style } = context;
  const at = `+${formatDuration(Math.round(context.since / 1000))}`.padStart(7);
  const unhealthy = event.kind === 'check' && event.data?.['verdict'] === 'unhealthy';
  const colour = event.kind === 'rolledBack' || event.kind === 'failed' || event.kind === 'approvalRejected' || unhealthy
    ? style.red
    : event.kind === 'promoted' || event.kind === 'approvalGiven'
      ? style.green
      : event.kind === 'approvalRequested'
        ? style.yellow
        : (text: string) => text;
  const kind = event.kind.padEnd(KIND_WIDTH);
  const bar = trafficBar(context.weight);
  const traffic = context.traffic ? style.dim(`  | ${context.traffic}`) : '';
  return `  ${style.bold(context.label)} ${style.dim(at)}  ${bar}  ${colour(`${kind}${sanitise(event.message)}`)}${traffic}`;
}
