import type { SimClock } from '../../types';

/** One history event as GetExecutionHistory returns it (timestamp in simulated epoch ms here). */
export interface HistoryEvent {
  readonly timestamp: number;
  readonly type: string;
  readonly id: number;
  readonly previousEventId: number;
  readonly [details: string]: unknown;
}

/** A line of events that follow one another: the execution, or one Parallel branch. */
export interface Thread {
  last: number;
}

/**
 * Appends AWS-shaped events to an execution's history: ids count from 1 and each event names
 * the one before it on its thread (`previousEventId`), so branch events chain within a branch.
 */
export class HistoryRecorder {
  private closed = false;

  constructor(
    readonly events: HistoryEvent[],
    private readonly clock: SimClock,
  ) {}

  /** Records an event of `type` with its details member (`stateEnteredEventDetails`, …); returns its id. */
  add(thread: Thread, type: string, details?: Record<string, unknown>): number {
    // Once the execution has ended, late events of branches still unwinding are not history.
    if (this.closed) return thread.last;
    const id = this.events.length + 1;
    const member = details ? { [detailsMember(type)]: details } : {};
    this.events.push({ timestamp: this.clock.now(), type, id, previousEventId: thread.last, ...member });
    thread.last = id;
    return id;
  }

  /** Records the execution's final event; nothing is recorded after it. */
  close(thread: Thread, type: string, details?: Record<string, unknown>): void {
    this.add(thread, type, details);
    this.closed = true;
  }
}

/** AWS names one details member for all `*StateEntered` (and `*StateExited`) types, and one per type otherwise. */
function detailsMember(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}

/** JSON text of a value as history events carry it. */
export const json = (value: unknown): string => JSON.stringify(value ?? null);

const dataMembers = new Set(['input', 'output', 'parameters']);

/** A history event on the wire: seconds for the timestamp; input/output left out when asked to. */
export function renderEvent(event: HistoryEvent, withData: boolean): Record<string, unknown> {
  const rendered: Record<string, unknown> = { ...event, timestamp: event.timestamp / 1000 };
  if (!withData) {
    for (const [key, value] of Object.entries(rendered)) {
      if (key.endsWith('EventDetails') && value && typeof value === 'object') rendered[key] = Object.fromEntries(Object.entries(value).filter(([member]) => !dataMembers.has(member)));
    }
  }
  return rendered;
}
