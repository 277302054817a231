import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../cli/format/plan';
import { styleFor } from '../../cli/format/style';
import { planDeployment } from '../../shared/domain/plan/planner';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { SpecProblem } from '../../shared/model/spec';
import { VALID_SPEC } from './fixtures';

function parse(webhooks: string) {
  return parseDeploymentSpec(`${VALID_SPEC}webhooks:\n${webhooks}`, 'spec.yaml');
}

function problemsOf(webhooks: string): { path: string; message: string }[] {
  const result = parse(webhooks);
  if (result.ok) throw new Error('expected the spec to be invalid');
  return result.problems.map(({ path, message }: SpecProblem) => ({ path, message }));
}

describe('the webhooks section of a spec', () => {
  it('normalises webhooks with their defaults (named by host, 10s, 2 retries) and leaves a spec without them as before', () => {
    // Act
    const withWebhooks = parse('  beforeStep:\n    - url: https://gate.example.com/fledge?team=a\n  onRollback:\n    - { name: pager, url: "http://127.0.0.1:8080/r", timeout: 2s, retries: 0, metadata: { team: payments } }\n');
    const without = parseDeploymentSpec(VALID_SPEC, 'spec.yaml');

    // Assess
    expect(withWebhooks.ok && withWebhooks.spec.webhooks).toEqual({
      beforeStep: [{ name: 'gate.example.com', url: 'https://gate.example.com/fledge?team=a', timeout: 10, retries: 2 }],
      onRollback: [{ name: 'pager', url: 'http://127.0.0.1:8080/r', timeout: 2, retries: 0, metadata: { team: 'payments' } }],
    });
    expect(without.ok && 'webhooks' in without.spec).toBe(false);
  });

  it.each([
    ['http to another host', '  check:\n    - url: http://gate.example.com/x\n', 'webhooks.check[0].url', /plain http is allowed only to localhost, 127\.0\.0\.1 or \[::1\].*"gate\.example\.com" needs https:\/\//],
    ['a scheme other than https', '  check:\n    - url: ftp://gate.example.com/x\n', 'webhooks.check[0].url', /"ftp:" is not allowed: a webhook URL starts with https:\/\//],
    ['not a URL', '  check:\n    - url: gate.example.com\n', 'webhooks.check[0].url', /"gate\.example\.com" is not a URL/],
    ['credentials in the URL', '  check:\n    - url: https://user:pw@gate.example.com/\n', 'webhooks.check[0].url', /credentials in the URL .* are refused/],
    ['a fragment', '  check:\n    - url: https://gate.example.com/#x\n', 'webhooks.check[0].url', /fragment/],
    ['a timeout over 30s', '  beforeStep:\n    - { url: "https://a.example", timeout: 31s, retries: 0 }\n', 'webhooks.beforeStep[0].timeout', /must be between 1s and 30s, got 31s/],
    ['a timeout under 1s', '  beforeStep:\n    - { url: "https://a.example", timeout: 0 }\n', 'webhooks.beforeStep[0].timeout', /must be between 1s and 30s, got 0s/],
    ['too many retries', '  beforeStep:\n    - { url: "https://a.example", timeout: 1s, retries: 6 }\n', 'webhooks.beforeStep[0].retries', /must be at most 5/],
    ['tries that may last over a minute', '  beforeStep:\n    - { url: "https://a.example", timeout: 30s, retries: 2 }\n', 'webhooks.beforeStep[0].timeout', /3 tries of 30s and 2s between them may take 1m32s; a webhook may hold a deployment step at most 1m/],
    ['a metadata value that is not a string', '  beforeStep:\n    - { url: "https://a.example", metadata: { build: 42 } }\n', 'webhooks.beforeStep[0].metadata.build', /metadata values must be strings: quote it \("42"\)/],
    ['two webhooks with one name', '  check:\n    - url: https://a.example/one\n    - url: https://a.example/two\n', 'webhooks.check[1].url', /two webhooks here are named "a\.example" \(already \[0\]\)/],
    ['an empty point', '  check: []\n', 'webhooks.check', /give at least one webhook, or leave this point out/],
    ['an unknown point', '  beforeStpe:\n    - url: https://a.example\n', 'webhooks.beforeStpe', /unknown key "beforeStpe"; keys here are beforeTraffic, beforeStep, check, beforePromotion, onRollback/],
  ])('refuses %s, naming the field', (_what, webhooks, path, message) => {
    // Act
    const problems = problemsOf(webhooks);

    // Assess
    expect(problems).toEqual([{ path, message: expect.stringMatching(message) }]);
  });
});

describe('webhooks at a point the deployment never reaches', () => {
  it('warns, at the point, that an allAtOnce deployment never calls beforeStep or check webhooks; the spec stays valid', () => {
    // Act
    const result = parseDeploymentSpec(
      ['version: 1', 'function: f', 'alias: live', 'artifact: { zip: a.zip }', 'strategy: { allAtOnce: {} }', 'webhooks:', '  beforeStep: [{ url: "https://a.example" }]', '  check: [{ url: "https://b.example" }]', '  beforePromotion: [{ url: "https://c.example" }]'].join('\n'),
      'spec.yaml',
    );

    // Assess
    expect(result.ok && result.warnings?.map(({ path, message }) => ({ path, message }))).toEqual([
      { path: 'webhooks.beforeStep', message: 'never called: this allAtOnce strategy sets no weight below 100% (the promotion has beforePromotion)' },
      { path: 'webhooks.check', message: 'never called: this allAtOnce strategy has no pause, so no health check runs' },
    ]);
  });
});

describe('the plan of a spec with webhooks', () => {
  it('shows each webhook with where it is called and how often on the planned path, and costs nothing more', () => {
    // Prepare: two weight changes (10%, 50%), 5 checks each, then the promotion.
    const yaml = [
      'version: 1',
      'function: orders-api',
      'alias: live',
      'artifact: { zip: build/orders-api.zip }',
      'strategy: { canary: { steps: [{ setWeight: 10 }, { pause: 5m }, { setWeight: 50 }, { pause: 5m }] } }',
      'health: { minInvocations: 0 }',
      'webhooks:',
      '  beforeStep: [{ name: load-gate, url: "https://gate.example.com/fledge?key=abc" }]',
      '  check: [{ url: "https://metrics.example.com/judge" }]',
      '  beforePromotion: [{ url: "https://release.example.com/ok", timeout: 5s, retries: 1 }]',
      '  onRollback: [{ url: "https://pager.example.com/", retries: 0 }]',
    ].join('\n');
    const parsed = parseDeploymentSpec(yaml, 'spec.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const { webhooks: _webhooks, ...withoutWebhooks } = parsed.spec;

    // Act
    const plan = planDeployment(parsed.spec);
    const printed = formatPlan({ source: 'spec.yaml', spec: parsed.spec, plan, functionExists: true }, styleFor({ isTTY: false }));

    // Assess
    expect(plan.webhooks).toEqual([
      { point: 'beforeStep', name: 'load-gate', host: 'gate.example.com', timeout: 10, retries: 2, calls: 2 },
      { point: 'check', name: 'metrics.example.com', host: 'metrics.example.com', timeout: 10, retries: 2, calls: 10 },
      { point: 'beforePromotion', name: 'release.example.com', host: 'release.example.com', timeout: 5, retries: 1, calls: 1 },
      { point: 'onRollback', name: 'pager.example.com', host: 'pager.example.com', timeout: 10, retries: 0, calls: 0 },
    ]);
    expect(plan.cost).toEqual(planDeployment(withoutWebhooks).cost);
    expect(printed).toMatch(/beforeStep load-gate \(gate\.example\.com\) +before each weight increase, 2 calls +10s, 2 retries/);
    expect(printed).toMatch(/onRollback pager\.example\.com +on a rollback, told only: it cannot stop it +10s, 0 retries/);
    expect(printed).not.toContain('key=abc');
  });
});
