import type { DeploymentEvent, DeploymentRecord, RecordedEnding } from '../../model/deployment';
import { event } from './events';

/** The history event of a deployment's recorded ending: its kind and message, the status and reason, and the ending's data. */
export function endingEvent(record: DeploymentRecord, ending: RecordedEnding): DeploymentEvent {
  return event(record.deploymentId, ending.eventKey, ending.eventKind, ending.at, ending.message, { status: record.status, ...(record.reason ? { reason: record.reason } : {}), ...ending.data });
}

/**
 * A deployment's timeline as readers see it: the history, and the ending the record already holds.
 * The terminal status is written first and its event appended a moment later (or by a retry, or by
 * the sweeper): a reader in between would see the deployment ended with no ending in its history.
 */
export function timelineOf(record: DeploymentRecord, events: readonly DeploymentEvent[]): readonly DeploymentEvent[] {
  const ending = record.ending && endingEvent(record, record.ending);
  if (!ending || events.some((e) => e.key === ending.key)) return events;
  return [...events, ending].sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
}
