import { describe, expect, it } from 'vitest';
import { parseDeploymentSpec } from '../../../shared/domain/spec/parse';
import { VALID_SPEC } from '../../spec/fixtures';
import type { StackContext } from '../support/context';
import { render } from '../support/template';

/** fledge never deploys itself: every function this stack creates is refused by the spec reader. */
export function selfProtectionChecks(ctx: StackContext): void {
  describe("the stack's own functions", () => {
    it('are each refused as the function a spec deploys and as a hook, before any AWS call', () => {
      for (const fn of ctx.functions) {
        // Prepare
        const name = render(fn.properties.FunctionName);
        const spec = `${VALID_SPEC.replace('function: orders-api', `function: ${name}`)}hooks: { beforeTraffic: ${name} }\n`;

        // Act
        const result = parseDeploymentSpec(spec, 'spec.yaml');

        // Assess
        expect(result.ok ? [] : result.problems.map((p) => p.path), name).toEqual(['function', 'hooks.beforeTraffic']);
      }
      expect(ctx.functions.length).toBeGreaterThan(0);
    });
  });
}
