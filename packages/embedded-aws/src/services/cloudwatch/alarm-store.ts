import { join } from 'node:path';
import { readJsonState, writeJsonState } from '../../state-file';
import type { Alarm } from './alarm';

/**
 * Alarms by name, kept in `<dataDir>/cloudwatch/alarms.json` when a data directory is given.
 * The file is rewritten whole (write to a temporary file, then rename) so a crash never leaves
 * half a file behind. Metrics are not persisted: they age out within a simulated day anyway.
 */
export class AlarmStore {
  private readonly alarms = new Map<string, Alarm>();
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.file = dataDir === undefined ? undefined : join(dataDir, 'cloudwatch', 'alarms.json');
  }

  /** Loads the alarms saved by an earlier run; a missing file means none. */
  load(): void {
    if (!this.file) return;
    for (const alarm of readJsonState<Alarm[]>(this.file, 'embedded CloudWatch') ?? []) this.alarms.set(alarm.config.alarmName, alarm);
  }

  get(name: string): Alarm | undefined {
    return this.alarms.get(name);
  }

  /** Every alarm, sorted by name as DescribeAlarms returns them. */
  all(): Alarm[] {
    return [...this.alarms.values()].sort((a, b) => (a.config.alarmName < b.config.alarmName ? -1 : a.config.alarmName > b.config.alarmName ? 1 : 0));
  }

  put(alarm: Alarm): void {
    this.alarms.set(alarm.config.alarmName, alarm);
    this.save();
  }

  delete(names: readonly string[]): void {
    for (const name of names) this.alarms.delete(name);
    this.save();
  }

  /** Writes the alarms out (after a state change made in place). */
  save(): void {
    if (this.file) writeJsonState(this.file, this.all());
  }

}
