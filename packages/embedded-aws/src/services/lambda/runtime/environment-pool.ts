import { ExecutionEnvironment, type EnvironmentSpec, type InvocationContext, type RunResult } from './execution-environment';

interface Slot {
  readonly idle: ExecutionEnvironment[];
  live: number;
  readonly waiters: (() => void)[];
  lastUsed: number;
}

/**
 * Warm execution environments per function version. Like Lambda, an environment runs one
 * invocation at a time and concurrent invocations get environments of their own, up to
 * `maxPerVersion`; beyond that they wait their turn (where Lambda would scale further or throttle).
 * Environments idle for `idleRealMs` are stopped.
 */
export class EnvironmentPool {
  private readonly slots = new Map<string, Slot>();
  /** Every live environment, busy or idle, so closing stops them all. */
  private readonly all = new Set<ExecutionEnvironment>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly maxPerVersion: number, private readonly idleRealMs: number) {
    this.sweeper = setInterval(() => this.sweep(), Math.max(1_000, Math.min(idleRealMs, 60_000)));
    this.sweeper.unref();
  }

  /**
   * Runs an invocation in a warm environment of `key` (a version identity that changes whenever its
   * code or configuration does), starting one from `spec` when none is free.
   */
  async run(key: string, spec: () => EnvironmentSpec, event: string, context: InvocationContext, timeoutRealMs: number, timeoutSeconds: number): Promise<RunResult> {
    const slot = this.slot(key);
    while (slot.idle.length === 0 && slot.live >= this.maxPerVersion) {
      await new Promise<void>((resolve) => slot.waiters.push(resolve));
    }
    let environment = slot.idle.pop();
    // An idle worker can die on its own (a stray timer throwing after the response): skip it.
    while (environment?.isDead) {
      this.discard(slot, environment);
      environment = slot.idle.pop();
    }
    if (!environment) {
      environment = new ExecutionEnvironment(spec());
      slot.live += 1;
      this.all.add(environment);
    }
    try {
      const result = await environment.run(event, context, timeoutRealMs, timeoutSeconds);
      return result;
    } finally {
      slot.lastUsed = Date.now();
      // A retired slot (its version changed or went away) takes no environment back.
      if (environment.isDead || this.slots.get(key) !== slot) this.discard(slot, environment);
      else slot.idle.push(environment);
      slot.waiters.shift()?.();
    }
  }

  /** Stops every environment of versions whose key is no longer in use (code or configuration changed, version deleted). */
  retire(keyPrefix: string): void {
    for (const [key, slot] of this.slots) {
      if (!key.startsWith(keyPrefix)) continue;
      this.slots.delete(key);
      for (const environment of slot.idle.splice(0)) this.discard(slot, environment);
      // Invocations waiting for this slot go on in it; their environments are discarded after use.
    }
  }

  /** Stops all environments. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.all];
    this.all.clear();
    this.slots.clear();
    await Promise.all(all.map((environment) => environment.terminate()));
  }

  private discard(slot: Slot, environment: ExecutionEnvironment): void {
    slot.live -= 1;
    this.all.delete(environment);
    void environment.terminate();
  }

  private slot(key: string): Slot {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { idle: [], live: 0, waiters: [], lastUsed: Date.now() };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, slot] of this.slots) {
      if (now - slot.lastUsed < this.idleRealMs || slot.idle.length < slot.live) continue;
      for (const environment of slot.idle.splice(0)) this.discard(slot, environment);
      this.slots.delete(key);
    }
  }
}
