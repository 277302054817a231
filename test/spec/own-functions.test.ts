import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FLEDGE_FUNCTIONS, FLEDGE_SERVICE, localFunctionName, stackFunctionName } from '../../shared/domain/own-functions';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import type { SpecProblem } from '../../shared/model/spec';
import { VALID_SPEC } from './fixtures';

const read = (path: string): unknown => parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'), { logLevel: 'silent' });

function problemsOf(text: string): readonly SpecProblem[] {
  const result = parseDeploymentSpec(text, 'spec.yaml');
  return result.ok ? [] : result.problems;
}

/** Every name fledge gives its own functions: on AWS in a few stages, and in local mode. */
const OWN_NAMES = [
  ...['dev', 'prod', 'team-a-staging'].flatMap((stage) => FLEDGE_FUNCTIONS.map((fn) => stackFunctionName(stage, fn))),
  ...FLEDGE_FUNCTIONS.map((fn) => localFunctionName(fn)),
];

describe("fledge's own functions", () => {
  it('are the functions serverless.yml deploys, named by its service', () => {
    // Prepare
    const stack = read('serverless.yml') as { service: string; functions: string[] };
    const functions = Object.assign({}, ...stack.functions.map((file) => read(/^\$\{file\((.+)\)\}$/.exec(file)![1]!))) as Record<string, { name?: string }>;
    // Assess: the Serverless Framework names each <service>-<stage>-<key> unless the function sets a name.
    expect(stack.service).toBe(FLEDGE_SERVICE);
    expect(stack.functions).toEqual(['${file(serverless/engine-functions.yml)}', '${file(serverless/functions.yml)}']);
    expect(Object.keys(functions)).toEqual([...FLEDGE_FUNCTIONS]);
    expect(Object.values(functions).filter((fn) => fn.name !== undefined)).toEqual([]);
  });

  it.each(OWN_NAMES)('refuses %s as the function to deploy, by name and by ARN', (name) => {
    // Act
    const byName = problemsOf(VALID_SPEC.replace('function: orders-api', `function: ${name}`));
    const byArn = problemsOf(VALID_SPEC.replace('function: orders-api', `function: arn:aws:lambda:us-east-1:123456789012:function:${name}`));
    // Assess
    for (const problems of [byName, byArn]) {
      expect(problems).toEqual([expect.objectContaining({ path: 'function', line: 2, message: expect.stringMatching(/is fledge's own \w+ function .*fledge never deploys, reconfigures or invokes itself/) })]);
    }
  });

  it.each(OWN_NAMES)('refuses %s as a hook, by name, name:qualifier and ARN', (name) => {
    // Act
    const problems = problemsOf(`${VALID_SPEC}hooks:\n  beforeTraffic: ${name}:live\n  afterTraffic: arn:aws:lambda:eu-west-1:123456789012:function:${name}\n`);
    const plain = problemsOf(`${VALID_SPEC}hooks: { beforeTraffic: ${name} }\n`);
    // Assess
    expect(problems).toEqual([
      expect.objectContaining({ path: 'hooks.beforeTraffic', message: expect.stringContaining("fledge's own") }),
      expect.objectContaining({ path: 'hooks.afterTraffic', message: expect.stringContaining("fledge's own") }),
    ]);
    expect(plain).toEqual([expect.objectContaining({ path: 'hooks.beforeTraffic', message: expect.stringContaining("fledge's own") })]);
  });

  it.each([
    ['FLEDGE-Prod-SAFETYNET', 'safetyNet', 'Prod'],
    ['fledge-dev-safety-net', 'safetyNet', 'dev'],
    ['fledge-eu-prod-s3-trigger', 's3Trigger', 'eu-prod'],
  ])('refuses %s, whatever the case and the spelling of the key', (name, fn, stage) => {
    // Act
    const problems = problemsOf(VALID_SPEC.replace('function: orders-api', `function: ${name}`));
    // Assess
    expect(problems).toEqual([expect.objectContaining({ path: 'function', message: expect.stringContaining(`fledge's own ${fn} function (of stage "${stage}")`) })]);
  });

  it.each(['fledge', 'fledge-demo', 'orders-fledge-prod-traffic', 'fledge-prod-traffic-shadow', 'fledge-prodtraffic'])('accepts %s, which is not one of them', (name) => {
    // Act
    const problems = problemsOf(VALID_SPEC.replace('function: orders-api', `function: ${name}`));
    // Assess
    expect(problems).toEqual([]);
  });
});
