import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SPEC_BYTES } from '../../shared/domain/spec/source';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { SpecProblem } from '../../shared/model/spec';
import { VALID_SPEC } from './fixtures';

function problemsOf(input: string | Uint8Array): readonly SpecProblem[] {
  const result = parseDeploymentSpec(input, 'spec.yaml');
  if (result.ok) throw new Error('expected the spec to be refused');
  return result.problems;
}

describe('parseDeploymentSpec refuses hostile input cleanly', () => {
  it('refuses a spec over the size limit before parsing it', () => {
    // Prepare
    const huge = `${VALID_SPEC}# ${'x'.repeat(MAX_SPEC_BYTES)}\n`;
    // Act
    const problems = problemsOf(huge);
    // Assess
    expect(problems).toEqual([{ path: '', line: 1, column: 1, message: expect.stringMatching(/the limit is 262144 bytes \(256 KiB\)/) }]);
  });

  it('refuses an alias bomb', () => {
    // Prepare
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    // Act
    const problems = problemsOf(bomb);
    // Assess
    expect(problems).toEqual([expect.objectContaining({ line: 2, column: 8, message: expect.stringMatching(/aliases expand too much/) })]);
  });

  it('refuses an alias that contains itself', () => {
    // Act
    const problems = problemsOf(`${VALID_SPEC}hooks: &h { beforeTraffic: x, afterTraffic: *h }\n`);
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: 'hooks.afterTraffic', line: 10, column: 45, message: expect.stringMatching(/refers to a node that contains it/) })]);
  });

  it.each([
    ['a custom tag', 'alias: !env LIVE_ALIAS', '!env'],
    ['a binary tag', 'alias: !!binary bGl2ZQ==', '!!binary'],
    ['a set tag', 'alias: !!set { live }', '!!set'],
  ])('refuses %s', (_name, line, tag) => {
    // Act
    const problems = problemsOf(VALID_SPEC.replace('alias: live', line));
    // Assess
    expect(problems).toContainEqual(expect.objectContaining({ path: 'alias', line: 3, column: 8, message: expect.stringContaining(`found ${tag}`) }));
  });

  it('refuses duplicate keys, naming the key and where both are', () => {
    // Act
    const problems = problemsOf(`${VALID_SPEC}alias: other\n`);
    // Assess
    expect(problems).toEqual([{ path: 'alias', line: 10, column: 1, message: 'duplicate key "alias": it is already given at line 3, column 1; a key may appear once' }]);
  });

  it('refuses duplicate keys in JSON too, naming the key', () => {
    // Act
    const problems = problemsOf('{"version": 1, "alias": "a", "alias": "b"}');
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: 'alias', line: 1, column: 30, message: expect.stringContaining('duplicate key "alias"') })]);
  });

  it('refuses duplicate keys deep inside free-form values, naming the key and its path', () => {
    // Act
    const problems = problemsOf(`${VALID_SPEC}  smokeTest:\n    payload: { path: /a, path: /b }\n`);
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: 'health.smokeTest.payload.path', line: 11, column: 26, message: expect.stringContaining('duplicate key "path"') })]);
  });

  it('refuses keys that are the same once read as text, such as 1 and "1"', () => {
    // Act
    const problems = problemsOf(`${VALID_SPEC}  smokeTest:\n    payload: { 1: a, "1": b }\n`);
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: 'health.smokeTest.payload["1"]', message: expect.stringContaining('duplicate key "1"') })]);
  });

  it('refuses bytes that are not UTF-8, saying where the first bad byte is', () => {
    // Prepare
    const good = new TextEncoder().encode(VALID_SPEC.replace('alias: live', 'alias: liv'));
    const at = good.indexOf('v'.charCodeAt(0), VALID_SPEC.indexOf('alias'));
    const bytes = new Uint8Array([...good.subarray(0, at), 0xff, ...good.subarray(at)]);
    // Act
    const problems = problemsOf(bytes);
    // Assess
    expect(problems).toEqual([{ path: '', line: 3, column: 10, message: expect.stringMatching(/not valid UTF-8 \(first invalid byte at line 3, column 10\)/) }]);
  });

  it('refuses several documents in one file', () => {
    // Act
    const problems = problemsOf(`${VALID_SPEC}---\n${VALID_SPEC}`);
    // Assess
    expect(problems).toEqual([expect.objectContaining({ line: 10, message: expect.stringMatching(/several YAML documents/) })]);
  });

  it.each([
    ['a list', '- version: 1\n- function: x\n', /not a list/],
    ['a single value', 'just words\n', /not a single value/],
    ['nothing', '# only a comment\n', /the spec is empty/],
    ['an empty file', '', /the spec is empty/],
  ])('refuses a top level that is %s', (_name, text, message) => {
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toEqual([expect.objectContaining({ line: 1, column: 1, message: expect.stringMatching(message) })]);
  });

  it('refuses keys that are not plain words', () => {
    // Act
    const problems = problemsOf(`${VALID_SPEC}? [a, b]\n: c\n`);
    // Assess
    expect(problems).toEqual([expect.objectContaining({ line: 10, column: 3, message: expect.stringMatching(/keys must be plain words/) })]);
  });

  it('reports YAML syntax errors with their position', () => {
    // Act
    const problems = problemsOf('version: 1\nalias: [live\nfunction: x\n');
    // Assess
    expect(problems[0]).toEqual(expect.objectContaining({ line: 3, column: 1, message: expect.stringMatching(/^YAML: /) }));
  });

  it('never throws and always locates its problems, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((value) => JSON.stringify(value))), (text) => {
        // Act
        const result = parseDeploymentSpec(text, 'fuzz.yaml');
        // Assess
        if (!result.ok) {
          expect(result.problems.length).toBeGreaterThan(0);
          for (const problem of result.problems) {
            expect(problem.line).toBeGreaterThanOrEqual(1);
            expect(problem.column).toBeGreaterThanOrEqual(1);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any spec-shaped mapping with wrong values', () => {
    // Prepare
    const value = fc.oneof(fc.jsonValue(), fc.constantFrom('5m', '$LATEST', 'arn:aws:lambda:x', -1, 0, 100, 101, null));
    const key = fc.constantFrom('version', 'function', 'alias', 'artifact', 'strategy', 'health', 'hooks', 'approval', 'timeout', 'cleanup', 'canary', 'steps', 'setWeight', 'pause', 'approval', 'zip', 'image', 'preset', 'environment');
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, value, fc.dictionary(key, tie('node'), { maxKeys: 5 }), fc.array(tie('node'), { maxLength: 4 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, tree, { maxKeys: 10 }), (spec) => {
        // Act
        const result = parseDeploymentSpec(JSON.stringify(spec), 'fuzz.json');
        // Assess
        expect(result.ok || result.problems.length > 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
