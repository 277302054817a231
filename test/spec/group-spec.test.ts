import { describe, expect, it } from 'vitest';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';

const GROUP = `version: 1
function: orders-api
alias: live
artifact: { zip: s3://releases/api.zip }
group:
  members:
    - function: orders-worker
      alias: live
      artifact: { zip: s3://releases/worker.zip }
      configuration: { memorySize: 512 }
strategy: { allAtOnce: {} }
`;

describe('a group in the spec', () => {
  it('normalises to every member in order, the spec\'s own function first, shifting in lockstep', () => {
    // Act
    const result = parseDeploymentSpec(GROUP, 'group.yaml');
    // Assess
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    expect(result.spec.group).toEqual({
      shift: 'lockstep',
      members: [
        { function: { name: 'orders-api' }, alias: 'live', artifact: { kind: 'zip', bucket: 'releases', key: 'api.zip' } },
        { function: { name: 'orders-worker' }, alias: 'live', artifact: { kind: 'zip', bucket: 'releases', key: 'worker.zip' }, configuration: { memorySize: 512 } },
      ],
    });
  });

  it('accepts shift: ordered, the members keeping the declared order', () => {
    // Act
    const result = parseDeploymentSpec(GROUP.replace('group:\n', 'group:\n  shift: ordered\n'), 'group.yaml');
    // Assess
    expect(result.ok ? [] : result.problems).toEqual([]);
    if (!result.ok) return;
    expect(result.spec.group?.shift).toBe('ordered');
    expect(result.spec.group?.members.map((member) => member.function.name)).toEqual(['orders-api', 'orders-worker']);
  });

  it('refuses an ordered group whose timeout cannot hold every member\'s walk one after another, where lockstep fits', () => {
    // Prepare: one walk of 10 minutes; two members walk it one after the other.
    const text = GROUP.replace('strategy: { allAtOnce: {} }', 'strategy: { canary: { steps: [{ setWeight: 10 }, { pause: 10m }, { setWeight: 100 }] } }\ntimeout: 20m');
    // Act
    const ordered = parseDeploymentSpec(text.replace('group:\n', 'group:\n  shift: ordered\n'), 'group.yaml');
    const lockstep = parseDeploymentSpec(text, 'group.yaml');
    // Assess
    expect(ordered.ok ? [] : ordered.problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([expect.stringMatching(/^timeout: the deployment timeout \(20m\) is shorter than its pauses \(walked by each of the 2 members of the ordered group, one after another\) .*set "timeout: 21m"/)]);
    expect(lockstep.ok ? [] : lockstep.problems).toEqual([]);
  });

  it('refuses the same alias twice, a member zip without its bucket and an unknown shift, each at its field', () => {
    // Prepare
    const text = GROUP.replace('function: orders-worker', 'function: orders-api').replace('s3://releases/worker.zip', 'worker.zip').replace('group:\n', 'group:\n  shift: staggered\n');
    // Act
    const result = parseDeploymentSpec(text, 'group.yaml');
    // Assess
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^group\.shift: expected "lockstep" or "ordered", got "staggered"/)]));
    const fixed = parseDeploymentSpec(text.replace('  shift: staggered\n', ''), 'group.yaml');
    const rules = fixed.ok ? [] : fixed.problems.map((problem) => `${problem.path}: ${problem.message}`);
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^group\.members\[0\]\.alias: orders-api:live is already in the group/),
        expect.stringMatching(/^group\.members\[0\]\.artifact\.zip: a group member names its zip with its bucket/),
      ]),
    );
  });

  it('refuses more than 10 functions in a group, naming the limit', () => {
    // Prepare
    const member = (i: number) => `    - function: worker-${i}\n      alias: live\n      artifact: { zip: s3://releases/w${i}.zip }\n`;
    const text = GROUP.replace(/ {2}members:\n[\s\S]*?(?=strategy)/, `  members:\n${Array.from({ length: 10 }, (_, i) => member(i)).join('')}`);
    // Act
    const result = parseDeploymentSpec(text, 'group.yaml');
    // Assess
    expect(result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([expect.stringMatching(/^group\.members: a group has at most 10 functions/)]);
  });
});

describe('onConflict in the spec', () => {
  const SINGLE = 'version: 1\nfunction: orders-api\nalias: live\nartifact: { zip: s3://releases/api.zip }\nstrategy: { allAtOnce: {} }\n';

  it('reads enqueue and supersede, and leaves reject (the default) out of the normalised spec', () => {
    // Act
    const read = (value: string) => parseDeploymentSpec(`${SINGLE}onConflict: ${value}\n`, 'spec.yaml');
    // Assess
    for (const value of ['enqueue', 'supersede'] as const) {
      const result = read(value);
      expect(result.ok && result.spec.onConflict).toBe(value);
    }
    const rejecting = read('reject');
    expect(rejecting.ok && 'onConflict' in rejecting.spec).toBe(false);
  });

  it('refuses any other value at its field, naming the three it takes', () => {
    // Act
    const result = parseDeploymentSpec(`${SINGLE}onConflict: queue\n`, 'spec.yaml');
    // Assess
    expect(result.ok ? [] : result.problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual(['onConflict: expected one of "reject", "enqueue", "supersede", got "queue"']);
  });

  it('refuses a final bake and a provisioned-concurrency amount for a group, naming the field, instead of ignoring them', () => {
    // Act
    const baked = parseDeploymentSpec(`${GROUP}finalBake: 10m\n`, 'group.yaml');
    const provisioned = parseDeploymentSpec(`${GROUP}provisionedConcurrency: 10\n`, 'group.yaml');
    const off = parseDeploymentSpec(`${GROUP}provisionedConcurrency: off\n`, 'group.yaml');

    // Assess
    expect(baked.ok ? [] : baked.problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([expect.stringMatching(/^finalBake: a group is promoted without a final bake/)]);
    expect(provisioned.ok ? [] : provisioned.problems.map((problem) => `${problem.path}: ${problem.message}`)).toEqual([expect.stringMatching(/^provisionedConcurrency: a group does not manage provisioned concurrency .*provisionedConcurrency: off/)]);
    expect(off.ok ? [] : off.problems).toEqual([]);
  });
});
