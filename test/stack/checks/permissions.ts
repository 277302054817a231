import { describe, expect, it } from 'vitest';
import { ENGINE_FUNCTIONS, type EngineFunction } from '../../../functions/engine-functions';
import { ENGINE_PERMISSIONS } from '../../../functions/permissions';
import { ARTIFACT_BUCKET_OBJECTS, ARTIFACT_BUCKETS, CONTROL_PLANE, DEPLOYMENT_EXECUTIONS, FLEDGE_ALARMS, WAVE_RUN_EXECUTIONS, IMAGE_REPOSITORIES, LAYERS, MANAGED_FUNCTIONS, MANAGED_ROLES, TOPICS } from '../support/expected-arns';
import { requiredActions } from '../support/iam-actions';
import { destinationTypesOf, render, resourcesOfType, statementsOf } from '../support/template';
import type { StackContext } from '../support/context';

/** Actions that AWS only accepts on Resource '*', with why. */
const STAR_ONLY: Readonly<Record<string, string>> = {
  'cloudwatch:DescribeAlarms': 'a narrower scope hides composite alarms',
  'cloudwatch:GetMetricData': 'metrics have no ARN: GetMetricData supports no resource-level permissions',
  'lambda:ListEventSourceMappings': 'the caller audit: ListEventSourceMappings supports no resource-level permissions',
  'logs:CreateLogDelivery': 'Step Functions log delivery',
  'logs:GetLogDelivery': 'Step Functions log delivery',
  'logs:UpdateLogDelivery': 'Step Functions log delivery',
  'logs:DeleteLogDelivery': 'Step Functions log delivery',
  'logs:ListLogDeliveries': 'Step Functions log delivery',
  'logs:PutResourcePolicy': 'Step Functions log delivery',
  'logs:DescribeResourcePolicies': 'Step Functions log delivery',
  'logs:DescribeLogGroups': 'Step Functions log delivery',
};

/** Least privilege: each role against the calls its function's code can make. */
export function permissionChecks(ctx: StackContext): void {
  describe('least privilege', () => {
    it('lets only the starters (API, S3 drop) start and look up wave runs, the repair loop only look them up, and nothing more on the wave runner', () => {
      for (const fn of ctx.functions) {
        // Prepare
        const variables = ctx.environmentOf(fn);

        // Act
        const onWaves = statementsOf(ctx.template, fn.roleLogicalId, 'Allow').filter((s) => s.resources.some((r) => r.includes('WavesStateMachine')));

        // Assess
        if (!variables.FLEDGE_WAVES_STATE_MACHINE_ARN) {
          expect(onWaves, fn.key).toEqual([]);
          continue;
        }
        expect(render(variables.FLEDGE_WAVES_STATE_MACHINE_ARN), fn.key).toBe('{WavesStateMachine}');
        // The repair loop only looks: whether a run's execution still runs (one whose runner died it winds down).
        const expected =
          fn.key === 'sweeper'
            ? [{ actions: ['states:DescribeExecution'], resources: [DEPLOYMENT_EXECUTIONS, WAVE_RUN_EXECUTIONS] }]
            : [
                { actions: ['states:StartExecution'], resources: ['{WavesStateMachine}'] },
                { actions: ['states:DescribeExecution'], resources: [WAVE_RUN_EXECUTIONS] },
              ];
        expect(onWaves.map((s) => ({ actions: s.actions, resources: s.resources })), fn.key).toEqual(expected);
      }
      expect(ctx.functions.filter((fn) => ctx.environmentOf(fn).FLEDGE_WAVES_STATE_MACHINE_ARN).map((fn) => fn.key).sort()).toEqual(['api', 's3Trigger', 'sweeper']);
    });

    it("gives each function its own role, granting exactly the actions its code can call", () => {
      const roles = new Set<string>();
      for (const fn of ctx.functions) {
        // Prepare
        const variables = ctx.environmentOf(fn);
        const expected = requiredActions(ctx.calls.get(fn.sourceFile) ?? [], variables, destinationTypesOf(ctx.template, fn.logicalId));

        // Act
        const granted = [...new Set(statementsOf(ctx.template, fn.roleLogicalId, 'Allow').flatMap((s) => s.actions))].sort();

        // Assess
        expect(granted, `${fn.key} (${fn.roleLogicalId}) vs the SDK calls reachable from ${fn.sourceFile}`).toEqual(expected);
        expect(roles.has(fn.roleLogicalId), `${fn.roleLogicalId} is shared`).toBe(false);
        roles.add(fn.roleLogicalId);
      }
    });

    it('grants no wildcard action and Resource * only where AWS allows nothing narrower', () => {
      for (const [roleId] of resourcesOfType(ctx.template, 'AWS::IAM::Role')) {
        for (const statement of statementsOf(ctx.template, roleId)) {
          // Act
          const starResources = statement.resources.filter((r) => r === '*');

          // Assess
          for (const action of statement.actions) expect(action, roleId).not.toContain('*');
          if (starResources.length > 0) for (const action of statement.actions) expect(STAR_ONLY[action], `${roleId} grants ${action} on *`).toBeDefined();
        }
      }
    });

    it('scopes every action to fledge’s own resources or to the managed-function allow-list', () => {
      for (const fn of ctx.functions) {
        for (const s of statementsOf(ctx.template, fn.roleLogicalId, 'Allow')) {
          // Act
          const service = new Set(s.actions.map((a) => a.split(':')[0]));

          // Assess
          expect(service.size, `${fn.key} ${s.sid}: one service per statement`).toBe(1);
          const where = `${fn.key} ${s.sid ?? ''} ${s.actions.join(',')}`;
          if (service.has('logs')) expect(s.resources, where).toEqual([`{${fn.logicalId.replace(/LambdaFunction$/, '')}LogGroup.Arn}`]);
          if (service.has('dynamodb')) {
            expect(s.resources, where).toContain('{DeploymentsTable.Arn}');
            for (const r of s.resources) expect(['{DeploymentsTable.Arn}', '{DeploymentsTable.Arn}/index/*'], where).toContain(r);
          }
          // Execution-level actions act on executions of the deployment state machine, the others on it;
          // the wave runner's (WaveRuns below) only in statements of their own.
          if (service.has('states') && !s.resources.some((r) => r.includes('WavesStateMachine'))) expect(s.resources, where).toEqual(s.actions.includes('states:DescribeExecution') ? [DEPLOYMENT_EXECUTIONS] : ['{DeploymentStateMachine}']);
          if (service.has('sqs')) expect(s.resources, where).toEqual(['{FailedEventsQueue.Arn}']);
          if (service.has('secretsmanager')) {
            // Each signing key only to the functions whose environment names it.
            const variables = ctx.environmentOf(fn);
            const keys = [...(variables.FLEDGE_APPROVAL_SECRET_PARAMETER ? ['{ApprovalSigningSecret}'] : []), ...(variables.FLEDGE_WEBHOOK_SECRET_PARAMETER ? ['{WebhookSigningSecret}'] : [])];
            expect(s.resources, where).toHaveLength(1);
            expect(keys, where).toContain(s.resources[0]);
          }
          if (service.has('ssm')) {
            const variables = ctx.environmentOf(fn);
            const parameters = Object.entries(variables).filter(([name]) => name.endsWith('_PARAMETER')).map(([, value]) => `arn:{AWS::Partition}:ssm:{AWS::Region}:{AWS::AccountId}:parameter${render(value)}`);
            expect(parameters, where).toEqual(s.resources);
          }
          if (service.has('lambda')) expect(s.resources, where).toEqual(s.actions.includes('lambda:GetLayerVersion') ? [LAYERS] : s.actions.every((a) => STAR_ONLY[a]) ? ['*'] : MANAGED_FUNCTIONS);
          if (service.has('lambda') && s.actions.includes('lambda:GetLayerVersion')) expect(s.actions, where).toEqual(['lambda:GetLayerVersion']);
          if (service.has('sns')) for (const r of s.resources) expect(TOPICS, where).toContain(r);
          // Bucket-level actions on the buckets, object reads on their objects: never both in one statement.
          if (service.has('s3')) {
            const bucketLevel = s.actions.every((a) => a === 's3:ListBucket' || a === 's3:GetBucketLocation');
            expect(s.resources, where).toEqual(bucketLevel ? ARTIFACT_BUCKETS : ARTIFACT_BUCKET_OBJECTS);
            if (!bucketLevel) expect(s.actions, where).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
          }
          if (service.has('ecr')) {
            expect(s.actions, where).toEqual(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
            expect(s.resources, where).toEqual([IMAGE_REPOSITORIES]);
          }
          if (service.has('cloudwatch')) expect(s.resources, where).toEqual(s.actions.every((a) => STAR_ONLY[a]) ? ['*'] : [FLEDGE_ALARMS]);
          if (service.has('iam')) {
            expect(s.actions, where).toEqual(['iam:PassRole']);
            expect(s.resources, where).toEqual([MANAGED_ROLES]);
            expect(s.condition, where).toEqual({ StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } });
          }
        }
      }
    });

    it('lets fledge change no function by default, and requires the managed tag when asked', () => {
      for (const fn of ctx.functions) {
        const onFunctions = statementsOf(ctx.template, fn.roleLogicalId, 'Allow').filter((x) => x.actions.some((a) => a.startsWith('lambda:')) && !x.actions.includes('lambda:GetLayerVersion') && !x.actions.every((a) => STAR_ONLY[a]));
        for (const s of onFunctions) {
          // Act
          const tagCondition = s.condition;

          // Assess
          expect(s.resources).toEqual(MANAGED_FUNCTIONS);
          // CreateFunction has no resource tag to check yet: the name pattern binds it, and the
          // new function must carry the managed tag (and only it), or fledge could not act on it
          // again with RequireManagedTag=true.
          if (s.actions.includes('lambda:CreateFunction')) {
            expect(s.actions, fn.key).toEqual(['lambda:CreateFunction', 'lambda:TagResource']);
            expect(tagCondition, fn.key).toEqual({ StringEquals: { 'aws:RequestTag/fledge:managed': 'true' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['fledge:managed'] } });
          } else {
            expect(s.actions, `${fn.key} ${s.sid}`).not.toContain('lambda:TagResource');
            expect(tagCondition, `${fn.key} ${s.sid}`).toEqual({ 'Fn::If': ['RequireManagedTag', { StringEquals: { 'aws:ResourceTag/fledge:managed': 'true' } }, { Ref: 'AWS::NoValue' }] });
          }
        }
      }
      expect(ctx.template.Conditions?.RequireManagedTag).toEqual({ 'Fn::Equals': [{ Ref: 'RequireManagedTag' }, 'true'] });
      // None-but-explicit: the defaults match no function and no role.
      expect(ctx.template.Parameters?.ManagedFunctions?.Default).toBe('(none)');
      expect(ctx.template.Parameters?.ManagedRoles?.Default).toBe('(none)');
      expect(ctx.template.Parameters?.ArtifactBuckets?.Default).toBe('(none)');
      expect(ctx.template.Parameters?.ImageRepositories?.Default).toBe('(none)');
      expect(ctx.template.Parameters?.RequireManagedTag).toMatchObject({ Default: 'false', AllowedValues: ['true', 'false'] });
    });

    it('grants every call the engine made on the embedded AWS (functions/permissions.ts records them)', () => {
      for (const [name, observed] of Object.entries(ENGINE_PERMISSIONS)) {
        // Prepare
        const fn = ctx.functions.find((f) => f.sourceFile === ENGINE_FUNCTIONS[name as EngineFunction].entry);

        // Act
        const granted = statementsOf(ctx.template, fn!.roleLogicalId, 'Allow').flatMap((s) => s.actions);

        // Assess
        for (const action of observed) expect(granted, `${name} was seen calling ${action}`).toContain(action);
      }
    });

    it('accepts function and role name patterns as allow-lists, never ARNs or spaces', () => {
      // Prepare
      const accepts = (name: string, value: string) => new RegExp(ctx.template.Parameters![name]!.AllowedPattern!).test(value);

      // Assess
      for (const value of ['(none)', 'orders-api', 'orders-*', 'team_?-svc', '*']) expect(accepts('ManagedFunctions', value), value).toBe(true);
      for (const value of ['', 'arn:aws:lambda:us-east-1:1:function:x', 'a b', 'none)', 'x,y']) expect(accepts('ManagedFunctions', value), value).toBe(false);
      for (const value of ['(none)', 'orders-*-role', 'service-role/deployer', 'a+b=c,d.e@f']) expect(accepts('ManagedRoles', value), value).toBe(true);
      for (const value of ['', 'arn:aws:iam::1:role/x', 'a b']) expect(accepts('ManagedRoles', value), value).toBe(false);
      for (const value of ['(none)', 'team-artifacts', 'team-*', 'builds.example.com']) expect(accepts('ArtifactBuckets', value), value).toBe(true);
      for (const value of ['', 'arn:aws:s3:::x', 'Upper', 'a b', 'b/k']) expect(accepts('ArtifactBuckets', value), value).toBe(false);
      for (const value of ['(none)', 'orders-api', 'team/*', 'lambda-*']) expect(accepts('ImageRepositories', value), value).toBe(true);
      for (const value of ['', 'arn:aws:ecr:x', 'Upper', 'a b']) expect(accepts('ImageRepositories', value), value).toBe(false);
    });

    it('denies every role that can change or invoke managed functions the same on fledge’s own functions', () => {
      for (const fn of ctx.functions) {
        // Prepare: what the role may do to managed functions beyond reading them.
        const writes = statementsOf(ctx.template, fn.roleLogicalId, 'Allow')
          .flatMap((s) => s.actions)
          .filter((a) => a.startsWith('lambda:') && !/^lambda:(Get|List)/.test(a));

        // Act
        const denials = statementsOf(ctx.template, fn.roleLogicalId, 'Deny');

        // Assess
        if (writes.length === 0) {
          expect(denials, fn.key).toEqual([]);
          continue;
        }
        expect(denials, fn.key).toHaveLength(1);
        expect([...denials[0]!.actions].sort(), fn.key).toEqual([...new Set(writes)].sort());
        expect(denials[0]!.resources, fn.key).toEqual(CONTROL_PLANE);
      }
    });

    it('lets only the traffic, check (check-then-shift), safety-net, alarm-abort, sweeper and wave-runner (rolling back promoted targets) functions, prepare (onConflict: supersede), record (a group member drifted: the others roll back) and the API (fledge rollback) move alias traffic', () => {
      // Act
      const movers = ctx.functions.filter((fn) => statementsOf(ctx.template, fn.roleLogicalId, 'Allow').some((s) => s.actions.includes('lambda:UpdateAlias'))).map((fn) => fn.key);

      // Assess
      expect(movers.sort()).toEqual(['abort', 'api', 'check', 'prepare', 'record', 'safetyNet', 'sweeper', 'traffic', 'waves']);
    });
  });
}
