import { describe, expect, it } from 'vitest';
import { FledgeError } from '../../shared/model/errors';
import { SpecInvalidError } from '../../shared/domain/spec/errors';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { SpecProblem } from '../../shared/model/spec';
import { VALID_SPEC, lines } from './fixtures';

function problemsOf(text: string, options = {}): readonly SpecProblem[] {
  const result = parseDeploymentSpec(text, 'spec.yaml', options);
  if (result.ok) throw new Error('expected the spec to be invalid');
  return result.problems;
}

describe('parseDeploymentSpec on valid specs', () => {
  it('normalises a preset canary spec and fills in every default', () => {
    // Act
    const result = parseDeploymentSpec(VALID_SPEC, 'spec.yaml');
    // Assess
    expect(result).toEqual({
      ok: true,
      source: 'spec.yaml',
      spec: {
        version: 1,
        function: { name: 'orders-api' },
        alias: 'live',
        artifact: { kind: 'zip', key: 'build/orders-api.zip' },
        strategy: {
          kind: 'canary',
          preset: 'Canary10Percent5Minutes',
          steps: [
            { type: 'setWeight', percent: 10 },
            { type: 'pause', duration: 300 },
          ],
        },
        // No error-rate rule: each pause still needs 10 invocations of the new version, and without
        // approval steps a pause short of them is extended, then rolled back.
        health: { alarms: ['orders-api-p99-latency'], checkInterval: 60, minInvocations: 10, onInsufficientData: { action: 'extend', then: 'rollback' } },
        hooks: {},
        approval: { timeout: 3600 },
        timeout: 1800,
      },
    });
  });

  it('reads the same spec written as JSON', () => {
    // Prepare
    const json = JSON.stringify({
      version: 1,
      function: 'orders-api',
      alias: 'live',
      artifact: { zip: 'build/orders-api.zip' },
      strategy: { preset: 'Canary10Percent5Minutes' },
      health: { alarms: ['orders-api-p99-latency'] },
    });
    // Act
    const fromJson = parseDeploymentSpec(json, 'spec.json');
    const fromYaml = parseDeploymentSpec(VALID_SPEC, 'spec.json');
    // Assess
    expect(fromJson).toEqual(fromYaml);
  });

  it('splits a function ARN into name, region and account', () => {
    // Act
    const result = parseDeploymentSpec(
      VALID_SPEC.replace('function: orders-api', 'function: arn:aws:lambda:eu-west-1:123456789012:function:orders-api'),
      'spec.yaml',
    );
    // Assess
    expect(result.ok && result.spec.function).toEqual({
      name: 'orders-api',
      arn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-api',
      region: 'eu-west-1',
      accountId: '123456789012',
    });
  });

  it('reads s3:// zips with a pinned object version and every duration form', () => {
    // Prepare
    const text = lines(
      'version: 1',
      'function: orders-api',
      'alias: live',
      'artifact: { zip: s3://acme-builds/orders/1.2.zip, objectVersion: abc123 }',
      'configuration: { timeout: 90, memorySize: 512, environment: { LOG_LEVEL: info } }',
      'strategy:',
      '  canary:',
      '    steps: [{setWeight: 10}, {pause: 1h30m}, {approval: }, {setWeight: 50}, {pause: 600}, {approval: {timeout: 2h, message: go?}}]',
      'health: { checkInterval: 30s, errorRate: { threshold: 2.5 } }',
      'approval: { timeout: 45m, message: Looks good? }',
      'timeout: 1d',
    );
    // Act
    const result = parseDeploymentSpec(text, 'spec.yaml');
    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.artifact).toEqual({ kind: 'zip', bucket: 'acme-builds', key: 'orders/1.2.zip', versionId: 'abc123' });
    expect(result.spec.configuration).toEqual({ timeout: 90, memorySize: 512, environment: { LOG_LEVEL: 'info' } });
    expect(result.spec.strategy).toEqual({
      kind: 'canary',
      steps: [
        { type: 'setWeight', percent: 10 },
        { type: 'pause', duration: 5400 },
        { type: 'approval', timeout: 2700, message: 'Looks good?' },
        { type: 'setWeight', percent: 50 },
        { type: 'pause', duration: 600 },
        { type: 'approval', timeout: 7200, message: 'go?' },
      ],
    });
    expect(result.spec.health).toEqual({ alarms: [], checkInterval: 30, errorRate: { thresholdPercent: 2.5, minInvocations: 10 }, minInvocations: 10, onInsufficientData: { action: 'extend', then: 'pause' } });
    expect(result.spec.timeout).toBe(86_400);
  });

  it('reads a blue/green spec with an image and a smoke test expecting an exact answer', () => {
    // Prepare
    const text = lines(
      'version: 1',
      'function: pricing',
      'alias: live',
      'artifact: { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/pricing:2.4.0" }',
      'strategy: { blueGreen: }',
      'health:',
      '  smokeTest: { payload: { ping: 1 }, expect: { exact: { pong: 1 } } }',
    );
    // Act
    const result = parseDeploymentSpec(text, 'spec.yaml');
    // Assess
    expect(result.ok && result.spec.strategy).toEqual({ kind: 'blueGreen' });
    expect(result.ok && result.spec.health.smokeTest).toEqual({ payload: { ping: 1 }, expect: { match: 'exact', value: { pong: 1 } } });
    expect(result.ok && result.spec.artifact).toEqual({ kind: 'image', imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/pricing:2.4.0' });
  });

  it('requires by default as many invocations per pause as the error rate needs to be judged', () => {
    // Act
    const result = parseDeploymentSpec(`${VALID_SPEC}  errorRate: { threshold: 5, minInvocations: 40 }\n`, 'spec.yaml');
    // Assess
    expect(result.ok && result.spec.health).toMatchObject({ errorRate: { thresholdPercent: 5, minInvocations: 40 }, minInvocations: 40, onInsufficientData: { action: 'extend', then: 'rollback' } });
  });

  it('reads the evidence a pause needs and what to do without it', () => {
    // Prepare
    const extend = `${VALID_SPEC}  errorRate: { threshold: 5, minInvocations: 20 }\n  minInvocations: 50\n  onInsufficientData: extend\n  maxExtension: 10m\ntimeout: 1h\n`;
    const pause = `${VALID_SPEC}  minInvocations: 3\n  onInsufficientData: pause\n`;
    const none = `${VALID_SPEC}  minInvocations: 0\n`;
    // Act
    const results = [extend, pause, none].map((text) => parseDeploymentSpec(text, 'spec.yaml'));
    // Assess
    expect(results.map((result) => result.ok && { minInvocations: result.spec.health.minInvocations, onInsufficientData: result.spec.health.onInsufficientData })).toEqual([
      { minInvocations: 50, onInsufficientData: { action: 'extend', maxExtension: 600, then: 'rollback' } },
      { minInvocations: 3, onInsufficientData: { action: 'pause' } },
      { minInvocations: 0, onInsufficientData: { action: 'extend', then: 'rollback' } },
    ]);
  });

  it('reads a final bake, and leaves it out when not written', () => {
    // Act
    const baked = parseDeploymentSpec(`${VALID_SPEC}finalBake: 20m\n`, 'spec.yaml');
    const plain = parseDeploymentSpec(VALID_SPEC, 'spec.yaml');
    // Assess
    expect(baked.ok && baked.spec.finalBake).toBe(1200);
    expect(plain.ok && 'finalBake' in plain.spec).toBe(false);
  });

  it('reads the undo window of cleanup, one day when not written', () => {
    // Act
    const written = parseDeploymentSpec(`${VALID_SPEC}cleanup: { keepVersions: 2, undoWindow: 3d }\n`, 'spec.yaml');
    const defaulted = parseDeploymentSpec(`${VALID_SPEC}cleanup: { keepVersions: 2 }\n`, 'spec.yaml');
    // Assess
    expect(written.ok && written.spec.cleanup).toEqual({ keepVersions: 2, undoWindow: 3 * 86_400 });
    expect(defaulted.ok && defaulted.spec.cleanup).toEqual({ keepVersions: 2, undoWindow: 86_400 });
  });

  it('accepts bytes with a UTF-8 byte order mark', () => {
    // Prepare
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(VALID_SPEC)]);
    // Act
    const result = parseDeploymentSpec(bytes, 'spec.yaml');
    // Assess
    expect(result.ok).toBe(true);
  });
});

describe('parseDeploymentSpec reports each problem with its path and position', () => {
  // Each case: the spec, then the problem expected (path, line, column, words of the message).
  const cases: [string, string, { path: string; line: number; column: number; message: RegExp; suggestion?: string }][] = [
    ['a missing required key', VALID_SPEC.replace('alias: live\n', ''), { path: 'alias', line: 1, column: 1, message: /is required/ }],
    ['an unsupported version', VALID_SPEC.replace('version: 1', 'version: 2'), { path: 'version', line: 1, column: 10, message: /unsupported spec version 2/ }],
    [
      'an unknown top-level key',
      `${VALID_SPEC}timeuot: 40m\n`,
      { path: 'timeuot', line: 10, column: 1, message: /unknown key "timeuot"/, suggestion: 'timeout' },
    ],
    [
      'an unknown key in a step',
      lines(...VALID_SPEC.split('\n').slice(0, 5), 'strategy:', '  canary:', '    steps:', '      - setWeight: 10', '      - pause: 5m', '      - setWeigth: 50'),
      { path: 'strategy.canary.steps[2].setWeigth', line: 11, column: 9, message: /unknown key/, suggestion: 'setWeight' },
    ],
    [
      'weights that do not rise',
      lines(...VALID_SPEC.split('\n').slice(0, 5), 'strategy:', '  canary:', '    steps:', '      - setWeight: 50', '      - pause: 5m', '      - setWeight: 20'),
      { path: 'strategy.canary.steps[2].setWeight', line: 11, column: 20, message: /weights must rise strictly: 20 is not above 50/ },
    ],
    [
      'a weight above 100',
      lines(...VALID_SPEC.split('\n').slice(0, 5), 'strategy:', '  canary:', '    steps:', '      - setWeight: 150', '      - pause: 5m'),
      { path: 'strategy.canary.steps[0].setWeight', line: 9, column: 20, message: /at most 100/ },
    ],
    [
      'a step doing two things',
      lines(...VALID_SPEC.split('\n').slice(0, 5), 'strategy:', '  canary:', '    steps:', '      - { setWeight: 10, pause: 5m }'),
      { path: 'strategy.canary.steps[0]', line: 9, column: 9, message: /a step does one thing/ },
    ],
    [
      'a duration that is not one',
      lines(...VALID_SPEC.split('\n').slice(0, 5), 'strategy:', '  canary:', '    steps:', '      - setWeight: 10', '      - pause: 5 minutes'),
      { path: 'strategy.canary.steps[1].pause', line: 10, column: 16, message: /expected a duration/ },
    ],
    [
      'a function name with a qualifier',
      VALID_SPEC.replace('function: orders-api', 'function: orders-api:live'),
      { path: 'function', line: 2, column: 11, message: /qualifiers/ },
    ],
    [
      'a qualified function ARN',
      VALID_SPEC.replace('function: orders-api', 'function: arn:aws:lambda:us-east-1:123456789012:function:orders-api:$LATEST'),
      { path: 'function', line: 2, column: 11, message: /must not carry a qualifier/ },
    ],
    ['an alias of $LATEST', VALID_SPEC.replace('alias: live', 'alias: $LATEST'), { path: 'alias', line: 3, column: 8, message: /can never be a deployment target/ }],
    ['an alias made of digits', VALID_SPEC.replace('alias: live', 'alias: "42"'), { path: 'alias', line: 3, column: 8, message: /version number/ }],
    [
      'both zip and image',
      VALID_SPEC.replace('  zip: build/orders-api.zip', '  zip: build/orders-api.zip\n  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/o:1'),
      { path: 'artifact.image', line: 6, column: 10, message: /exactly one of "zip" or "image"/ },
    ],
    [
      'neither zip nor image',
      VALID_SPEC.replace('  zip: build/orders-api.zip', '  objectVersion: abc'),
      { path: 'artifact', line: 5, column: 3, message: /exactly one of "zip"/ },
    ],
    [
      'a relative zip path escaping the spec folder',
      VALID_SPEC.replace('build/orders-api.zip', '../other/x.zip'),
      { path: 'artifact.zip', line: 5, column: 8, message: /stays inside the spec's folder/ },
    ],
    [
      'an unknown preset',
      VALID_SPEC.replace('Canary10Percent5Minutes', 'Canary10Percent5Minute'),
      { path: 'strategy.preset', line: 7, column: 11, message: /unknown preset/, suggestion: 'Canary10Percent5Minutes' },
    ],
    [
      'two strategies',
      VALID_SPEC.replace('  preset: Canary10Percent5Minutes', '  preset: AllAtOnce\n  allAtOnce: {}'),
      { path: 'strategy', line: 7, column: 3, message: /choose exactly one strategy/ },
    ],
    [
      'an error-rate threshold of 0',
      `${VALID_SPEC}  errorRate: { threshold: 0 }\n`,
      { path: 'health.errorRate.threshold', line: 10, column: 27, message: /greater than 0/ },
    ],
    [
      'minInvocations below 1',
      `${VALID_SPEC}  errorRate: { threshold: 5, minInvocations: 0 }\n`,
      { path: 'health.errorRate.minInvocations', line: 10, column: 46, message: /at least 1/ },
    ],
    [
      'a negative minInvocations',
      `${VALID_SPEC}  minInvocations: -1\n`,
      { path: 'health.minInvocations', line: 10, column: 19, message: /must be 0 \(no evidence needed\) or more/ },
    ],
    [
      'a fractional minInvocations',
      `${VALID_SPEC}  minInvocations: 2.5\n`,
      { path: 'health.minInvocations', line: 10, column: 19, message: /whole number/ },
    ],
    [
      'an unknown onInsufficientData',
      `${VALID_SPEC}  onInsufficientData: promote\n`,
      { path: 'health.onInsufficientData', line: 10, column: 23, message: /expected one of "extend", "pause", "rollback", got "promote"/ },
    ],
    [
      'a maxExtension under 10 seconds',
      `${VALID_SPEC}  maxExtension: 5s\n`,
      { path: 'health.maxExtension', line: 10, column: 17, message: /between 10s and 7d/ },
    ],
    [
      'a minInvocations below the error rate\'s own floor',
      `${VALID_SPEC}  errorRate: { threshold: 5, minInvocations: 20 }\n  minInvocations: 5\n`,
      { path: 'health.minInvocations', line: 11, column: 19, message: /5 is below health\.errorRate\.minInvocations \(20\): a pause could move on before the error rate of the new version was ever judged/ },
    ],
    [
      'a minInvocations below the error rate\'s default floor',
      `${VALID_SPEC}  errorRate: { threshold: 5 }\n  minInvocations: 3\n`,
      { path: 'health.minInvocations', line: 11, column: 19, message: /3 is below health\.errorRate\.minInvocations \(10, the default\)/ },
    ],
    [
      'a maxExtension without extend',
      `${VALID_SPEC}  onInsufficientData: rollback\n  maxExtension: 5m\n`,
      { path: 'health.maxExtension', line: 11, column: 17, message: /only applies with "onInsufficientData: extend"; this spec says "rollback"/ },
    ],
    [
      'an onInsufficientData when no evidence is needed',
      `${VALID_SPEC}  minInvocations: 0\n  onInsufficientData: pause\n`,
      { path: 'health.onInsufficientData', line: 11, column: 23, message: /has no effect with "minInvocations: 0"/ },
    ],
    ['keepVersions below 1', `${VALID_SPEC}cleanup: { keepVersions: 0 }\n`, { path: 'cleanup.keepVersions', line: 10, column: 26, message: /at least 1/ }],
    ['a final bake under 10 seconds', `${VALID_SPEC}finalBake: 5s\n`, { path: 'finalBake', line: 10, column: 12, message: /between 10s and 7d/ }],
    ['a final bake shorter than the check interval', `${VALID_SPEC}finalBake: 30s\n`, { path: 'finalBake', line: 10, column: 12, message: /a pause of 30s is shorter than the default health.checkInterval \(1m\)/ }],
    ['a final bake the timeout does not cover', `${VALID_SPEC}finalBake: 30m\ntimeout: 30m\n`, { path: 'timeout', line: 11, column: 10, message: /shorter than its pauses plus 1m for the work around them \(36m\)/ }],
    ['an undo window beyond 90 days', `${VALID_SPEC}cleanup: { keepVersions: 1, undoWindow: 91d }\n`, { path: 'cleanup.undoWindow', line: 10, column: 41, message: /between 15m and 90d/ }],
    [
      'a check interval under 10 seconds',
      `${VALID_SPEC}  checkInterval: 5s\n`,
      { path: 'health.checkInterval', line: 10, column: 18, message: /between 10s and 1h/ },
    ],
    [
      'an armed check interval denser than the check interval',
      `${VALID_SPEC}  armedCheckInterval: 30s\n`,
      { path: 'health.armedCheckInterval', line: 10, column: 23, message: /30s is shorter than the default health.checkInterval \(1m\): checks while the abort is armed are sparser/ },
    ],
    [
      'an armed check interval with no alarm to arm the abort',
      lines(...VALID_SPEC.split('\n').slice(0, 8), '  armedCheckInterval: 1h'),
      { path: 'health.armedCheckInterval', line: 9, column: 23, message: /applies only while alarms gate the deployment/ },
    ],
    [
      'a pause shorter than the check interval',
      lines(...VALID_SPEC.split('\n').slice(0, 5), 'strategy:', '  canary:', '    steps:', '      - setWeight: 10', '      - pause: 30s'),
      { path: 'strategy.canary.steps[1].pause', line: 10, column: 16, message: /shorter than the default health.checkInterval/ },
    ],
    [
      'a timeout shorter than the pauses and approvals',
      lines(...VALID_SPEC.split('\n').slice(0, 5), 'strategy:', '  canary:', '    steps: [{setWeight: 10}, {pause: 20m}, {approval: {timeout: 1h}}]', 'timeout: 45m'),
      { path: 'timeout', line: 9, column: 10, message: /set "timeout: 1h21m" or more/ },
    ],
    [
      'blue/green without a smoke test',
      VALID_SPEC.replace('preset: Canary10Percent5Minutes', 'blueGreen: {}'),
      { path: 'strategy.blueGreen', line: 7, column: 14, message: /needs "health.smokeTest"/ },
    ],
    [
      'an environment value that is not a string',
      `${VALID_SPEC}configuration:\n  environment:\n    PORT: 8080\n`,
      { path: 'configuration.environment.PORT', line: 12, column: 11, message: /quote it \("8080"\)/ },
    ],
    [
      'a reserved environment variable',
      `${VALID_SPEC}configuration:\n  environment:\n    AWS_REGION: eu-west-1\n`,
      { path: 'configuration.environment.AWS_REGION', line: 12, column: 17, message: /reserved by Lambda/ },
    ],
    [
      'a misspelt runtime',
      `${VALID_SPEC}configuration: { runtime: nodejs22 }\n`,
      { path: 'configuration.runtime', line: 10, column: 27, message: /not a supported Lambda runtime/, suggestion: 'nodejs22.x' },
    ],
    [
      'a handler on an image function',
      VALID_SPEC.replace('zip: build/orders-api.zip', 'image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/o:1') + 'configuration: { handler: index.handler }\n',
      { path: 'configuration.handler', line: 10, column: 27, message: /container image functions take no "handler"/ },
    ],
    [
      'an image without a tag',
      VALID_SPEC.replace('zip: build/orders-api.zip', 'image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/orders'),
      { path: 'artifact.image', line: 5, column: 10, message: /no tag or digest/ },
    ],
    ['a wrong type', VALID_SPEC.replace('alarms: [orders-api-p99-latency]', 'alarms: orders-api-p99-latency'), { path: 'health.alarms', line: 9, column: 11, message: /expected a list, got the string/ }],
  ];

  it.each(cases)('reports %s', (_name, text, expected) => {
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toContainEqual(expect.objectContaining({ ...expected, message: expect.stringMatching(expected.message) }));
  });

  it('reports every problem at once, sorted by position', () => {
    // Prepare
    const text = lines(
      'version: 1',
      'function: orders api',
      'alias: $LATEST',
      'artifact: { zip: build/x.zip }',
      'strategy:',
      '  canary:',
      '    steps: [{setWeight: 20}, {pause: 5m}, {setWeight: 10}, {setWeigth: 50}]',
      'helth: {}',
    );
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems.map((problem) => [problem.path, problem.line])).toEqual([
      ['function', 2],
      ['alias', 3],
      ['strategy.canary.steps[2].setWeight', 7],
      ['strategy.canary.steps[3].setWeigth', 7],
      ['helth', 8],
    ]);
    expect(problems.at(-1)?.suggestion).toBe('health');
  });

  it('requires role, runtime and handler when the function does not exist yet', () => {
    // Act
    const problems = problemsOf(VALID_SPEC, { functionExists: false });
    // Assess
    expect(problems).toEqual([
      expect.objectContaining({ path: '', line: 1, column: 1, message: expect.stringMatching(/configuration.role, configuration.runtime, configuration.handler are required/) }),
    ]);
  });

  it('points at the key of a mapping left empty', () => {
    // Prepare
    const text = VALID_SPEC.replace('  zip: build/orders-api.zip\n', '').replace('artifact:', 'artifact:');
    // Act
    const problems = problemsOf(text);
    // Assess
    expect(problems).toContainEqual(expect.objectContaining({ path: 'artifact', line: 4, message: 'expected a mapping (key: value), got nothing (null)' }));
  });
});

describe('SpecInvalidError', () => {
  it('carries every problem and names the first one with its place', () => {
    // Prepare
    const result = parseDeploymentSpec(VALID_SPEC.replace('alias: live', 'alias: $LATEST').replace('version: 1', 'version: 9'), 's3://bucket/deploy.yaml');
    if (result.ok) throw new Error('expected problems');
    // Act
    const error = new SpecInvalidError(result.source, result.problems);
    // Assess
    expect(error).toBeInstanceOf(FledgeError);
    expect(error.code).toBe('SpecInvalid');
    expect(error.problems).toHaveLength(2);
    expect(error.message).toBe('invalid deployment spec s3://bucket/deploy.yaml:1:10: version: unsupported spec version 9: this fledge reads version 1 (and 1 more problem)');
  });
});

describe('keys YAML reads as numbers that are not finite', () => {
  it.each(['? .nan', '.inf: 1', 'version: 1\n-.INF: x'])('refuses %j naming the key as written, never as NaN or Infinity', (text) => {
    // Act
    const result = parseDeploymentSpec(text, 'spec.yaml');

    // Assess
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.problems.map((problem) => problem.message);
    expect(messages.some((message) => /reads as a number that is not finite: keys must be plain words/.test(message))).toBe(true);
    expect(messages.join('\n')).not.toMatch(/\bNaN\b|\bInfinity\b/);
  });
});
