import type { Command } from 'commander';
import { registerDecision } from './approve';

/** Registers `fledge reject`. */
export function registerReject(program: Command): void {
  registerDecision(program, 'reject');
}
