import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalStateError, readJsonState, writeJsonState } from '../../../state-file';
import type { AsyncDelivery } from './delivery';

/** A delivery as saved: with the simulated time of the save, so ages and delays carry over to the next clock. */
interface SavedDelivery extends AsyncDelivery {
  readonly savedAt: number;
}

/**
 * The pending asynchronous deliveries, one file each under `<dataDir>/lambda/async/<id>.json`,
 * written (through a temporary file and a rename) before the event is acknowledged and at every
 * change of its state, removed when it ends. Without a data directory nothing is written.
 */
export class AsyncJournal {
  private readonly directory: string | undefined;

  constructor(dataDir: string | undefined) {
    this.directory = dataDir === undefined ? undefined : join(dataDir, 'lambda', 'async');
  }

  save(delivery: AsyncDelivery, now: number): void {
    if (this.directory) writeJsonState(join(this.directory, `${delivery.id}.json`), { ...delivery, savedAt: now } satisfies SavedDelivery);
  }

  remove(id: string): void {
    if (!this.directory) return;
    try {
      rmSync(join(this.directory, `${id}.json`), { force: true });
    } catch (error) {
      throw new LocalStateError(`embedded Lambda: cannot remove ${join(this.directory, `${id}.json`)}: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * The deliveries a previous run left pending, rebased on the new clock: the simulated clock
   * restarts at the real time of start-up, so the event keeps the age it had, and a retry the
   * time left to wait.
   */
  load(now: number): AsyncDelivery[] {
    if (!this.directory) return [];
    let names: string[];
    try {
      names = readdirSync(this.directory).filter((name) => name.endsWith('.json'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new LocalStateError(`embedded Lambda: cannot read ${this.directory}: ${(error as Error).message}`, { cause: error });
    }
    const loaded: AsyncDelivery[] = [];
    for (const name of names.sort()) {
      const saved = readJsonState<SavedDelivery>(join(this.directory, name), 'embedded Lambda');
      if (!saved) continue;
      const { savedAt, ...delivery } = saved;
      if (typeof savedAt !== 'number' || typeof delivery.id !== 'string' || !Array.isArray(delivery.attempts)) {
        throw new LocalStateError(`embedded Lambda: ${join(this.directory, name)} is not a saved asynchronous invocation; fix or delete it`);
      }
      loaded.push({
        ...delivery,
        acceptedAt: now - Math.max(0, savedAt - delivery.acceptedAt),
        nextAttemptAt: delivery.nextAttemptAt === undefined ? undefined : now + Math.max(0, delivery.nextAttemptAt - savedAt),
      });
    }
    return loaded;
  }
}
