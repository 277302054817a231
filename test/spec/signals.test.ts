import { describe, expect, it } from 'vitest';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { SpecProblem } from '../../shared/model/spec';
import { VALID_SPEC } from './fixtures';

function parse(health: string) {
  return parseDeploymentSpec(`${VALID_SPEC}${health}`, 'spec.yaml');
}

function problemsOf(health: string): readonly Pick<SpecProblem, 'path' | 'message'>[] {
  const result = parse(health);
  if (result.ok) throw new Error('expected the spec to be invalid');
  return result.problems.map(({ path, message }) => ({ path, message }));
}

describe('health signals in the spec', () => {
  it('normalises latency ceilings, throttles, baseline comparisons, metric queries and the verdict rules', () => {
    // Act
    const result = parse(
      [
        '  latency: { p99: 800ms, p50: 1.5s, dryRun: true }',
        '  throttles: { max: 0 }',
        '  spillover: { max: 5 }',
        '  baseline: { latency: { p99: 20% }, errorRate: {} }',
        '  metrics:',
        '    - name: queue-age',
        '      metric: { namespace: Shop, name: QueueAge, dimensions: { Fn: "${function}", Version: "${version}" }, stat: p90 }',
        '      max: 300',
        '      baseline: { maxIncrease: 10% }',
        '  failureLimit: 2',
        '  consecutiveSuccesses: 3',
        '',
      ].join('\n'),
    );
    // Assess
    expect(result.ok && result.spec.health).toMatchObject({
      latency: { p99: 800, p50: 1500, minSamples: 20, dryRun: true },
      throttles: { max: 0, dryRun: false },
      spillover: { max: 5, dryRun: false },
      baseline: { latency: { p99: 20 }, errorRate: { significance: 0.05 }, minSamples: 20, dryRun: false },
      metrics: [{ name: 'queue-age', metric: { namespace: 'Shop', metricName: 'QueueAge', dimensions: { Fn: '${function}', Version: '${version}' }, stat: 'p90' }, max: 300, maxIncreasePercent: 10, dryRun: false }],
      failureLimit: 2,
      consecutiveSuccesses: 3,
    });
  });

  it('refuses unknown placeholders, expressions over unknown ids, latencies without a unit and metrics without a judgement, each at its field', () => {
    // Act
    const problems = problemsOf(
      [
        '  latency: { p99: fast }',
        '  metrics:',
        '    - name: orders',
        '      metric: { namespace: Shop, name: Orders, dimensions: { Version: "${versoin}" }, stat: Sum }',
        '      min: 1',
        '    - name: share',
        '      expression: 100 * errors / calls',
        '      using: { errors: { namespace: AWS/Lambda, name: Errors, stat: Sum } }',
        '      max: 5',
        '    - name: nothing',
        '      metric: { namespace: Shop, name: Orders, stat: Sum }',
        '',
      ].join('\n'),
    );
    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'health.latency.p99', message: expect.stringContaining('expected a latency such as 800ms') },
        { path: 'health.metrics[0].metric.dimensions.Version', message: expect.stringContaining('unknown placeholder "${versoin}"') },
        { path: 'health.metrics[1].expression', message: expect.stringContaining('refers to "calls", which is not a metric in "using"') },
        { path: 'health.metrics[2]', message: expect.stringContaining('give "max", "min" or "baseline"') },
      ]),
    );
  });
});
