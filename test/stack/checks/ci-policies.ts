import { describe, expect, it } from 'vitest';
import { render } from '../support/template';
import type { StackContext } from '../support/context';

interface Statement { Effect: string; Action: string | string[]; Resource: unknown }

const API = 'arn:{AWS::Partition}:execute-api:{AWS::Region}:{AWS::AccountId}:{HttpApi}/*';
const STACK = 'arn:{AWS::Partition}:cloudformation:{AWS::Region}:{AWS::AccountId}:stack/{AWS::StackName}/*';

/**
 * Issue 18: the stack exports two managed policies — CI's deployer and the approvers' — each
 * least privilege: exact actions (no wildcard), resources scoped to this stack's bucket prefix and
 * this stack's API routes.
 */
export function ciPolicyChecks(ctx: StackContext): void {
  describe('the deployer and approver policies', () => {
    /** The policy's statements as [effect, actions, resources], rendered. */
    const statementsOf = (logicalId: string): [string, string[], string[]][] => {
      const resource = ctx.resource(logicalId);
      expect(resource.Type).toBe('AWS::IAM::ManagedPolicy');
      const document = resource.Properties!['PolicyDocument'] as { Statement: Statement[] };
      return document.Statement.map((s) => [s.Effect, [s.Action].flat(), [s.Resource].flat().map(render)]);
    };

    it('exports both as managed policy ARNs', () => {
      // Assess
      expect(ctx.template.Outputs?.['DeployerPolicyArn']).toMatchObject({ Value: { Ref: 'DeployerPolicy' } });
      expect(ctx.template.Outputs?.['ApproverPolicyArn']).toMatchObject({ Value: { Ref: 'ApproverPolicy' } });
    });

    it('lets CI put specs and zips under deployments/ of the bucket, start through the API, read status and history and the stack\'s outputs — nothing else', () => {
      // Act
      const statements = statementsOf('DeployerPolicy');

      // Assess
      expect(statements).toEqual([
        ['Allow', ['s3:PutObject'], ['arn:{AWS::Partition}:s3:::fledge-dev-artifacts-{AWS::AccountId}-{AWS::Region}/deployments/*']],
        ['Allow', ['execute-api:Invoke'], [`${API}/POST/deployments`, `${API}/GET/deployments`, `${API}/GET/deployments/*`]],
        ['Allow', ['cloudformation:DescribeStacks'], [STACK]],
      ]);
    });

    it('lets approvers read deployments and approve, reject, stop or promote them — and start nothing', () => {
      // Act
      const statements = statementsOf('ApproverPolicy');

      // Assess
      expect(statements).toEqual([
        ['Allow', ['execute-api:Invoke'], [`${API}/GET/deployments`, `${API}/GET/deployments/*`]],
        ['Allow', ['execute-api:Invoke'], ['approve', 'reject', 'stop', 'promote'].map((verb) => `${API}/POST/deployments/*/${verb}`)],
        ['Allow', ['cloudformation:DescribeStacks'], [STACK]],
      ]);
    });

    it('has no wildcard action and no unscoped resource in either', () => {
      // Act
      const all = [...statementsOf('DeployerPolicy'), ...statementsOf('ApproverPolicy')];

      // Assess
      for (const [effect, actions, resources] of all) {
        expect(effect).toBe('Allow');
        for (const action of actions) expect(action).not.toMatch(/\*/);
        for (const resource of resources) expect(resource).toMatch(/^arn:\{AWS::Partition\}:(s3:::fledge-dev-artifacts-|execute-api:\{AWS::Region\}:\{AWS::AccountId\}:\{HttpApi\}\/\*\/(GET|POST)\/deployments|cloudformation:\{AWS::Region\}:\{AWS::AccountId\}:stack\/\{AWS::StackName\}\/\*$)/);
      }
    });
  });
}
