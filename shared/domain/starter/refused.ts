import { parse } from 'yaml';
import { evidenceRuleOf } from '../spec/evidence';
import type { DeploymentSpec } from '../../model/spec';

/** Stands for the function or alias of a refused spec that does not name them readably. */
export const UNKNOWN = '(unknown)';

/**
 * The `spec` of a REJECTED record whose spec could not be read: only the function and alias
 * are taken (best effort, so the refusal is listed under the right function); everything else
 * is an inert all-at-once with no time. The record's `problems` say why; the API shows the
 * problems instead of this placeholder.
 */
export function refusedSpec(text: string | Uint8Array): DeploymentSpec {
  let value: unknown;
  try {
    value = parse(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'), { maxAliasCount: 10 });
  } catch {
    value = undefined;
  }
  const doc = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const fn = typeof doc['function'] === 'string' ? nameOf(doc['function']) : UNKNOWN;
  const alias = typeof doc['alias'] === 'string' && /^[A-Za-z0-9_-]{1,128}$/.test(doc['alias']) ? doc['alias'] : UNKNOWN;
  return {
    version: 1,
    function: { name: fn },
    alias,
    artifact: { kind: 'zip', key: '' },
    strategy: { kind: 'allAtOnce' },
    health: { alarms: [], checkInterval: 60, ...evidenceRuleOf({}, { kind: 'allAtOnce' }) },
    hooks: {},
    approval: { timeout: 0 },
    timeout: 0,
  };
}

function nameOf(text: string): string {
  const name = text.startsWith('arn:') ? (text.split(':')[6] ?? '') : text;
  return /^[A-Za-z0-9_-]{1,64}$/.test(name) ? name : UNKNOWN;
}
