import { describe, expect, it } from 'vitest';
import { render, resourcesOfType } from '../support/template';
import type { StackContext } from '../support/context';

/** The HTTP API: IAM on management routes, public signed approval pages. */
export function httpApiChecks(ctx: StackContext): void {
  describe('the HTTP API', () => {
    const routes = () => new Map(resourcesOfType(ctx.template, 'AWS::ApiGatewayV2::Route').map(([, r]) => [String(r.Properties!.RouteKey), r.Properties!]));
    const integrationOf = (route: Record<string, unknown>) => {
      const integration = ctx.resource(render(route.Target).replace(/^integrations\/\{(\w+)\}$/, '$1'));
      return render(integration.Properties!.IntegrationUri);
    };

    it('requires IAM (SigV4) on every management route, each served by the API function', () => {
      // Prepare: the routes shared/interfaces/http/api/routes.ts serves (docs/api.md).
      const management = ['POST /deployments', 'GET /deployments', 'GET /deployments/{id}', 'POST /deployments/{id}/stop', 'POST /deployments/{id}/promote', 'POST /deployments/{id}/approve', 'POST /deployments/{id}/reject', 'GET /functions/{name}/aliases/{alias}', 'GET /metrics', 'GET /deployments/{id}/traffic'];

      // Act
      const all = routes();

      // Assess
      for (const key of management) {
        expect(all.get(key)?.AuthorizationType, key).toBe('AWS_IAM');
        expect(integrationOf(all.get(key)!), key).toBe('{ApiLambdaFunction.Arn}');
      }
    });

    it('leaves only the signed approval pages public, and no catch-all route', () => {
      // Act
      const open = [...routes()].filter(([, r]) => r.AuthorizationType === undefined || r.AuthorizationType === 'NONE');

      // Assess
      expect(open.map(([key]) => key).sort()).toEqual(['GET /approvals/{id}', 'POST /approvals/{id}']);
      for (const [key, r] of open) expect(integrationOf(r), key).toBe('{ApprovalsLambdaFunction.Arn}');
      expect([...routes().keys()].filter((key) => /\$default|\{proxy\+\}|^ANY /.test(key))).toEqual([]);
    });

    it("points the approval task's links at this API's $default stage, signed with the pages' key", () => {
      // Prepare
      const environment = (key: string) => ctx.environmentOf(ctx.functions.find((f) => f.key === key)!);

      // Act
      const task = environment('approval');
      const stages = resourcesOfType(ctx.template, 'AWS::ApiGatewayV2::Stage').map(([, stage]) => stage.Properties!);

      // Assess: links are <FLEDGE_API_URL>/approvals/<id>; only the $default stage adds no path segment before the route's.
      expect(render(task.FLEDGE_API_URL)).toBe('{HttpApi.ApiEndpoint}');
      expect(stages.map((stage) => [render(stage.ApiId), stage.StageName])).toEqual([['{HttpApi}', '$default']]);
      expect(task.FLEDGE_APPROVAL_SECRET_PARAMETER).toBe(environment('approvals').FLEDGE_APPROVAL_SECRET_PARAMETER);
    });

    it('caps the request rate of the whole API (the approval pages face the internet)', () => {
      // Act
      const stage = resourcesOfType(ctx.template, 'AWS::ApiGatewayV2::Stage')[0]?.[1];

      // Assess
      expect(stage!.Properties!.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 });
    });

    it('writes access logs with a retention period', () => {
      // Act
      const stage = resourcesOfType(ctx.template, 'AWS::ApiGatewayV2::Stage')[0]?.[1];

      // Assess
      expect(render((stage!.Properties!.AccessLogSettings as { DestinationArn: unknown }).DestinationArn)).toBe('{HttpApiLogGroup.Arn}');
      expect(ctx.resource('HttpApiLogGroup').Properties!.RetentionInDays).toBe(30);
    });
  });
}
