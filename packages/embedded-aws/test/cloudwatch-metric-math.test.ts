import { describe, expect, it } from 'vitest';
import { evaluate, MetricMathError, parseExpression, type MathValue } from '../src/services/cloudwatch/metric-math';

/** Evaluates an expression over named series given as {timestamp: value}, on a grid of timestamps 0..3. */
function run(expression: string, series: Record<string, Record<number, number>> = {}): MathValue {
  const values = new Map(Object.entries(series).map(([id, points]) => [id, { kind: 'series', points: new Map(Object.entries(points).map(([t, v]) => [Number(t), v])) } as MathValue]));
  return evaluate(parseExpression(expression), { resolve: (id) => values.get(id), grid: [0, 1, 2, 3] });
}
const points = (value: MathValue): [number, number][] => (value.kind === 'series' ? [...value.points].sort(([a], [b]) => a - b) : []);

describe('embedded CloudWatch metric math', () => {
  it('follows the usual precedence: comparison below arithmetic, ^ above * and right-associative', () => {
    expect(run('1 + 2 * 3 ^ 2 ^ 0 > 6')).toEqual({ kind: 'scalar', value: 1 });
    expect(run('2 ^ 3 ^ 2')).toEqual({ kind: 'scalar', value: 512 });
    expect(run('-(1 + 2) * 2')).toEqual({ kind: 'scalar', value: -6 });
    expect(run('1 < 2 AND NOT 0 OR 0')).toEqual({ kind: 'scalar', value: 1 });
  });

  it('combines two series only where both have a datapoint', () => {
    expect(points(run('a + b', { a: { 0: 1, 1: 2 }, b: { 1: 10, 2: 20 } }))).toEqual([[1, 12]]);
  });

  it('fills every period of the range with FILL, with a number or the last value (REPEAT)', () => {
    expect(points(run('FILL(a, 0)', { a: { 1: 5 } }))).toEqual([[0, 0], [1, 5], [2, 0], [3, 0]]);
    expect(points(run('FILL(a, REPEAT)', { a: { 1: 5, 3: 7 } }))).toEqual([[1, 5], [2, 5], [3, 7]]);
  });

  it('picks per datapoint with IF and leaves out datapoints when there is no false branch', () => {
    expect(points(run('IF(a > 1, a, 0)', { a: { 0: 1, 1: 2 } }))).toEqual([[0, 0], [1, 2]]);
    expect(points(run('IF(a > 1, a)', { a: { 0: 1, 1: 2 } }))).toEqual([[1, 2]]);
  });

  it('drops datapoints that divide by zero instead of returning Infinity', () => {
    expect(points(run('a / b', { a: { 0: 1, 1: 1 }, b: { 0: 0, 1: 4 } }))).toEqual([[1, 0.25]]);
  });

  it('reduces one series to a number and an array of series to a series', () => {
    expect(run('SUM(a)', { a: { 0: 1, 1: 2 } })).toEqual({ kind: 'scalar', value: 3 });
    expect(points(run('AVG([a, b])', { a: { 0: 1, 1: 2 }, b: { 0: 3 } }))).toEqual([[0, 2], [1, 2]]);
  });

  it.each([
    ['100 * (errors / ', /ends too early/],
    ['errors $ 2', /unexpected character '\$' at position 7/],
    ['PERCENTILE(a, 90)', /unsupported function PERCENTILE at position 0/],
    ['FILL(a)', /FILL at position 0 takes 2 arguments, got 1/],
    ['a b', /unexpected 'b' at position 2/],
    ['[a] + 1', /cannot take an array/],
  ])('explains what is wrong and where in %j', (expression, message) => {
    expect(() => run(expression, { a: { 0: 1 } })).toThrow(MetricMathError);
    expect(() => run(expression, { a: { 0: 1 } })).toThrow(message);
  });
});
