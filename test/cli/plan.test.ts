import { describe, expect, it } from 'vitest';
import { VALID_SPEC } from '../spec/fixtures';
import { runCli, writeSpecs } from './run-cli';

describe('fledge plan', () => {
  it('prints the README quick start timeline for the canary example', () => {
    // Act
    const result = runCli(['plan', 'examples/canary.yaml']);
    // Assess
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Plan for orders-api, alias live (examples/canary.yaml)');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}\+0s {2}Shift 10% of traffic to the new version +██░{18} {2}10%$/),
        expect.stringMatching(/^ {2}\+0s {2}Bake 5m, health check every 30s \(10 checks\) +██░{18} {2}10%$/),
        expect.stringMatching(/^ {2}\+5m {2}Promote: alias live points at the new version +█{20} 100%$/),
        expect.stringMatching(/^Minimum duration {2}5m$/),
        expect.stringMatching(/^Cost {14}39 state transitions, 15 fledge Lambda invocations \(10 health checks\), 0 invocations of your functions: about \$0\.00\d+$/),
      ]),
    );
    expect(result.code).toBe(0);
  });

  it('shows a group: every function it moves, one timeline for all of them, one execution\'s cost', () => {
    // Act
    const result = runCli(['plan', 'examples/group.yaml']);
    // Assess
    const lines = result.stdout.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Group \(lockstep\): 2 functions move together, .*any one failing rolls all back: orders-api:live, orders-worker:live$/),
        expect.stringMatching(/Publish a new version of each of the 2 functions \(all before any traffic moves\)/),
        expect.stringMatching(/^ {2}\+0s {2}Shift 10% of traffic to the new version, on every member +██░{18} {2}10%$/),
        expect.stringMatching(/^ {2}\+5m {2}Promote: every member's alias points at its new version +█{20} 100%$/),
        expect.stringMatching(/^Cost {14}41 state transitions, 16 fledge Lambda invocations/),
        expect.stringMatching(/one execution for the whole group, each task doing the work of 2 functions/),
      ]),
    );
    expect(result.code).toBe(0);
  });

  it('shows an ordered group: each member\'s walk one after another, the total duration and cost of them all', () => {
    // Act
    const result = runCli(['plan', 'examples/group-ordered.yaml']);
    // Assess
    const lines = result.stdout.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Group \(ordered\): 2 functions move one after another, .*: orders-worker:live → orders-api:live$/),
        expect.stringMatching(/^ {2}\+0s {3}orders-worker:live: shift 10% of its traffic to its new version +██░{18} {2}10%$/),
        expect.stringMatching(/^ {2}\+10m {2}orders-worker:live: all its traffic on its new version \(its turn ends; promoted with the group\) +█{20} 100%$/),
        expect.stringMatching(/^ {2}\+10m {2}orders-api:live: shift 10% of its traffic to its new version +██░{18} {2}10%$/),
        expect.stringMatching(/^ {2}\+20m {2}Promote: the last member's alias points at its new version; every member recorded promoted +█{20} 100%$/),
        expect.stringMatching(/^Minimum duration {2}20m$/),
        expect.stringMatching(/^Cost {14}77 state transitions, 29 fledge Lambda invocations \(20 health checks\)/),
      ]),
    );
    expect(result.code).toBe(0);
  });

  it('draws rising traffic for a linear example', () => {
    // Act
    const result = runCli(['plan', 'examples/linear.yaml']);
    // Assess
    const bars = result.stdout.split('\n').flatMap((line) => /(\d+)%$/.exec(line)?.[1] ?? []).map(Number);
    expect([...new Set(bars)]).toEqual([0, 20, 40, 60, 80, 100]);
    expect(result.stdout).toMatch(/Minimum duration {2}12m/);
    expect(result.code).toBe(0);
  });

  it('says how long approvals may add to the minimum', () => {
    // Act
    const result = runCli(['plan', 'examples/canary-approval.yaml']);
    // Assess
    expect(result.stdout).toMatch(/\+10m {2}Wait for approval \(up to 2h: "Check the payments dashboard/);
    expect(result.stdout).toMatch(/Minimum duration {2}35m \(plus the time the approval takes\)/);
    expect(result.code).toBe(0);
  });

  it('plans a first deployment as create, publish, then all traffic', () => {
    // Act
    const result = runCli(['plan', 'examples/new-function.yaml', '--first-deployment', '--output', 'json']);
    // Assess
    const output = JSON.parse(result.stdout);
    expect(output.functionExists).toBe(false);
    expect(output.plan.actions.map((planned: { action: { kind: string } }) => planned.action.kind)).toEqual([
      'prepare',
      'createFunction',
      'publishVersion',
      'smokeTest',
      'promote',
      'cleanup',
    ]);
    expect(output.plan.trafficSteps).toEqual([{ type: 'setWeight', percent: 100 }]);
    expect(result.code).toBe(0);
  });

  it('says under the plan that a canary changing the role may stop before traffic moves', () => {
    // Act
    const text = runCli(['plan', 'examples/new-function.yaml']);
    const json = runCli(['plan', 'examples/new-function.yaml', '-o', 'json']);

    // Assess
    expect(text.stdout).toMatch(/^warning: examples\/new-function\.yaml:\d+:\d+ {2}configuration\.role {2}.*allAtOnce or blueGreen/m);
    expect(text.code).toBe(0);
    expect(JSON.parse(json.stdout).warnings).toEqual([expect.objectContaining({ path: 'configuration.role' })]);
  });

  it('prints the plan as JSON for machines', () => {
    // Act
    const result = runCli(['plan', 'examples/blue-green.yaml', '-o', 'json']);
    // Assess
    expect(JSON.parse(result.stdout)).toMatchObject({
      source: 'examples/blue-green.yaml',
      functionExists: true,
      plan: { minimumDuration: 0, cost: { stateTransitions: 9, lambdaInvocations: 5, userInvocations: 2, healthChecks: 0 } },
    });
    expect(result.code).toBe(0);
  });

  it('refuses a first deployment the spec cannot create, naming what is missing', () => {
    // Act
    const result = runCli(['plan', 'examples/canary.yaml', '--first-deployment']);
    // Assess
    expect(result.stdout).toMatch(/examples\/canary.yaml:\d+:1 {2}\(spec\) {2}function "orders-api" does not exist yet.*configuration.role/);
    expect(result.code).toBe(1);
  });

  it('lists the problems of an invalid spec and exits 1', () => {
    // Prepare
    const { 'spec.yaml': path } = writeSpecs({ 'spec.yaml': VALID_SPEC.replace('Canary10Percent5Minutes', 'Canary10Percent5Minute') });
    // Act
    const result = runCli(['plan', path!]);
    // Assess
    expect(result.stdout).toMatch(/:7:11 {2}strategy\.preset {2}unknown preset "Canary10Percent5Minute".*\(did you mean "Canary10Percent5Minutes"\?\)/);
    expect(result.stdout).not.toContain('Minimum duration');
    expect(result.code).toBe(1);
  });

  it('exits 2 when the spec file is missing', () => {
    // Act
    const result = runCli(['plan', 'examples/missing.yaml']);
    // Assess
    expect(result.stderr).toContain('cannot read spec "examples/missing.yaml": no such file');
    expect(result.code).toBe(2);
  });

  it('explains itself with --help, examples included', () => {
    // Act
    const result = runCli(['plan', '--help']);
    // Assess
    expect(result.stdout).toMatch(/Usage: fledge plan \[options\] <spec>/);
    expect(result.stdout).toContain('--first-deployment');
    expect(result.stdout).toContain('$ fledge plan examples/canary.yaml');
    expect(result.code).toBe(0);
  });

  it('lists validate and plan in the top-level help and prints its version', () => {
    // Act
    const help = runCli(['--help']);
    const version = runCli(['--version']);
    // Assess
    expect(help.stdout).toMatch(/validate \[options\] <spec>/);
    expect(help.stdout).toMatch(/plan \[options\] <spec>/);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(version.code).toBe(0);
  });
});
