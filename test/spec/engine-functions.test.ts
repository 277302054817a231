import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENGINE_FUNCTION_NAMES, ENGINE_FUNCTIONS } from '../../functions/engine-functions';
import { FLEDGE_FUNCTIONS } from '../../shared/domain/control-plane';

const text = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const read = (path: string): unknown => parse(text(path), { logLevel: 'silent' });

interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
}
type Roles = Record<string, { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } }>;

/** The actions a role of serverless/roles/engine.yml allows, beyond writing its own logs. */
function allowedActions(roles: Roles, roleId: string): string[] {
  const statements = roles[roleId]!.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement).filter((s) => s.Effect === 'Allow');
  return [...new Set(statements.flatMap((s) => (typeof s.Action === 'string' ? [s.Action] : s.Action)).filter((a) => !a.startsWith('logs:')))].sort();
}

/**
 * functions/engine-functions.ts is the one table of engine functions; serverless/functions.yml and
 * serverless/roles/engine.yml are written by hand and must say what it says (test/stack then proves
 * each role equals the calls its code can make).
 */
describe('the table of engine functions', () => {
  const functions = read('serverless/functions.yml') as Record<string, { handler: string; role: string; environment?: Record<string, unknown> }>;
  const roles = (read('serverless/roles/engine.yml') as { Resources: Roles }).Resources;

  it.each(ENGINE_FUNCTION_NAMES)('%s is deployed by serverless/functions.yml as the table says: handler, role, environment', (fn) => {
    // Prepare
    const row = ENGINE_FUNCTIONS[fn];
    // Act
    const deployed = functions[row.key];
    // Assess
    expect(FLEDGE_FUNCTIONS).toContain(row.key);
    expect(deployed, `serverless/functions.yml has no ${row.key}`).toBeDefined();
    expect(deployed!.handler).toBe(row.entry.replace(/\.ts$/, '.handler'));
    expect(deployed!.role).toBe(`${row.key[0]!.toUpperCase()}${row.key.slice(1)}Role`);
    expect(Object.keys(deployed!.environment ?? {}).sort()).toEqual([...row.environment].sort());
  });

  it.each(ENGINE_FUNCTION_NAMES)("%s's role in serverless/roles/engine.yml allows exactly the table's actions (and its own logs)", (fn) => {
    // Prepare
    const row = ENGINE_FUNCTIONS[fn];
    // Act
    const allowed = allowedActions(roles, functions[row.key]!.role);
    // Assess
    expect(allowed).toEqual([...row.actions].sort());
  });

  it.each(ENGINE_FUNCTION_NAMES)('%s has a handler module built from the table by engineFunction, wiring no client or adapter of its own', (fn) => {
    // Act
    const source = text(ENGINE_FUNCTIONS[fn].entry);
    // Assess
    expect(source).toMatch(new RegExp(`export const handler = engineFunction\\(\\s*'${fn}',`));
    expect(source).not.toMatch(/new \w+Client\(/);
    expect(source).not.toMatch(/new (LambdaRegistryAdapter|CloudWatchHealthAdapter|DynamoDbDeploymentStore|SnsNotifier|StepFunctionsOrchestrator)\(/);
  });
});
