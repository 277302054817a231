import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The deployment state machine's file. */
export const DEPLOYMENT_ASL_FILE = fileURLToPath(new URL('./deployment.asl.yml', import.meta.url));

/** The definition as an object, with `${Name}` substitutions left in place (serverless fills them). */
export function loadDeploymentDefinition(): Record<string, unknown> {
  return parse(readFileSync(DEPLOYMENT_ASL_FILE, 'utf8')) as Record<string, unknown>;
}

/** The definition with every `${Name}` replaced; an unknown or missing name is an error. */
export function deploymentDefinition(arns: Readonly<Record<string, string>>): Record<string, unknown> {
  return substitute(loadDeploymentDefinition(), arns) as Record<string, unknown>;
}

/** The wave runner's state machine's file. */
export const WAVES_ASL_FILE = fileURLToPath(new URL('./waves.asl.yml', import.meta.url));

/** The wave runner's definition with every `${Name}` replaced (`${WavesFunctionArn}`). */
export function wavesDefinition(arns: Readonly<Record<string, string>>): Record<string, unknown> {
  return substitute(parse(readFileSync(WAVES_ASL_FILE, 'utf8')) as Record<string, unknown>, arns) as Record<string, unknown>;
}

function substitute(value: unknown, values: Readonly<Record<string, string>>): unknown {
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
