import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_KINDS } from './fault-kinds';
import type { CaseFigures } from './figures';
import { shardOf, SHARDS, type MatrixCase } from './matrix';
import { runCase } from './run-case';
import { SCENARIOS } from './scenarios';
import { startWorld, type ReliabilityWorld } from './world';
import './figures';

const SCENARIO_WORDS = {
  approved: 'a canary approved through the API',
  rejected: 'a canary rejected through the API',
  newFunction: "a new function's first deployment",
  newAlias: 'a new alias whose afterTraffic hook fails',
} as const;

const KIND_WORDS = { throttle: 'throttled', serverError: 'failing with server errors', error: 'refused (access denied)', latency: 'slow' } as const;

/** The test's name: the case in words, then what it must hold. */
export function caseTitle(c: MatrixCase): string {
  const scenario = SCENARIOS[c.scenario];
  const door = c.door === 'api' ? 'requested through the API' : 'dropped into S3';
  if (!c.row || c.kind === 'none') return `${SCENARIO_WORDS[c.scenario]}, ${door}, with no fault: ends ${scenario.baseline}, alias whole, lock released, recorded, notified once [${c.id}]`;
  const lasting = c.persistence === 'persistent' ? 'until the execution has ended, then repaired' : `${FAULT_KINDS[c.kind].transientCount === 1 ? 'once' : `${FAULT_KINDS[c.kind].transientCount} times`}`;
  const when = c.timing === 'before' ? 'from before the request' : 'from the approval on';
  const outcome = c.persistence === 'transient' && FAULT_KINDS[c.kind].retryable ? `ends ${scenario.baseline} as without faults` : 'ends terminal';
  return `${c.row.service}:${c.row.operation} ${KIND_WORDS[c.kind]} ${lasting}, ${when}, in ${SCENARIO_WORDS[c.scenario]} ${door}: ${outcome}, alias whole and agreeing, lock released, recorded, notified once [${c.id}]`;
}

/**
 * Declares shard `index` of the fault matrix: one embedded AWS with fledge on it for the shard,
 * its cases one after the other (faults are global to an embedded AWS), each on a function of
 * its own. Each case's figures go to the test's meta for the suite's reporter.
 */
export function defineMatrixShard(index: number): void {
  describe(`fault matrix (shard ${index} of ${SHARDS})`, () => {
    let world: ReliabilityWorld;
    beforeAll(async () => {
      world = await startWorld();
    });
    afterAll(async () => {
      await world?.stop();
    });

    shardOf(index, SHARDS).forEach((matrixCase, position) => {
      it(caseTitle(matrixCase), async ({ task }) => {
        // Prepare, Act: the whole case (see run-case.ts).
        const figures: CaseFigures = await runCase(world, matrixCase, `rel-${index}-${position + 1}`);
        task.meta.reliability = figures;

        // Assess
        expect(figures.problems, `${matrixCase.id}: ${figures.status}${figures.reason ? ` (${figures.reason})` : ''}`).toEqual([]);
      });
    });
  });
}
