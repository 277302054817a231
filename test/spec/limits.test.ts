import { describe, expect, it } from 'vitest';
import type { EngineState } from '../../shared/model/deployment';
import { expandTrafficSteps } from '../../shared/domain/spec/traffic';
import { LIMITS } from '../../shared/model/spec-limits';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { SpecProblem } from '../../shared/model/spec';
import { lines, VALID_SPEC } from './fixtures';

function problemsOf(input: string | Uint8Array): readonly SpecProblem[] {
  const result = parseDeploymentSpec(input, 'spec.yaml');
  if (result.ok) throw new Error('expected the spec to be refused');
  return result.problems;
}

/** VALID_SPEC with a smoke test whose payload is `payload` as written. */
const withPayload = (payload: string): string => `${VALID_SPEC}  smokeTest:\n    payload: ${payload}\n`;

const DEPTH_MESSAGE = /nest more than 24 levels deep here.*a spec nests at most 24 levels/;

describe('nesting: a spec nests at most LIMITS.maxDepth levels', () => {
  it.each([
    ['flow lists', (n: number) => `${'['.repeat(n)}1${']'.repeat(n)}`, 'health.smokeTest.payload[0][0]'],
    ['flow mappings', (n: number) => `${'{a: '.repeat(n)}1${'}'.repeat(n)}`, 'health.smokeTest.payload.a.a'],
    ['block lists on one line', (n: number) => `\n      ${'- '.repeat(n)}x`, 'health.smokeTest.payload[0][0]'],
  ])('refuses a payload of %s nested 10,000 levels, naming the field and the limit', (_name, nest, pathStart) => {
    // Act
    const problems = problemsOf(withPayload(nest(10_000)));
    // Assess
    expect(problems).toEqual([{ path: expect.stringMatching(new RegExp(`^${pathStart.replace(/[.[\]]/g, '\\$&')}`)), line: expect.any(Number), column: expect.any(Number), message: expect.stringMatching(DEPTH_MESSAGE) }]);
    expect(problems[0]!.message).not.toMatch(/call stack|RangeError/);
  });

  it('refuses JSON nested 50,000 levels without exhausting the stack', () => {
    // Prepare
    const json = JSON.stringify({ version: 1, function: 'f', alias: 'live', artifact: { zip: 'a.zip' }, strategy: { allAtOnce: {} }, health: { smokeTest: { payload: 'HOLE' } } });
    const text = json.replace('"HOLE"', `${'['.repeat(50_000)}${']'.repeat(50_000)}`);
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: expect.stringMatching(/^health\.smokeTest\.payload\[0\]/), line: 1, message: expect.stringMatching(DEPTH_MESSAGE) })]);
  });

  it('accepts a payload nested right up to the limit', () => {
    // Prepare: the spec (1), health (2), smokeTest (3), then the payload's own levels.
    const levels = LIMITS.maxDepth - 3;
    // Act
    const result = parseDeploymentSpec(withPayload(`${'['.repeat(levels)}1${']'.repeat(levels)}`), 'spec.yaml');
    // Assess
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('counts the levels aliases add once expanded', () => {
    // Prepare: 15 levels behind an anchor, used 10 levels below the payload.
    const text = withPayload(`{ deep: &x ${'['.repeat(15)}1${']'.repeat(15)}, use: ${'['.repeat(10)}*x${']'.repeat(10)} }`);
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: 'health.smokeTest.payload.use[0][0][0][0][0][0][0][0][0][0]', line: 11, message: expect.stringContaining('once alias *x is expanded') })]);
  });
});

describe('size: a spec fits the deployment state Step Functions carries', () => {
  it('refuses a small spec whose aliases expand beyond the state limit, naming the field and the limit', () => {
    // Prepare: 3 KB written once, used 45 times: about 140 KB once expanded.
    const uses = Array.from({ length: 45 }, (_, i) => `k${i}: *s`).join(', ');
    const text = withPayload(`{ s: &s "${'x'.repeat(3_000)}", ${uses} }`);
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(Buffer.byteLength(text)).toBeLessThan(4_000);
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'health.smokeTest.payload',
        line: 11,
        message: expect.stringMatching(/^the spec takes \d+ bytes in the deployment's Step Functions state .*the limit is 131072 bytes \(128 KiB\), half of what Step Functions allows per state \(262144 bytes \(256 KiB\)\): \d+ bytes of it are here$/),
      }),
    ]);
  });

  it('counts escapes as they are sent: "\\0" is two characters written and six bytes of JSON', () => {
    // Prepare
    const text = withPayload(`"${'\\0'.repeat(50_000)}"`);
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(Buffer.byteLength(text)).toBeLessThan(LIMITS.maxSpecStateBytes);
    expect(problems).toEqual([expect.objectContaining({ path: 'health.smokeTest.payload', message: expect.stringContaining('the limit is 131072 bytes (128 KiB)') })]);
  });

  it('measures the spec after normalisation: a default approval message copied into every approval step', () => {
    // Prepare: each of 40 approval steps gets the 2000-character default message, in the spec and in its traffic steps.
    const approvals = Array.from({ length: 40 }, () => '      - approval:').join('\n');
    const text = lines(
      'version: 1',
      'function: orders-api',
      'alias: live',
      'artifact: { zip: a.zip }',
      'strategy:',
      '  canary:',
      '    steps:',
      '      - setWeight: 10',
      approvals,
      `approval: { timeout: 1m, message: "${'m'.repeat(2_000)}" }`,
      'timeout: 1h',
    );
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(Buffer.byteLength(text)).toBeLessThan(4_000);
    expect(problems).toEqual([expect.objectContaining({ path: 'approval.message', message: expect.stringContaining('the limit is 131072 bytes (128 KiB)') })]);
  });

  it('accepts the largest spec that fits, which still fits Step Functions with the largest state the engine builds around it', () => {
    // Prepare: fill the payload up to the limit exactly.
    const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
    const empty = parseDeploymentSpec(withPayload('""'), 'spec.yaml');
    if (!empty.ok) throw new Error('the base spec must be valid');
    const steps = expandTrafficSteps(empty.spec.strategy);
    const room = LIMITS.maxSpecStateBytes - bytes(empty.spec) - bytes(steps);

    // Act
    const largest = parseDeploymentSpec(withPayload(`"${'x'.repeat(room)}"`), 'spec.yaml');
    const tooLarge = parseDeploymentSpec(withPayload(`"${'x'.repeat(room + 1)}"`), 'spec.yaml');

    // Assess
    expect(largest.ok ? [] : largest.problems).toEqual([]);
    expect(tooLarge.ok ? [] : tooLarge.problems).toEqual([expect.objectContaining({ path: 'health.smokeTest.payload' })]);
    if (!largest.ok) return;
    // Every field at its largest: ids, a key of 1024 characters, an IAM caller, and an error cause of
    // 32 KiB (Step Functions' limit) from the failure, the failed rollback and the failed record.
    const cause = { Error: 'fledge.RollbackFailed', Cause: 'c'.repeat(32_768) };
    const state: EngineState & Record<string, unknown> = {
      deploymentId: 'd'.repeat(80),
      spec: largest.spec,
      artifact: { bucket: 'b'.repeat(63), key: 'k'.repeat(1024), versionId: 'v'.repeat(1024) },
      startedBy: `s3://${'b'.repeat(63)}/${'k'.repeat(1024)} (uploaded by AWS:${'A'.repeat(128)})`,
      source: 'api',
      startedAt: Date.now(),
      deadline: Date.now(),
      trafficSteps: steps,
      stepIndex: 99,
      weight: 99.5,
      published: { version: '9999999', changed: true, codeSha256: 'h'.repeat(44) },
      bake: { startedAt: Date.now(), until: Date.now(), checkInterval: 3600, nextCheckAt: new Date().toISOString(), checks: 2000 },
      approval: { timeoutSeconds: 604_800, stepIndex: 99, message: 'm'.repeat(2000) },
      checksPassed: 2000,
      failure: cause,
      rollbackFailure: cause,
      recordFailure: cause,
      approvalResult: { decision: 'approved', by: 'a'.repeat(2048) },
    };
    const invocation = { task: 'Rollback', state, taskToken: 't'.repeat(2048) };
    expect(bytes(invocation)).toBeLessThanOrEqual(LIMITS.stepFunctionsPayloadBytes);
  });

  it('accepts a large spec that fits', () => {
    // Prepare
    const text = withPayload(`"${'x'.repeat(100_000)}"`);
    // Act
    const result = parseDeploymentSpec(text, 'spec.yaml');
    // Assess
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('refuses a linear percent so small that it would expand to billions of steps, at once', () => {
    // Act
    const problems = problemsOf(VALID_SPEC.replace('preset: Canary10Percent5Minutes', 'linear: { percent: 0.0000000001, interval: 1m }'));
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: 'strategy.linear.percent', message: expect.stringMatching(/billions of pauses.*at most 2000/) })]);
  });
});

describe('refusals stay small enough to answer, store and send', () => {
  it('lists at most LIMITS.maxProblems problems and says how many more there are', () => {
    // Prepare
    const unknown = Array.from({ length: 2_000 }, (_, i) => `unknown${i}: 1`).join('\n');
    // Act
    const problems = problemsOf(`${VALID_SPEC}${unknown}\n`);
    // Assess
    expect(problems).toHaveLength(LIMITS.maxProblems + 1);
    expect(problems.at(-1)).toEqual(expect.objectContaining({ path: '', message: `and 1950 more problems from here on (the first ${LIMITS.maxProblems} are listed)` }));
  });

  it.each([
    ['function', (long: string) => VALID_SPEC.replace('function: orders-api', `function: "${long}"`)],
    ['alias', (long: string) => VALID_SPEC.replace('alias: live', `alias: "${long}"`)],
    ['an unknown key', (long: string) => `${VALID_SPEC}? ${long}\n: 1\n`],
    ['a duration', (long: string) => `${VALID_SPEC}timeout: "${long}"\n`],
    ['the version', (long: string) => VALID_SPEC.replace('version: 1', `version: "${long}"`)],
  ])('quotes a 100,000-character %s back shortened', (_name, write) => {
    // Act
    const problems = problemsOf(write('q'.repeat(100_000)));
    // Assess
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.message.length + problem.path.length).toBeLessThan(600);
  });
});
