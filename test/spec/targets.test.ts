import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { readyTargets, targetGraphProblems, wavesOf, type TargetProgress } from '../../shared/domain/spec/waves';
import type { SpecProblem } from '../../shared/model/spec';
import { VALID_SPEC } from './fixtures';

const EU = { id: 'eu', account: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/fledge-target', externalId: 'fledge-ext-1' };
const US = { id: 'us', account: '222222222222', region: 'us-east-1', roleArn: 'arn:aws:iam::222222222222:role/fledge-target', dependsOn: ['eu'] };
const AP = { id: 'ap', account: '222222222222', region: 'ap-southeast-2', roleArn: 'arn:aws:iam::222222222222:role/fledge-target', dependsOn: ['eu'] };

/** VALID_SPEC plus `extra` top-level fields, as JSON (a YAML superset). */
function specWith(extra: Record<string, unknown>): string {
  return `${VALID_SPEC}${Object.entries(extra).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join('\n')}\n`;
}

function problemsOf(text: string): readonly SpecProblem[] {
  const result = parseDeploymentSpec(text, 'spec.yaml');
  if (result.ok) throw new Error('expected the spec to be invalid');
  return result.problems;
}

describe('spec targets and waves', () => {
  it('normalises targets with their dependencies and rolls promoted waves back by default', () => {
    // Act
    const result = parseDeploymentSpec(specWith({ targets: [EU, US, AP] }), 'spec.yaml');

    // Assess
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.spec.targets).toEqual([
      { id: 'eu', accountId: '111111111111', region: 'eu-west-1', roleArn: EU.roleArn, externalId: 'fledge-ext-1', dependsOn: [] },
      { id: 'us', accountId: '222222222222', region: 'us-east-1', roleArn: US.roleArn, dependsOn: ['eu'] },
      { id: 'ap', accountId: '222222222222', region: 'ap-southeast-2', roleArn: AP.roleArn, dependsOn: ['eu'] },
    ]);
    expect(result.spec.rollbackPromotedWaves).toBe(true);
  });

  it('keeps rollbackPromotedWaves: false', () => {
    // Act
    const result = parseDeploymentSpec(specWith({ targets: [EU, US], rollbackPromotedWaves: false }), 'spec.yaml');

    // Assess
    expect(result.ok && result.spec.rollbackPromotedWaves).toBe(false);
  });

  it.each([
    ['an unknown dependsOn id', [EU, { ...US, dependsOn: ['europe'] }], 'targets[1].dependsOn[0]', 'no target has the id "europe"; the targets are "eu", "us"'],
    ['a target depending on itself', [EU, { ...US, dependsOn: ['us'] }], 'targets[1].dependsOn[0]', 'cannot depend on itself'],
    ['a cycle', [{ ...EU, dependsOn: ['ap'] }, US, { ...AP, dependsOn: ['us'] }], 'targets[0].dependsOn', 'cycle (eu → ap → us → eu)'],
    ['a duplicate id', [EU, { ...US, id: 'eu', dependsOn: [] }], 'targets[1].id', 'duplicate target id "eu" (already at [0])'],
    ['the same account and region twice', [EU, { ...EU, id: 'eu-again' }], 'targets[1]', 'account 111111111111 in eu-west-1 is already a target (at [0])'],
    ['a role of another account', [{ ...EU, roleArn: 'arn:aws:iam::999999999999:role/x' }], 'targets[0].roleArn', 'the role is in account 999999999999'],
    ['a malformed region', [{ ...EU, region: 'europe' }], 'targets[0].region', 'must be an AWS region'],
    ['an account written as a number', [{ ...EU, account: 111111111111 }], 'targets[0].account', 'write the account id as a string'],
    ['an empty list', [], 'targets', 'list at least one target'],
  ])('refuses %s with the field path', (_case, targets, path, message) => {
    // Act
    const problems = problemsOf(specWith({ targets }));

    // Assess
    expect(problems).toContainEqual(expect.objectContaining({ path, message: expect.stringContaining(message) }));
  });

  it('refuses rollbackPromotedWaves without targets', () => {
    expect(problemsOf(specWith({ rollbackPromotedWaves: false }))).toContainEqual(expect.objectContaining({ path: 'rollbackPromotedWaves', message: expect.stringContaining('needs "targets"') }));
  });

  it('refuses a function named by ARN when targets say where it is', () => {
    // Prepare
    const text = specWith({ targets: [EU] }).replace('function: orders-api', 'function: arn:aws:lambda:eu-west-1:111111111111:function:orders-api');

    // Act
    const problems = problemsOf(text);

    // Assess
    expect(problems).toContainEqual(expect.objectContaining({ path: 'function', message: expect.stringContaining('not an ARN') }));
  });
});

describe('wave ordering', () => {
  const node = (id: string, dependsOn: string[] = []) => ({ id, dependsOn });

  it('puts targets without dependencies first and each target after the last of its dependencies', () => {
    // Act
    const waves = wavesOf([node('eu'), node('us', ['eu']), node('ap', ['eu']), node('sa', ['us', 'ap']), node('ca')]);

    // Assess
    expect(waves.map((wave) => wave.map((target) => target.id))).toEqual([['eu', 'ca'], ['us', 'ap'], ['sa']]);
  });

  it('starts a target only when every target it depends on succeeded, and nothing after a failure', () => {
    // Prepare
    const targets = [node('eu'), node('us', ['eu']), node('ap', ['eu']), node('sa', ['us', 'ap'])];
    const progressOf = (map: Record<string, TargetProgress>) => (id: string): TargetProgress => map[id] ?? 'notStarted';

    // Act
    const first = readyTargets(targets, progressOf({}));
    const whileEuRuns = readyTargets(targets, progressOf({ eu: 'running' }));
    const afterEu = readyTargets(targets, progressOf({ eu: 'succeeded' }));
    const oneOfTwo = readyTargets(targets, progressOf({ eu: 'succeeded', us: 'succeeded', ap: 'running' }));
    const afterFailure = readyTargets(targets, progressOf({ eu: 'succeeded', us: 'failed' }));

    // Assess
    expect(first.map((t) => t.id)).toEqual(['eu']);
    expect(whileEuRuns).toEqual([]);
    expect(afterEu.map((t) => t.id)).toEqual(['us', 'ap']);
    expect(oneOfTwo).toEqual([]);
    expect(afterFailure).toEqual([]);
  });

  it('finds a cycle in any graph that has one, and orders every graph that has none', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(7), { maxLength: 3 }), { minLength: 1, maxLength: 8 }), (edges) => {
        // Prepare: target i depends on the targets listed for it (within range, not itself, once each)
        const targets = edges.map((deps, i) => node(`t${i}`, [...new Set(deps.filter((d) => d < edges.length && d !== i))].map((d) => `t${d}`)));

        // Act
        const problems = targetGraphProblems(targets);

        // Assess: with no problem, every target's dependencies are in earlier waves; with one, it is a cycle
        if (problems.length === 0) {
          const waveOf = new Map(wavesOf(targets).flatMap((wave, w) => wave.map((t) => [t.id, w] as const)));
          for (const target of targets) for (const dep of target.dependsOn) expect(waveOf.get(dep)).toBeLessThan(waveOf.get(target.id) ?? -1);
        } else {
          expect(problems[0]?.message).toContain('cycle');
          expect(() => wavesOf(targets)).toThrow(/cycle/);
        }
      }),
    );
  });
});
