import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENGINE_FUNCTION_NAMES, ENGINE_FUNCTIONS } from '../../functions/engine-functions';
import { engineRole, GENERATED_FILES } from '../../scripts/stack/generate';
import { FLEDGE_FUNCTIONS } from '../../shared/domain/control-plane';

const text = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const read = (path: string): unknown => parse(text(path), { logLevel: 'silent' });

/**
 * functions/engine-functions.ts is the one table of engine functions; serverless/engine-functions.yml
 * and serverless/roles/engine.yml are generated from it (`npm run generate`), and test/stack proves
 * each role equals the calls its code can make.
 */
describe('the table of engine functions', () => {
  it.each(Object.keys(GENERATED_FILES))('%s is what `npm run generate` writes from the table', (path) => {
    // Act
    const generated = GENERATED_FILES[path]!();
    // Assess
    expect(text(path), `${path} differs from the table: run \`npm run generate\``).toBe(generated);
  });

  it.each(ENGINE_FUNCTION_NAMES)('%s is deployed with its handler module, its own role and the environment the table gives it', (fn) => {
    // Prepare
    const row = ENGINE_FUNCTIONS[fn];
    const functions = read('serverless/engine-functions.yml') as Record<string, { handler: string; role: string; environment?: Record<string, unknown> }>;
    // Act
    const deployed = functions[row.key];
    // Assess
    expect(FLEDGE_FUNCTIONS).toContain(row.key);
    expect(deployed!.handler).toBe(row.entry.replace(/\.ts$/, '.handler'));
    expect(deployed!.role).toBe(`${row.key[0]!.toUpperCase()}${row.key.slice(1)}Role`);
    expect(Object.keys(deployed!.environment ?? {}).sort()).toEqual(Object.keys(row.environment).sort());
  });

  it('refuses to write a role for an action it does not know where to grant', () => {
    // Prepare
    const row = { ...ENGINE_FUNCTIONS.check, actions: [...ENGINE_FUNCTIONS.check.actions, 'kms:Decrypt'] };
    // Act
    const write = (): unknown => engineRole(row);
    // Assess
    expect(write).toThrow(/check lists kms:Decrypt, which scripts\/stack\/grants\.ts grants on no resource/);
  });

  it('denies on fledge’s own functions exactly the Lambda writes a role is allowed', () => {
    // Prepare
    const row = { ...ENGINE_FUNCTIONS.check, actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:InvokeFunction'] };
    // Act
    const statements = (engineRole(row) as { Properties: { Policies: { PolicyDocument: { Statement: { body: { Sid: string; Effect: string; Action: unknown } }[] } }[] } }).Properties.Policies[0]!.PolicyDocument.Statement.map((s) => s.body);
    // Assess
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([expect.objectContaining({ Sid: 'NeverTheControlPlane', Action: ['lambda:InvokeFunction', 'lambda:UpdateAlias'] })]);
  });

  it.each(ENGINE_FUNCTION_NAMES)('%s has a handler module built from the table by engineFunction, wiring no client or adapter of its own', (fn) => {
    // Act
    const source = text(ENGINE_FUNCTIONS[fn].entry);
    // Assess
    expect(source).toMatch(new RegExp(`export const handler = engineFunction\\(\\s*'${fn}',`));
  });
});
