import { describe, expect, it } from 'vitest';
import { planDeployment } from '../../shared/domain/plan/planner';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { SpecProblem } from '../../shared/model/spec';

// Issue 18: `artifact: { version: 42 }` and `artifact: { fromLatest: true }` adopt a version
// another tool published; the spec is refused, field by field, wherever it asks for more.

const spec = (artifact: string, extra = ''): string => `version: 1\nfunction: orders-api\nalias: live\nartifact: ${artifact}\nstrategy: { preset: Canary10Percent5Minutes }\n${extra}`;

function problemsOf(text: string, options = {}): readonly Pick<SpecProblem, 'path' | 'message'>[] {
  const result = parseDeploymentSpec(text, 'spec.yaml', options);
  if (result.ok) throw new Error('expected the spec to be invalid');
  return result.problems.map(({ path, message }) => ({ path, message }));
}

describe('an artifact that adopts a published version', () => {
  it('reads artifact.version as that numbered version and fromLatest as the highest one', () => {
    // Act
    const pinned = parseDeploymentSpec(spec('{ version: 42 }'), 'spec.yaml');
    const latest = parseDeploymentSpec(spec('{ fromLatest: true }'), 'spec.yaml');

    // Assess
    expect(pinned).toMatchObject({ ok: true, spec: { artifact: { kind: 'published', version: '42' } } });
    expect(latest).toMatchObject({ ok: true, spec: { artifact: { kind: 'fromLatest' } } });
  });

  it.each([
    ['{ version: "42" }', 'artifact.version', 'write the version as a number, without quotes: version: 42'],
    ['{ version: 0 }', 'artifact.version', 'must be a published version number, 1 or more'],
    ['{ version: 1.5 }', 'artifact.version', 'expected a published version number such as 42'],
    ['{ version: $LATEST }', 'artifact.version', '$LATEST is not published'],
    ['{ fromLatest: false }', 'artifact.fromLatest', '"fromLatest" can only be true'],
    ['{ zip: build/a.zip, version: 3 }', 'artifact.version', 'give exactly one of "zip", "image", "version" or "fromLatest"; this artifact has "zip" and "version"'],
    ['{ version: 3, fromLatest: true }', 'artifact.fromLatest', 'this artifact has "version" and "fromLatest"'],
    ['{ version: 3, objectVersion: abc }', 'artifact.objectVersion', '"objectVersion" pins an S3 object, so it needs "zip"'],
    ['{}', 'artifact', '"version" (a version already published) or "fromLatest: true" (the highest published version)'],
  ])('refuses artifact %s at %s', (artifact, path, message) => {
    // Act
    const problems = problemsOf(spec(artifact));

    // Assess
    expect(problems).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('refuses configuration next to an adopted version: fledge changes none', () => {
    // Act
    const problems = problemsOf(spec('{ version: 7 }', 'configuration: { memorySize: 512 }\n'));

    // Assess
    expect(problems).toEqual([{ path: 'configuration', message: expect.stringContaining('artifact.version shifts traffic to a version already published, which carries its own configuration: fledge changes none') }]);
  });

  it('refuses adoption for a function that does not exist, naming the artifact field', () => {
    // Act
    const problems = problemsOf(spec('{ fromLatest: true }'), { functionExists: false });

    // Assess
    expect(problems).toEqual([{ path: 'artifact.fromLatest', message: 'function "orders-api" does not exist: artifact.fromLatest adopts a version that another tool published, so the function must exist' }]);
  });

  it('plans no code update and no publish: the adopted version is taken as it is', () => {
    // Prepare
    const parsed = parseDeploymentSpec(spec('{ fromLatest: true }'), 'spec.yaml');
    if (!parsed.ok) throw new Error('expected a valid spec');

    // Act
    const plan = planDeployment(parsed.spec);

    // Assess
    expect(plan.actions.map((planned) => planned.action.kind)).toEqual(['prepare', 'adoptVersion', 'setWeight', 'bake', 'promote']);
  });
});
