// Loads state-machines/deployment.asl.yml for serverless.yml AS AN OBJECT (a string definition
// gets no Ref/GetAtt processing) and turns each `${<Name>FunctionArn}` substitution into
// `Fn::GetAtt: [<name>, Arn]` on the function `<name>` of serverless.yml.
// Why here: serverless-step-functions has no DefinitionSubstitutions; it builds the
// DefinitionString's `Fn::Sub` from the intrinsic functions it finds in the object (and inlines
// a static ARN for functions that have a `name`), so the ASL file itself can stay plain JSONPath
// ASL that the embedded Step Functions runs unchanged (local/fledge-on-local.ts substitutes there).
// Loaded by osls with require(): Node 22 requires this ES module synchronously.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const ASL_FILE = new URL('../state-machines/deployment.asl.yml', import.meta.url);
const WAVES_ASL_FILE = new URL('../state-machines/waves.asl.yml', import.meta.url);
const SUBSTITUTION = /^\$\{(\w+)FunctionArn\}$/;

/**
 * The deployment definition with its substitutions as `Fn::GetAtt` of the serverless functions.
 * Referenced from serverless.yml as `${file(serverless/state-machine.js):definition}`.
 * @param {{ resolveConfigurationProperty: (path: string[]) => Promise<unknown> }} context osls's resolver context.
 */
export async function definition({ resolveConfigurationProperty }) {
  const functions = /** @type {Record<string, unknown> | Record<string, unknown>[]} */ ((await resolveConfigurationProperty(['functions'])) ?? {});
  // serverless.yml lists its functions as an array of maps (the generated engine's, the interfaces'), which osls merges.
  const keys = (Array.isArray(functions) ? functions : [functions]).flatMap((part) => Object.keys(part ?? {}));
  return substitute(parse(readFileSync(ASL_FILE, 'utf8')), new Set(keys));
}

/**
 * The wave runner's definition (state-machines/waves.asl.yml), substituted the same way.
 * Referenced from serverless/state-machines.yml as `${file(serverless/state-machine.js):wavesDefinition}`.
 * @param {{ resolveConfigurationProperty: (path: string[]) => Promise<unknown> }} context osls's resolver context.
 */
export async function wavesDefinition({ resolveConfigurationProperty }) {
  const functions = /** @type {Record<string, unknown> | Record<string, unknown>[]} */ ((await resolveConfigurationProperty(['functions'])) ?? {});
  const keys = (Array.isArray(functions) ? functions : [functions]).flatMap((part) => Object.keys(part ?? {}));
  return substitute(parse(readFileSync(WAVES_ASL_FILE, 'utf8')), new Set(keys));
}

/**
 * @param {unknown} value
 * @param {Set<string>} functionKeys
 * @returns {unknown}
 */
function substitute(value, functionKeys) {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    const match = SUBSTITUTION.exec(value);
    const key = match ? `${match[1].charAt(0).toLowerCase()}${match[1].slice(1)}` : undefined;
    // An unknown substitution would reach CloudFormation as a dangling ${...} in Fn::Sub: fail now.
    if (!key || !functionKeys.has(key)) throw new Error(`deployment.asl.yml: "${value}" names no function of serverless.yml (expected \${<Name>FunctionArn} with a function <name>)`);
    return { 'Fn::GetAtt': [key, 'Arn'] };
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, functionKeys));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, item]) => [k, substitute(item, functionKeys)]));
  return value;
}
