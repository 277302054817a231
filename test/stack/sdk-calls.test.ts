import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requiredActions } from './support/iam-actions';
import { ROOT } from './support/package-stack';
import { SdkCallAnalysis } from './support/sdk-calls';

// The analysis behind the least-privilege test, on small fixtures whose answers are known.
const fixture = (name: string) => join(ROOT, 'test/stack/fixtures', name);
let analysis: SdkCallAnalysis;

beforeAll(() => {
  analysis = new SdkCallAnalysis([fixture('reads.ts'), fixture('waits.ts'), fixture('parameters.ts')], join(ROOT, 'tsconfig.json'));
});

describe('SDK calls reachable from a handler', () => {
  it('follows a port call to the constructed implementation only, and into the methods it calls', () => {
    // Act
    const calls = analysis.callsOf(fixture('reads.ts'));

    // Assess: not UpdateAlias (write is never called), DeleteFunction (remove) nor CreateFunction (unused class).
    expect(calls).toEqual([{ pkg: '@aws-sdk/client-lambda', operation: 'GetAlias' }]);
  });

  it('counts waiters as the call they poll and code run at import, but not unreferenced exports', () => {
    // Act
    const calls = analysis.callsOf(fixture('waits.ts'));

    // Assess
    expect(calls).toEqual([
      { pkg: '@aws-sdk/client-lambda', operation: 'GetFunction' },
      { pkg: '@aws-sdk/client-ssm', operation: 'GetParameter' },
    ]);
  });

  it('counts a read through Powertools Parameters as the GetParameter it sends with its own code', () => {
    // Act
    const calls = analysis.callsOf(fixture('parameters.ts'));

    // Assess
    expect(calls).toEqual([{ pkg: '@aws-sdk/client-ssm', operation: 'GetParameter' }]);
  });

  it('turns the calls into IAM actions, with the logging every function needs', () => {
    // Act
    const actions = requiredActions(analysis.callsOf(fixture('waits.ts')), { SECRET: '/aws/reference/secretsmanager/x' });

    // Assess
    expect(actions).toEqual(['lambda:GetFunction', 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue', 'ssm:GetParameter']);
  });

  it('tells handler modules from helper modules', () => {
    // Assess
    expect(analysis.exportsHandler(fixture('reads.ts'))).toBe(true);
    expect(analysis.exportsHandler(fixture('registry.ts'))).toBe(false);
  });
});
