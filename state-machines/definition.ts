import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The deployment state machine's file. */
export const DEPLOYMENT_ASL_FILE = fileURLToPath(new URL('./deployment.asl.yml', import.meta.url));

/** The ARNs the definition refers to, by substitution name. serverless.yml fills the same names. */
export interface DeploymentArns {
  readonly PrepareFunctionArn: string;
  readonly PublishFunctionArn: string;
  readonly VerifyFunctionArn: string;
  readonly TrafficFunctionArn: string;
  readonly CheckFunctionArn: string;
  readonly ApprovalFunctionArn: string;
  readonly RecordFunctionArn: string;
}

/** Substitution names, in a stable order. */
export const DEPLOYMENT_SUBSTITUTIONS: readonly (keyof DeploymentArns)[] = [
  'PrepareFunctionArn',
  'PublishFunctionArn',
  'VerifyFunctionArn',
  'TrafficFunctionArn',
  'CheckFunctionArn',
  'ApprovalFunctionArn',
  'RecordFunctionArn',
];

/** The definition as an object, with `${Name}` substitutions left in place (serverless fills them). */
export function loadDeploymentDefinition(): Record<string, unknown> {
  return parse(readFileSync(DEPLOYMENT_ASL_FILE, 'utf8')) as Record<string, unknown>;
}

/** The definition with every `${Name}` replaced; an unknown or missing name is an error. */
export function deploymentDefinition(arns: DeploymentArns): Record<string, unknown> {
  return substitute(loadDeploymentDefinition(), arns as unknown as Record<string, string>) as Record<string, unknown>;
}

function substitute(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{(\w+)\}/g, (_match, name: string) => {
      const replacement = values[name];
      if (replacement === undefined) throw new Error(`deployment.asl.yml: no value for substitution \${${name}}`);
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, values));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, values)]));
  return value;
}
