import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, specJsonSchemaText } from '../../scripts/schema/generate';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { VALID_SPEC } from './fixtures';

// Issue 18: the spec's JSON Schema is generated from the validator's own zod schema
// (scripts/schema/generate.ts), shipped in the package, and named by every example. It must accept
// every spec the validator accepts, and refuse what the validator refuses wherever JSON Schema can
// say it; the rules it cannot say are listed below, each still refused by the validator.

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const schemaText = readFileSync(join(ROOT, SCHEMA_FILE), 'utf8');
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(schemaText) as object);

function examples(dir = join(ROOT, 'examples')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return examples(path);
    // Specs only: the adoption examples also hold a SAM template and a serverless.yml.
    return /\.ya?ml$/.test(name) && /^version: 1$/m.test(readFileSync(path, 'utf8')) ? [path] : [];
  });
}

const spec = (replace: string, by: string): string => {
  if (!VALID_SPEC.includes(replace)) throw new Error(`the fixture has no ${replace}`);
  return VALID_SPEC.replace(replace, by);
};
const withStrategy = (strategy: string): string => spec('strategy:\n  preset: Canary10Percent5Minutes\n', `strategy: ${strategy}\n`);

/** Specs the validator refuses and the JSON Schema refuses too. */
const REFUSED_BY_BOTH: readonly (readonly [string, string])[] = [
  ['a missing alias', spec('alias: live\n', '')],
  ['version 2', spec('version: 1', 'version: 2')],
  ['version "1" as a string', spec('version: 1', 'version: "1"')],
  ['an unknown top-level key', `${VALID_SPEC}colour: blue\n`],
  ['both zip and image', spec('  zip: build/orders-api.zip', '  zip: build/orders-api.zip\n  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/o:1')],
  ['neither zip nor image', spec('  zip: build/orders-api.zip', '  objectVersion: abc')],
  ['objectVersion with an image', spec('  zip: build/orders-api.zip', '  image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/o:1\n  objectVersion: abc')],
  ['version and fromLatest together', spec('  zip: build/orders-api.zip', '  version: 3\n  fromLatest: true')],
  ['version 0', spec('  zip: build/orders-api.zip', '  version: 0')],
  ['a quoted version', spec('  zip: build/orders-api.zip', '  version: "3"')],
  ['fromLatest: false', spec('  zip: build/orders-api.zip', '  fromLatest: false')],
  ['an unknown preset', spec('preset: Canary10Percent5Minutes', 'preset: Canary99Percent1Minute')],
  ['two strategies', withStrategy('{ preset: AllAtOnce, allAtOnce: {} }')],
  ['a step doing two things', withStrategy('{ canary: { steps: [{ setWeight: 10, pause: 5m }] } }')],
  ['a weight above 100', withStrategy('{ canary: { steps: [{ setWeight: 150 }, { pause: 5m }] } }')],
  ['a weight of 0', withStrategy('{ canary: { steps: [{ setWeight: 0 }, { pause: 5m }] } }')],
  ['a duration that is not one', withStrategy('{ canary: { steps: [{ setWeight: 10 }, { pause: 5 minutes }] } }')],
  ['a duration with units out of order', withStrategy('{ canary: { steps: [{ setWeight: 10 }, { pause: 5m1h }] } }')],
  ['a linear percent of 100', withStrategy('{ linear: { percent: 100, interval: 1m } }')],
  ['a linear strategy without interval', withStrategy('{ linear: { percent: 10 } }')],
  ['an unknown runtime', `${VALID_SPEC}configuration: { runtime: nodejs12.x }\n`],
  ['memory below 128 MB', `${VALID_SPEC}configuration: { memorySize: 64 }\n`],
  ['a function timeout of 16 minutes', `${VALID_SPEC}configuration: { timeout: 960 }\n`],
  ['a handler with a space', `${VALID_SPEC}configuration: { handler: "index handler" }\n`],
  ['two architectures', `${VALID_SPEC}configuration: { architectures: [x86_64, arm64] }\n`],
  ['a number as environment value', `${VALID_SPEC}configuration: { environment: { PORT: 8080 } }\n`],
  ['an error-rate threshold of 0', spec('  alarms: [orders-api-p99-latency]', '  errorRate: { threshold: 0 }')],
  ['a negative minInvocations', spec('  alarms: [orders-api-p99-latency]', '  minInvocations: -1')],
  ['a fractional minInvocations', spec('  alarms: [orders-api-p99-latency]', '  minInvocations: 1.5')],
  ['an unknown onInsufficientData', spec('  alarms: [orders-api-p99-latency]', '  onInsufficientData: promote')],
  ['keepVersions below 1', `${VALID_SPEC}cleanup: { keepVersions: 0 }\n`],
  ['a latency that is not one', spec('  alarms: [orders-api-p99-latency]', '  latency: { p99: fast }')],
];

/**
 * Specs the validator refuses for a reason JSON Schema cannot express (or the schema does not try
 * to): the JSON Schema accepts them, `fledge validate` does not. Listed so the gap is known.
 */
const REFUSED_BY_THE_VALIDATOR_ONLY: readonly (readonly [string, string, string])[] = [
  ['weights that do not rise', 'order across list items', withStrategy('{ canary: { steps: [{ setWeight: 50 }, { pause: 5m }, { setWeight: 20 }] } }')],
  ['a pause before the first weight', 'order across list items', withStrategy('{ canary: { steps: [{ pause: 5m }, { setWeight: 10 }] } }')],
  ['a duration outside its range written with units', 'a range over the value a string stands for', withStrategy('{ canary: { steps: [{ setWeight: 10 }, { pause: 30d }] } }')],
  ['a function name with a qualifier', "Lambda's naming rules (names.ts) are not translated into patterns", spec('function: orders-api', 'function: orders-api:live')],
  ['an alias of $LATEST', "Lambda's naming rules (names.ts) are not translated into patterns", spec('alias: live', 'alias: $LATEST')],
  ['a relative zip escaping its folder', "S3's naming rules (names.ts) are not translated into patterns", spec('zip: build/orders-api.zip', 'zip: ../orders-api.zip')],
  ['duplicate alarms', 'uniqueness is said, the message naming the first is not (uniqueItems would do; not generated)', spec('alarms: [orders-api-p99-latency]', 'alarms: [a, a]')],
  ['a timeout shorter than the pauses', 'a rule across fields (rules.ts): sums of durations', `${VALID_SPEC}timeout: 2m\n`],
  ['a pause shorter than the check interval', 'a rule across fields (rules.ts)', withStrategy('{ canary: { steps: [{ setWeight: 10 }, { pause: 30s }] } }')],
  ['blueGreen without a smoke test', 'a rule across fields (rules.ts)', withStrategy('{ blueGreen: {} }')],
  ['configuration next to an adopted version', 'a rule across fields (rules.ts)', spec('  zip: build/orders-api.zip', '  version: 3').concat('configuration: { memorySize: 256 }\n')],
  ['a reserved environment variable', 'reserved names and the 4 KB total', `${VALID_SPEC}configuration: { environment: { AWS_REGION: eu-west-1 } }\n`],
];

describe('the JSON Schema of the spec', () => {
  it('is what `npm run generate` writes from the validator’s schema and docs/spec.md', () => {
    // Act
    const generated = specJsonSchemaText(readFileSync(join(ROOT, 'docs/spec.md'), 'utf8'));

    // Assess
    expect(schemaText, `${SCHEMA_FILE} is out of date: run \`npm run generate\``).toBe(generated);
  });

  it('names durations as patterns, presets and runtimes as enums, and describes fields from docs/spec.md', () => {
    // Prepare
    const schema = JSON.parse(schemaText) as { properties: Record<string, { properties?: Record<string, Record<string, unknown>>; description?: string }> };

    // Assess
    expect(schema.properties['strategy']!.properties!['preset']!['enum']).toEqual(expect.arrayContaining(['Canary10Percent5Minutes', 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute', 'AllAtOnce']));
    expect(schema.properties['configuration']!.properties!['runtime']!['enum']).toEqual(expect.arrayContaining(['nodejs22.x', 'python3.12', 'provided.al2023']));
    expect(schema.properties['configuration']!.properties!['timeout']).toMatchObject({ anyOf: [{ type: 'string', pattern: expect.any(String) }, { type: 'integer', minimum: 1, maximum: 900 }] });
    expect(schema.properties['artifact']!.properties!['objectVersion']!['description']).toMatch(/Pins the S3 object version of zip/);
    expect(schema.properties['alias']!.description).toMatch(/The alias whose traffic moves/);
  });

  it.each(examples().map((path) => [relative(ROOT, path), path]))('accepts the example %s, which the validator accepts and which names the schema', (_, path) => {
    // Prepare
    const text = readFileSync(path, 'utf8');
    const named = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];

    // Act
    const valid = validate(parse(text));

    // Assess
    expect(parseDeploymentSpec(text, path)).toMatchObject({ ok: true });
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(named && resolve(dirname(path), named)).toBe(join(ROOT, SCHEMA_FILE));
  });

  it.each(REFUSED_BY_BOTH)('refuses %s, as the validator does', (_, text) => {
    // Act
    const valid = validate(parse(text));

    // Assess
    expect(parseDeploymentSpec(text, 'spec.yaml')).toMatchObject({ ok: false });
    expect(valid).toBe(false);
  });

  it.each(REFUSED_BY_THE_VALIDATOR_ONLY)('leaves %s to the validator: %s', (_, __, text) => {
    // Act
    const valid = validate(parse(text));

    // Assess
    expect(parseDeploymentSpec(text, 'spec.yaml')).toMatchObject({ ok: false });
    expect(valid).toBe(true);
  });
});
