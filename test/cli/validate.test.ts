import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VALID_SPEC } from '../spec/fixtures';
import { runCli, writeSpecs } from './run-cli';

const EXAMPLES = readdirSync(new URL('../../examples', import.meta.url)).filter((name) => /\.(ya?ml|json)$/.test(name));

describe('fledge validate', () => {
  it('ships at least the five documented examples', () => {
    // Assess
    expect(EXAMPLES).toEqual(expect.arrayContaining(['canary.yaml', 'canary-approval.yaml', 'linear.yaml', 'blue-green.yaml', 'new-function.yaml']));
  });

  it.each(EXAMPLES)('accepts examples/%s and exits 0', (name) => {
    // Act
    const result = runCli(['validate', `examples/${name}`]);
    // Assess
    expect(result.stdout).toContain(`examples/${name}: valid`);
    expect(result.code).toBe(0);
  });

  it('accepts the new-function example as a first deployment', () => {
    // Act
    const result = runCli(['validate', '--first-deployment', 'examples/new-function.yaml']);
    // Assess
    expect(result.code).toBe(0);
  });

  // Each class of bad input: the file, then what the output line must hold (file:line:col  path  message).
  const bad: [string, string | Uint8Array, RegExp][] = [
    ['an unknown key', `${VALID_SPEC}  checkIntervl: 30s\n`, /:10:3 {2}health\.checkIntervl {2}unknown key "checkIntervl".*\(did you mean "checkInterval"\?\)/],
    [
      'weights that do not rise',
      VALID_SPEC.replace('  preset: Canary10Percent5Minutes', '  canary:\n    steps:\n      - setWeight: 50\n      - pause: 5m\n      - setWeight: 40\n      - pause: 5m'),
      /:11:20 {2}strategy\.canary\.steps\[2\]\.setWeight {2}weights must rise strictly/,
    ],
    ['a bad function name', VALID_SPEC.replace('function: orders-api', 'function: orders api'), /:2:11 {2}function {2}"orders api" is not a Lambda function name/],
    ['$LATEST as the alias', VALID_SPEC.replace('alias: live', "alias: '$LATEST'"), /:3:8 {2}alias {2}"\$LATEST" is not an alias and can never be a deployment target/],
    ['too short a timeout', `${VALID_SPEC}timeout: 2m\n`, /:10:10 {2}timeout {2}the deployment timeout \(2m\) is shorter than its pauses/],
    ['zip and image together', VALID_SPEC.replace('  zip: build/orders-api.zip', '  zip: a.zip\n  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1'), /:6:10 {2}artifact\.image {2}give exactly one of "zip" or "image"/],
    ['a size over the limit', `${VALID_SPEC}#${'x'.repeat(300 * 1024)}\n`, /:1:1 {2}\(spec\) {2}the spec is \d+ bytes; the limit is 262144 bytes/],
    ['an alias bomb', `${VALID_SPEC}x: &a [1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n`, /:11:8 {2}y\[0\] {2}YAML aliases expand too much/],
    ['a custom tag', VALID_SPEC.replace('alias: live', 'alias: !ref LiveAlias'), /:3:8 {2}alias {2}YAML tags are not accepted \(found !ref\)/],
    ['a duplicate key', `${VALID_SPEC}alias: other\n`, /:10:1 {2}alias {2}duplicate key "alias": it is already given at line 3, column 1/],
    ['one of fledge\'s own functions', VALID_SPEC.replace('function: orders-api', 'function: fledge-prod-traffic'), /:2:11 {2}function {2}"fledge-prod-traffic" is fledge's own traffic function \(of stage "prod"\)/],
    ['nesting beyond the limit', `${VALID_SPEC}  smokeTest:\n    payload: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /:11:35 {2}health\.smokeTest\.payload(\[0\])+ {2}mappings and lists nest more than 24 levels/],
    ['bytes that are not UTF-8', new Uint8Array([...new TextEncoder().encode('version: 1\nalias: li'), 0xc3, 0x28, 0x0a]), /:2:10 {2}\(spec\) {2}the file is not valid UTF-8/],
    ['several documents', `${VALID_SPEC}---\nversion: 1\n`, /:10:1 {2}\(spec\) {2}the file holds several YAML documents/],
    ['a top level that is a list', '- version: 1\n', /:1:1 {2}\(spec\) {2}the spec must be a mapping/],
  ];

  it.each(bad)('refuses %s: exit 1, with file, line, column, path and message', (_name, content, line) => {
    // Prepare
    const { 'spec.yaml': path } = writeSpecs({ 'spec.yaml': content });
    // Act
    const result = runCli(['validate', path!]);
    // Assess
    expect(result.stdout).toMatch(line);
    expect(result.stdout).toContain(`${path}:`);
    expect(result.stdout).toMatch(/problems?; the spec is not valid/);
    expect(result.code).toBe(1);
  });

  it('lists every problem at once, one line each', () => {
    // Prepare
    const { 'spec.yaml': path } = writeSpecs({ 'spec.yaml': VALID_SPEC.replace('alias: live', 'alias: "7"').replace('version: 1', 'version: 3') + 'timeuot: 1h\n' });
    // Act
    const result = runCli(['validate', path!]);
    // Assess
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/:1:10 {2}version {2}unsupported spec version 3/),
      expect.stringMatching(/:3:8 {2}alias {2}"7" is a version number/),
      expect.stringMatching(/:10:1 {2}timeuot {2}unknown key "timeuot".*\(did you mean "timeout"\?\)$/),
      expect.stringMatching(/3 problems; the spec is not valid$/),
    ]);
    expect(result.code).toBe(1);
  });

  it('prints machine-readable problems with --output json', () => {
    // Prepare
    const { 'spec.yaml': path } = writeSpecs({ 'spec.yaml': `${VALID_SPEC}  checkIntervl: 30s\n` });
    // Act
    const result = runCli(['validate', path!, '--output', 'json']);
    // Assess
    expect(JSON.parse(result.stdout)).toEqual({
      valid: false,
      source: path,
      problems: [
        {
          path: 'health.checkIntervl',
          line: 10,
          column: 3,
          message: expect.stringContaining('unknown key "checkIntervl"'),
          suggestion: 'checkInterval',
        },
      ],
    });
    expect(result.code).toBe(1);
  });

  it('prints the normalised spec with --output json when valid', () => {
    // Act
    const result = runCli(['validate', 'examples/canary.yaml', '-o', 'json']);
    // Assess
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, source: 'examples/canary.yaml', spec: { function: { name: 'orders-api' }, strategy: { preset: 'Canary10Percent5Minutes' } } });
    expect(result.code).toBe(0);
  });

  it('warns, located, that a canary changing the role may stop before traffic moves, and still exits 0', () => {
    // Act: later deployments of the new-function example run its canary with its role.
    const text = runCli(['validate', 'examples/new-function.yaml']);
    const json = runCli(['validate', 'examples/new-function.yaml', '-o', 'json']);
    const first = runCli(['validate', '--first-deployment', 'examples/new-function.yaml']);

    // Assess
    expect(text.stdout).toContain('examples/new-function.yaml: valid');
    expect(text.stdout).toMatch(/^warning: examples\/new-function\.yaml:\d+:\d+ {2}configuration\.role {2}a canary strategy splits the alias .*same execution role.*allAtOnce or blueGreen/m);
    expect(text.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, warnings: [{ path: 'configuration.role', message: expect.stringContaining('fledge.IncompatibleVersions') }] });
    expect(first.stdout).not.toContain('warning:');
  });

  it('reads the spec from standard input when given -', () => {
    // Act
    const result = runCli(['validate', '-'], { input: VALID_SPEC });
    // Assess
    expect(result.stdout).toContain('-: valid');
    expect(result.code).toBe(0);
  });

  it('adds colour only when NO_COLOR is unset and stdout is a terminal', () => {
    // Prepare
    const { 'spec.yaml': path } = writeSpecs({ 'spec.yaml': `${VALID_SPEC}x: 1\n` });
    // Act: stdout is a pipe here, so even without NO_COLOR there must be no escape codes.
    const result = runCli(['validate', path!], { env: { NO_COLOR: '' } });
    // Assess
    expect(result.stdout).not.toContain('\u001b[');
    expect(result.code).toBe(1);
  });

  it.each([
    ['a missing file', ['validate', 'no/such/spec.yaml'], /cannot read spec "no\/such\/spec.yaml": no such file/],
    ['a directory', ['validate', 'examples'], /cannot read spec "examples": it is a directory/],
    ['no spec argument', ['validate'], /missing required argument 'spec'/],
    ['an unknown option', ['validate', 'examples/canary.yaml', '--strict'], /unknown option '--strict'/],
    ['an unknown output format', ['validate', 'examples/canary.yaml', '--output', 'xml'], /Allowed choices are table, text, json, yaml/],
  ])('exits 2 on a usage error: %s', (_name, args, message) => {
    // Act
    const result = runCli(args);
    // Assess
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });

  it('explains itself with --help, examples included', () => {
    // Act
    const result = runCli(['validate', '--help']);
    // Assess
    expect(result.stdout).toMatch(/Usage: fledge validate \[options\] <spec>/);
    expect(result.stdout).toContain('--output <format>');
    expect(result.stdout).toContain('$ fledge validate examples/canary.yaml');
    expect(result.code).toBe(0);
  });
});
