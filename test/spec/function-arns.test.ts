import { describe, expect, it } from 'vitest';
import { controlPlaneHome } from '../../shared/config/home';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { Home } from '../../shared/domain/spec/names';
import type { SpecProblem } from '../../shared/model/spec';
import { VALID_SPEC } from './fixtures';

const HOME: Home = { partition: 'aws', region: 'us-east-1', accountId: '123456789012' };
const arn = (where: Partial<Home> = {}, name = 'orders-api'): string => {
  const { partition, region, accountId } = { ...HOME, ...where };
  return `arn:${partition}:lambda:${region}:${accountId}:function:${name}`;
};

function problemsOf(text: string, home?: Home): readonly SpecProblem[] {
  const result = parseDeploymentSpec(text, 'spec.yaml', home === undefined ? {} : { home });
  return result.ok ? [] : result.problems;
}

const withFunction = (target: string): string => VALID_SPEC.replace('function: orders-api', `function: ${target}`);
const withHooks = (before: string, after: string): string => `${VALID_SPEC}hooks:\n  beforeTraffic: ${before}\n  afterTraffic: ${after}\n`;

describe('a function named by ARN', () => {
  it.each([
    ['another account', { accountId: '999988887777' }, 'account 999988887777, region us-east-1'],
    ['another region', { region: 'eu-west-1' }, 'account 123456789012, region eu-west-1'],
    ['another partition', { partition: 'aws-cn', region: 'cn-north-1' }, 'account 123456789012, region cn-north-1 (partition aws-cn)'],
  ])('is refused when it is in %s than fledge, never mapped onto the same-named function here', (_name, where, described) => {
    // Act
    const problems = problemsOf(withFunction(arn(where)), HOME);
    // Assess
    expect(problems).toEqual([
      {
        path: 'function',
        line: 2,
        column: 11,
        message: `this ARN is in ${described}, but fledge runs in account 123456789012, region us-east-1 and deploys only there: cross-account and cross-region deployments are not supported; name a function of this account and region, or run fledge where the function is`,
      },
    ]);
  });

  it("is accepted in fledge's own account and region, and names the function", () => {
    // Act
    const result = parseDeploymentSpec(withFunction(arn()), 'spec.yaml', { home: HOME });
    // Assess
    expect(result.ok && result.spec.function).toEqual({ name: 'orders-api', arn: arn(), region: 'us-east-1', accountId: '123456789012' });
  });

  it('is accepted offline, where fledge does not know its account, as written', () => {
    // Act
    const problems = problemsOf(withFunction(arn({ accountId: '999988887777', region: 'eu-west-1' })));
    // Assess
    expect(problems).toEqual([]);
  });

  it.each([
    ['a region outside its partition', 'arn:aws:lambda:cn-north-1:123456789012:function:orders-api', /names region cn-north-1 in partition "aws", but cn-north-1 is in "aws-cn"/],
    ['a GovCloud region in the commercial partition', 'arn:aws:lambda:us-gov-west-1:123456789012:function:orders-api', /is in "aws-us-gov"/],
    ['an unknown partition', 'arn:awsx:lambda:us-east-1:123456789012:function:orders-api', /is in "aws"/],
    ['a version qualifier', `${arn()}:7`, /must not carry a qualifier \(":7"\)/],
    ['an alias qualifier', `${arn()}:live`, /must not carry a qualifier \(":live"\)/],
  ])('is refused with %s, even offline', (_name, target, message) => {
    // Act
    const problems = problemsOf(withFunction(target));
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: 'function', message: expect.stringMatching(message) })]);
  });
});

describe('a hook named by ARN', () => {
  it('is refused when it is in another account or region than fledge', () => {
    // Act
    const problems = problemsOf(withHooks(`${arn({ accountId: '999988887777' }, 'check')}:live`, arn({ region: 'eu-west-1' }, 'after')), HOME);
    // Assess
    expect(problems).toEqual([
      expect.objectContaining({ path: 'hooks.beforeTraffic', line: 11, message: expect.stringMatching(/^this ARN is in account 999988887777, region us-east-1, but fledge runs in .* and invokes hooks only there/) }),
      expect.objectContaining({ path: 'hooks.afterTraffic', line: 12, message: expect.stringMatching(/^this ARN is in account 123456789012, region eu-west-1, but fledge runs in .* and invokes hooks only there/) }),
    ]);
  });

  it("is accepted in fledge's own account and region, qualified or not, and by plain name", () => {
    // Act
    const problems = problemsOf(withHooks(`${arn({}, 'check')}:live`, 'after:7'), HOME);
    // Assess
    expect(problems).toEqual([]);
  });

  it('is refused with a region outside its partition, even offline', () => {
    // Act
    const problems = problemsOf(withHooks('arn:aws:lambda:cn-north-1:123456789012:function:check', 'after'));
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: 'hooks.beforeTraffic', message: expect.stringMatching(/names region cn-north-1 in partition "aws", but cn-north-1 is in "aws-cn"/) })]);
  });
});

describe("fledge's home", () => {
  it('is read from its state machine ARN, in any partition', () => {
    // Act
    const home = controlPlaneHome('arn:aws-cn:states:cn-north-1:123456789012:stateMachine:fledge-prod-deployment');
    // Assess
    expect(home).toEqual({ partition: 'aws-cn', region: 'cn-north-1', accountId: '123456789012' });
  });

  it('is a configuration error when the state machine ARN does not name an account and region', () => {
    // Act + Assess
    expect(() => controlPlaneHome('arn:aws:states:::stateMachine:x')).toThrow(/FLEDGE_STATE_MACHINE_ARN must be a states ARN with a region and an account/);
  });
});
