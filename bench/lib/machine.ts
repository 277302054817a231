import { cpus, loadavg, totalmem, type, release } from 'node:os';

/** What the figures were measured on: a number means little without the machine and its load. */
export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
}

/** The machine the bench runs on. */
export function machine(): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${type()} ${release()}`,
    node: process.version,
  };
}

/** The 1-minute load average, rounded: other engineers share this machine, so each figure records it. */
export function load(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}
