import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`embedded CloudWatch: cannot read its alarms from ${this.file}`, { cause: error });
    }
    let saved: Alarm[];
    try {
      saved = JSON.parse(text) as Alarm[];
    } catch (error) {
      throw new Error(`embedded CloudWatch: ${this.file} is not valid JSON; fix or delete it`, { cause: error });
    }
    for (const alarm of saved) this.alarms.set(alarm.config.alarmName, alarm);
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
    if (!this.file) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.all(), null, 2));
    renameSync(temporary, this.file);
  }
}
