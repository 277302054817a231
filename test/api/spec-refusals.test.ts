import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/model/spec-limits';
import { aliasOf, executionEnd, existingFunction, guardAliases, uploadArtifact, userCode } from '../support/engine';
import { call } from './client';
import { startInterfaces, type InterfaceWorld } from './world';

type Refusal = { error: { code: string; message: string; details: { problems: { path: string; message: string; line?: number }[] } } };

function yamlSpec(target: string, extra = ''): string {
  return `version: 1\nfunction: ${target}\nalias: live\nartifact:\n  zip: spec-refusals/v2.zip\nstrategy:\n  preset: AllAtOnce\n${extra}`;
}

// Specs the API must refuse with a 422 naming the field and the limit, starting nothing: never a
// 5xx, never an internal message, never a deployment onto a function the spec did not mean.
describe('the deployments API refuses undeliverable specs', () => {
  let world: InterfaceWorld;
  let base: string;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startInterfaces();
    base = world.api.url;
    await uploadArtifact(world, 'spec-refusals/v2.zip', userCode('v2'));
  });
  afterAll(async () => {
    await world?.stop();
  });

  async function deploymentsOf(name: string): Promise<unknown[]> {
    return (await call<{ items: unknown[] }>(base, 'GET', `/deployments?function=${name}`)).body.items;
  }

  it("answers 422 for a function named by another account's or region's ARN, and leaves the same-named function here alone", async () => {
    // Prepare
    const name = touch('api-foreign-fn');
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const otherAccount = `arn:aws:lambda:${world.aws.region}:999988887777:function:${name}`;
    const otherRegion = `arn:aws:lambda:${world.aws.region === 'eu-west-1' ? 'us-east-1' : 'eu-west-1'}:000000000000:function:${name}`;

    // Act
    const responses = await Promise.all([otherAccount, otherRegion].map((target) => call<Refusal>(base, 'POST', '/deployments', { json: { spec: yamlSpec(target) } })));

    // Assess
    for (const response of responses) {
      expect(response.status).toBe(422);
      expect(response.body.error.details.problems).toEqual([expect.objectContaining({ path: 'function', line: 2, message: expect.stringMatching(/^this ARN is in account \d{12}, region \S+, but fledge runs in account 000000000000, region \S+ and deploys only there/) })]);
    }
    expect(await deploymentsOf(name)).toEqual([]);
    expect(await aliasOf(world, name)).toEqual(before);
  });

  it("starts a deployment for a function named by fledge's own account and region's ARN", async () => {
    // Prepare
    const name = touch('api-home-arn-fn');
    await existingFunction(world, name);

    // Act
    const response = await call(base, 'POST', '/deployments', { json: { spec: yamlSpec(`arn:aws:lambda:${world.aws.region}:000000000000:function:${name}`) } });

    await executionEnd(world, response.body['executionArn'] as string);

    // Assess
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ functionName: name, alias: 'live' });
  });

  it('answers 422 for a hook named by the ARN of another account', async () => {
    // Act
    const response = await call<Refusal>(base, 'POST', '/deployments', {
      json: { spec: yamlSpec('api-hook-fn', `hooks:\n  beforeTraffic: arn:aws:lambda:${world.aws.region}:999988887777:function:checks:live\n`) },
    });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.error.details.problems).toEqual([expect.objectContaining({ path: 'hooks.beforeTraffic', message: expect.stringContaining('invokes hooks only there') })]);
  });

  it("answers 422 for a spec naming one of fledge's own functions, by name or ARN, as target or hook", async () => {
    // Prepare
    const { PrepareFunctionArn: prepare, SafetyNet: safetyNet } = world.plane.functions;
    const specs = [yamlSpec(prepare), yamlSpec(`arn:aws:lambda:${world.aws.region}:000000000000:function:${safetyNet}`), yamlSpec('api-self-hook-fn', `hooks: { afterTraffic: ${prepare} }\n`)];

    // Act
    const responses = await Promise.all(specs.map((spec) => call<Refusal>(base, 'POST', '/deployments', { json: { spec } })));

    // Assess
    expect(responses.map((r) => r.status)).toEqual([422, 422, 422]);
    expect(responses.map((r) => r.body.error.details.problems.map((p) => p.path))).toEqual([['function'], ['function'], ['hooks.afterTraffic']]);
    for (const response of responses) expect(response.body.error.details.problems[0]!.message).toContain('fledge never deploys, reconfigures or invokes itself');
    expect(await deploymentsOf(prepare)).toEqual([]);
  });

  it('answers 400, not 500, for a spec sent as a JSON object nested 10,000 levels', async () => {
    // Prepare: written by hand, JSON.stringify itself would overflow.
    const body = `{"spec": {"version": 1, "function": "api-deep-fn", "alias": "live", "artifact": {"zip": "a.zip"}, "strategy": {"allAtOnce": {}}, "health": {"smokeTest": {"payload": ${'['.repeat(10_000)}${']'.repeat(10_000)}}}}}`;

    // Act
    const response = await call<Refusal>(base, 'POST', '/deployments', { body, type: 'application/json' });

    // Assess
    // The body is refused for its depth before it is parsed, let alone read as a spec.
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BadRequest');
    expect(JSON.stringify(response.body)).toMatch(/levels of nesting/);
    expect(JSON.stringify(response.body)).not.toMatch(/Maximum call stack|RangeError/);
  });

  it('answers 422 for a small spec whose aliases expand beyond what Step Functions can carry', async () => {
    // Prepare
    const uses = Array.from({ length: 45 }, (_, i) => `k${i}: *s`).join(', ');
    const spec = yamlSpec('api-fan-fn', `health:\n  smokeTest:\n    payload: { s: &s "${'x'.repeat(3_000)}", ${uses} }\n`);

    // Act
    const response = await call<Refusal>(base, 'POST', '/deployments', { body: spec, type: 'application/yaml' });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.error.details.problems).toEqual([expect.objectContaining({ path: 'health.smokeTest.payload', message: expect.stringContaining('the limit is 131072 bytes (128 KiB)') })]);
  });

  it('answers 422 with a bounded list for a spec of thousands of problems', async () => {
    // Prepare
    const unknown = Array.from({ length: 20_000 }, (_, i) => `u${i}: 1`).join('\n');

    // Act
    const response = await call<Refusal>(base, 'POST', '/deployments', { body: `${yamlSpec('api-many-fn')}${unknown}\n`, type: 'application/yaml' });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.error.details.problems).toHaveLength(LIMITS.maxProblems + 1);
    expect(response.body.error.details.problems.at(-1)!.message).toBe(`and ${20_000 - LIMITS.maxProblems} more problems from here on (the first ${LIMITS.maxProblems} are listed)`);
  });
});
