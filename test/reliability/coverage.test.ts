import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../stack/support/package-stack';
import { SdkCallAnalysis } from '../stack/support/sdk-calls';
import { matrixCases } from './support/matrix';
import { NOT_IN_MATRIX, OPERATIONS, wireOperation } from './support/operations';

/**
 * The fault matrix covers what fledge really calls: the SDK operations every handler in
 * functions/ can reach (found with the type checker, as the least-privilege check finds them)
 * are exactly the table's operations plus the documented exceptions.
 */
describe('the fault matrix covers every AWS operation fledge calls', () => {
  const handlers = readdirSync(join(ROOT, 'functions'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(ROOT, 'functions', file));
  const key = (o: { service: string; operation: string }) => `${o.service}:${o.operation}`;

  it('has a row for every operation a handler can reach, and none for an operation no handler reaches', () => {
    // Prepare
    const analysis = new SdkCallAnalysis(handlers, join(ROOT, 'tsconfig.json'));

    // Act
    const called = new Set(handlers.filter((file) => analysis.exportsHandler(file)).flatMap((file) => analysis.callsOf(file).map((call) => key(wireOperation(call)))));
    const covered = new Set([...OPERATIONS, ...NOT_IN_MATRIX].map(key));

    // Assess
    expect([...called].filter((operation) => !covered.has(operation)).sort(), 'operations fledge calls that the matrix does not cover: add rows to test/reliability/support/operations.ts').toEqual([]);
    expect([...covered].filter((operation) => !called.has(operation)).sort(), 'rows for operations no handler calls any more').toEqual([]);
  });

  it('generates cases for every row, fault kind and timing, each with a unique id', () => {
    // Act
    const cases = matrixCases();
    const ids = cases.map((c) => c.id);

    // Assess
    expect(new Set(ids).size).toBe(ids.length);
    for (const row of OPERATIONS) {
      const of = cases.filter((c) => c.row === row);
      expect(new Set(of.map((c) => `${c.kind}.${c.persistence}`)), key(row)).toEqual(new Set(['throttle.transient', 'throttle.persistent', 'serverError.transient', 'serverError.persistent', 'error.transient', 'error.persistent', 'latency.transient']));
      expect(new Set(of.map((c) => c.timing)), key(row)).toEqual(new Set(row.timings));
      for (const door of row.doors ?? []) expect(of.some((c) => c.door === door && c.timing === 'before'), `${key(row)} through the ${door}`).toBe(true);
    }
    expect(new Set(cases.map((c) => c.door))).toEqual(new Set(['api', 'drop']));
  });
});
