import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/model/spec-limits';
import { parseDeploymentSpec, type SpecParseResult } from '../../shared/domain/spec/parse';

// Random and mutated input for the spec reader: whatever arrives, it answers with a spec or with
// located problems in its own words, never an exception, a JavaScript error's message or a stack.
// Runs are few and inputs bounded so that the whole file takes seconds.

/** Words that only a JavaScript failure or a leaked internal would put in a message. */
const INTERNAL = /call stack|RangeError|TypeError|ReferenceError|SyntaxError|Exception\b|\bat \S+ \(|\.[cm]?[jt]s:\d+|\[object Object\]|\bNaN\b|\bundefined\b/;

/** Parses `text` and checks the answer's shape: never throws, every problem located and worded by fledge. */
function readsCleanly(text: string): SpecParseResult {
  const result = parseDeploymentSpec(text, 'fuzz.yaml');
  if (result.ok) return result;
  expect(result.problems.length).toBeGreaterThan(0);
  expect(result.problems.length).toBeLessThanOrEqual(LIMITS.maxProblems + 1);
  for (const problem of result.problems) {
    expect(typeof problem.path).toBe('string');
    expect(problem.message).toMatch(/\S/);
    expect(problem.message.length).toBeLessThanOrEqual(1000);
    expect(problem.line).toBeGreaterThanOrEqual(1);
    expect(problem.column).toBeGreaterThanOrEqual(1);
    // A word the input itself contains may be quoted back; anything else is a leak.
    const leaked = INTERNAL.exec(problem.message)?.[0];
    if (leaked !== undefined) expect(text).toContain(leaked);
  }
  return result;
}

const EXAMPLES = readdirSync(new URL('../../examples', import.meta.url)).filter((file) => file.endsWith('.yaml'));
const exampleTexts = EXAMPLES.map((file) => readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8'));

/** Fragments that stress the reader: structure, anchors, tags, quotes, huge and deep values. */
const fragment = fc.oneof(
  fc.constantFrom('[', ']', '{', '}', ',', ':', ': ', '- ', '? ', '\n', '\n  ', '\t', '#', '"', "'", '&a ', '*a', '&b [*a, *a, *a]', '!!binary ', '!tag ', '<<: *a', '---\n', '...', '|', '>', '%YAML 1.2\n', '\u0000', '\uFEFF', '\uD800'),
  fc.constantFrom('arn:aws:lambda:eu-west-1:999988887777:function:x', 'fledge-prod-traffic', '$LATEST', '0.0000000001', '1e400', '-0', '0x1F', '.nan', '~', 'null', 'true', '5m', '99999999999999999999d'),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 1, max: 3_000 }).map((n) => '['.repeat(n)),
  fc.integer({ min: 1, max: 3_000 }).map((n) => 'x'.repeat(n)),
);

type Mutation = { kind: 'insert'; at: number; text: string } | { kind: 'delete'; at: number; length: number } | { kind: 'repeat'; at: number; length: number; times: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fragment }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 60 }), times: fc.integer({ min: 2, max: 200 }) }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % (out.length + 1);
    if (m.kind === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + m.length);
    else out = out.slice(0, at) + out.slice(at, at + m.length).repeat(m.times) + out.slice(at + m.length);
  }
  return out;
}

describe('the spec reader, fuzzed', () => {
  it('reads every example as it is', () => {
    // Assess
    expect(exampleTexts.length).toBeGreaterThan(0);
    for (const text of exampleTexts) expect(readsCleanly(text).ok).toBe(true);
  });

  it('never throws and never leaks an internal message on random text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'grapheme', maxLength: 200 }), fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join(''))), (text) => {
        // Act + Assess
        readsCleanly(text);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws and never leaks an internal message on mutated examples', () => {
    fc.assert(
      fc.property(fc.constantFrom(...exampleTexts), fc.array(mutation, { minLength: 1, maxLength: 6 }), (example, mutations) => {
        // Act + Assess
        readsCleanly(mutate(example, mutations));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses nesting beyond the limit, at any depth and in any mix of brackets, naming the limit', () => {
    const opener = fc.constantFrom(['[', ']'], ['{a: ', '}'], ['{? ', '}'], ['[b: ', ']']);
    fc.assert(
      fc.property(fc.array(opener, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 10_000 }), (kinds, levels) => {
        // Prepare
        const open: string[] = [];
        const close: string[] = [];
        for (let i = 0; i < levels; i++) {
          const [o, c] = kinds[i % kinds.length]!;
          open.push(o);
          close.push(c);
        }
        const payload = `${open.join('')}1${close.reverse().join('')}`;
        const text = `version: 1\nfunction: f\nalias: live\nartifact: { zip: a.zip }\nstrategy: { allAtOnce: {} }\nhealth:\n  smokeTest:\n    payload: ${payload}\n`;
        // Act
        const result = readsCleanly(text);
        // Assess: three levels lead to the payload (and `[b: …]` adds one more per level).
        if (levels + 3 > LIMITS.maxDepth) expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([expect.stringContaining(`a spec nests at most ${LIMITS.maxDepth} levels`)]);
      }),
      { numRuns: 25 },
    );
  });

  it('answers alias fans of any width and depth with a spec or a clean refusal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 20_000 }), (levels, width, size) => {
        // Prepare: level 0 holds `size` characters; each next level uses the previous `width` times.
        const anchors = [`l0: &l0 "${'x'.repeat(size)}"`];
        for (let level = 1; level <= levels; level++) anchors.push(`l${level}: &l${level} [${Array.from({ length: width }, () => `*l${level - 1}`).join(', ')}]`);
        const text = `version: 1\nfunction: f\nalias: live\nartifact: { zip: a.zip }\nstrategy: { allAtOnce: {} }\nhealth:\n  smokeTest:\n    payload:\n${anchors.map((line) => `      ${line}`).join('\n')}\n`;
        // Act + Assess
        readsCleanly(text);
      }),
      { numRuns: 60 },
    );
  });
});
