import { describe, expect, it } from 'vitest';
import { ALARM_ABORT_PATTERN, TASK_SUBSTITUTIONS } from '../../../functions/engine-functions';
import { deploymentDefinition } from '../../../state-machines/definition';
import { render, resourcesOfType, statementsOf } from '../support/template';
import type { StackContext } from '../support/context';

/** The deployment state machine and the safety net's rule. */
export function stateMachineChecks(ctx: StackContext): void {
  describe('the deployment state machine', () => {
    const parsed = () => {
      const sm = ctx.resource('DeploymentStateMachine');
      const sub = (sm.Properties!.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] })['Fn::Sub'];
      return { sm, definition: JSON.parse(render({ 'Fn::Sub': sub })) as Record<string, unknown> };
    };

    it('is state-machines/deployment.asl.yml with each substitution bound to its function', () => {
      // Prepare
      const arns = Object.fromEntries(TASK_SUBSTITUTIONS.map((name) => [name, `{${name.replace(/FunctionArn$/, '')}LambdaFunction.Arn}`]));
      const expected = deploymentDefinition(arns);

      // Act
      const { definition } = parsed();

      // Assess: serverless-step-functions only adds the explicit QueryLanguage to each state.
      const states = definition.States as Record<string, Record<string, unknown>>;
      for (const state of Object.values(states)) {
        expect(state.QueryLanguage).toBe('JSONPath');
        delete state.QueryLanguage;
      }
      expect(definition).toEqual(expected);
    });

    it('is a Standard workflow that logs errors without execution data (approval inputs carry tokens)', () => {
      // Act
      const { sm } = parsed();

      // Assess
      expect(sm.Properties!.StateMachineType).toBe('STANDARD');
      expect(sm.Properties!.LoggingConfiguration).toEqual({ Level: 'ERROR', IncludeExecutionData: false, Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['DeploymentStateMachineLogGroup', 'Arn'] } } }] });
    });

    it('may invoke exactly the task functions its definition names', () => {
      // Prepare
      const named = TASK_SUBSTITUTIONS.map((name) => `{${name.replace(/FunctionArn$/, '')}LambdaFunction.Arn}`).sort();

      // Act
      const role = render(ctx.resource('DeploymentStateMachine').Properties!.RoleArn).replace(/^\{(\w+)\.Arn\}$/, '$1');
      const invoke = statementsOf(ctx.template, role, 'Allow').filter((s) => s.actions.includes('lambda:InvokeFunction'));

      // Assess
      expect(invoke).toHaveLength(1);
      expect(invoke[0]!.actions).toEqual(['lambda:InvokeFunction']);
      expect([...invoke[0]!.resources].sort()).toEqual(named);
    });

    it('feeds FAILED, TIMED_OUT and ABORTED executions of this state machine only to the safety net', () => {
      // Act
      const rules = resourcesOfType(ctx.template, 'AWS::Events::Rule').filter(([, r]) => (r.Properties?.EventPattern as { source?: unknown } | undefined)?.source !== undefined && JSON.stringify((r.Properties?.EventPattern as { source?: unknown }).source) === '["aws.states"]');
      const rule = { Properties: rules[0]?.[1].Properties ?? {} };
      const targets = rule.Properties.Targets as { Arn: unknown }[];
      const permission = resourcesOfType(ctx.template, 'AWS::Lambda::Permission').find(([, p]) => p.Properties?.Principal === 'events.amazonaws.com' && render(p.Properties?.FunctionName) === '{SafetyNetLambdaFunction.Arn}');

      // Assess
      expect(rule.Properties.EventPattern).toEqual({
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: 'DeploymentStateMachine' }] },
      });
      expect(targets.map((t) => render(t.Arn))).toEqual(['{SafetyNetLambdaFunction.Arn}']);
      expect(render(permission?.[1].Properties?.FunctionName)).toBe('{SafetyNetLambdaFunction.Arn}');
      expect(render(permission?.[1].Properties?.SourceArn)).toBe(`arn:{AWS::Partition}:events:{AWS::Region}:{AWS::AccountId}:rule/${String(rule.Properties.Name)}`);
      expect(rules).toHaveLength(1);
    });

    it('feeds every alarm that goes to ALARM to the alarm abort, and to nothing else', () => {
      // Act
      const rules = resourcesOfType(ctx.template, 'AWS::Events::Rule').filter(([, r]) => JSON.stringify((r.Properties?.EventPattern as { source?: unknown } | undefined)?.source) === '["aws.cloudwatch"]');
      const properties = rules[0]?.[1].Properties ?? {};
      const targets = properties.Targets as { Arn: unknown }[];
      const permission = resourcesOfType(ctx.template, 'AWS::Lambda::Permission').find(([, p]) => p.Properties?.Principal === 'events.amazonaws.com' && render(p.Properties?.FunctionName) === '{AbortLambdaFunction.Arn}');

      // Assess
      expect(rules).toHaveLength(1);
      expect(properties.EventPattern).toEqual(ALARM_ABORT_PATTERN);
      expect(targets.map((t) => render(t.Arn))).toEqual(['{AbortLambdaFunction.Arn}']);
      expect(render(permission?.[1].Properties?.SourceArn)).toBe(`arn:{AWS::Partition}:events:{AWS::Region}:{AWS::AccountId}:rule/${String(properties.Name)}`);
    });

    it('runs the sweeper every five minutes, and nothing else on a schedule', () => {
      // Act
      const schedules = resourcesOfType(ctx.template, 'AWS::Events::Rule').filter(([, r]) => r.Properties?.ScheduleExpression !== undefined);
      const targets = schedules.flatMap(([, r]) => (r.Properties?.Targets as { Arn: unknown }[]).map((t) => render(t.Arn)));
      const permission = resourcesOfType(ctx.template, 'AWS::Lambda::Permission').find(([, p]) => p.Properties?.Principal === 'events.amazonaws.com' && render(p.Properties?.FunctionName) === '{SweeperLambdaFunction.Arn}');
      const retries = ctx.resource('SweeperLambdaEvConf').Properties?.MaximumRetryAttempts;

      // Assess
      expect(schedules.map(([, r]) => r.Properties?.ScheduleExpression)).toEqual(['rate(5 minutes)']);
      expect(targets).toEqual(['{SweeperLambdaFunction.Arn}']);
      expect(render(permission?.[1].Properties?.SourceArn)).toBe(`{${schedules[0]![0]}.Arn}`);
      expect(retries).toBe(0);
    });
  });
}
