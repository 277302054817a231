import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../cli/format/plan';
import { styleFor } from '../../cli/format/style';
import { planDeployment } from '../../shared/domain/plan/planner';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { VALID_SPEC } from '../spec/fixtures';

const TARGETS = `targets:
  - { id: eu, account: "111111111111", region: eu-west-1, roleArn: "arn:aws:iam::111111111111:role/fledge-target" }
  - { id: us, account: "222222222222", region: us-east-1, roleArn: "arn:aws:iam::222222222222:role/fledge-target", dependsOn: [eu] }
  - { id: ap, account: "222222222222", region: ap-southeast-2, roleArn: "arn:aws:iam::222222222222:role/fledge-target", dependsOn: [eu] }
`;

describe('the plan of a spec with targets', () => {
  it('shows the waves, one after another, with the whole run\'s timeline and every target\'s cost', () => {
    // Prepare
    const parsed = parseDeploymentSpec(`${VALID_SPEC}${TARGETS}`, 'spec.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));

    // Act
    const plan = planDeployment(parsed.spec);
    const printed = formatPlan({ source: 'spec.yaml', spec: parsed.spec, plan, functionExists: true }, styleFor({ isTTY: false }));

    // Assess
    expect(plan.waves?.waves.map((wave) => wave.targets.map((target) => target.id))).toEqual([['eu'], ['us', 'ap']]);
    expect(plan.waves?.waves[1]?.startsAt).toBe(plan.minimumDuration);
    expect(plan.waves?.minimumDuration).toBe(2 * plan.minimumDuration);
    expect(plan.waves?.cost.stateTransitions).toBe(3 * plan.cost.stateTransitions);
    expect(printed).toContain('Waves: 2, 3 targets');
    expect(printed).toContain('us (222222222222, us-east-1), ap (222222222222, ap-southeast-2)');
    expect(printed).toContain('All waves');
  });

  it('has no waves without targets', () => {
    // Prepare
    const parsed = parseDeploymentSpec(VALID_SPEC, 'spec.yaml');
    if (!parsed.ok) throw new Error('invalid');

    // Act / Assess
    expect(planDeployment(parsed.spec).waves).toBeUndefined();
  });
});
