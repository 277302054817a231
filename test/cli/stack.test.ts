import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli';

// Issue 18: `fledge stack package|deploy|remove` wraps the bundled serverless.yml with osls. The real
// `package` runs in test/stack (checkout) and test/package/pack-install.test.ts (installed package);
// deploy and remove need AWS, so they are checked here by the command they would run.

describe('fledge stack', () => {
  it.each([
    [['deploy', '--stage', 'prod', '--region', 'eu-west-1', '--profile', 'ci', '--param', 'managedFunctions=orders-*', '--param', 'approvalEmail=ops@example.com'], "osls deploy --stage prod --region eu-west-1 --aws-profile ci --param 'managedFunctions=orders-*' --param approvalEmail=ops@example.com"],
    [['remove', '--stage', 'prod', '--region', 'eu-west-1'], 'osls remove --stage prod --region eu-west-1'],
    [['package', '--stage', 'test', '--region', 'us-east-1', '--out', '/tmp/fledge-stack-out'], 'osls package --stage test --region us-east-1 --package /tmp/fledge-stack-out'],
  ])('%j runs osls with the stage, region, profile and parameters passed through', (args, command) => {
    // Act
    const result = runCli(['stack', ...args, '--dry-run'], { env: { AWS_REGION: '' } });

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`in the checkout:\n  ${command}\n`);
  });

  it('defaults to stage dev in $AWS_REGION', () => {
    // Act
    const result = runCli(['stack', 'deploy', '--dry-run'], { env: { AWS_REGION: 'ap-southeast-2' } });

    // Assess
    expect(result.stdout).toContain('osls deploy --stage dev --region ap-southeast-2');
  });

  it.each([
    [['deploy', '--param', 'managedFunctions'], '--param must be name=value (e.g. "managedFunctions=orders-*"), got "managedFunctions"'],
    [['deploy', '--stage', 'prod_1'], '--stage must be 1-64 letters, digits or "-", starting with a letter, got "prod_1"'],
    [['remove', '--region', 'Europe'], '--region must be an AWS region such as eu-west-1, got "Europe"'],
    [['package', '--profile', 'a b'], '--profile must be an AWS profile name, got "a b"'],
  ])('refuses %j as a usage error, running nothing', (args, message) => {
    // Act
    const result = runCli(['stack', ...args, '--dry-run']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`fledge: ${message}\n`);
    expect(result.stdout).toBe('');
  });
});
