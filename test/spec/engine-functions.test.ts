import { readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENGINE_FUNCTION_NAMES, ENGINE_FUNCTIONS } from '../../functions/engine-functions';
import { engineRole, GENERATED_FILES } from '../../scripts/stack/generate';
import { FLEDGE_FUNCTIONS } from '../../shared/domain/own-functions';

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

  it.each(ENGINE_FUNCTION_NAMES)('%s has a handler module built from the table by engineFunction', (fn) => {
    // Act
    const source = text(ENGINE_FUNCTIONS[fn].entry);
    // Assess
    expect(source).toMatch(new RegExp(`export const handler = engineFunction\\(\\s*'${fn}',`));
  });
});

/** Every handler module of functions/ (each exports `handler`), and the adapter classes of shared/adapters/. */
const HANDLER_MODULES = readdirSync(new URL('../../functions/', import.meta.url))
  .filter((file) => file.endsWith('.ts') && /export const handler\b/.test(text(`functions/${file}`)))
  .map((file) => `functions/${file}`);
const ADAPTERS = readdirSync(new URL('../../shared/adapters/', import.meta.url)).flatMap((file) => [...text(`shared/adapters/${file}`).matchAll(/export class (\w+)/g)].map((m) => m[1]!));

/**
 * The composition root (functions/lib/composition.ts, its port factories, lambdaHandler) is the one
 * place that reads the environment and builds clients and adapters: a handler that wired its own
 * would drift from the others (as one handler once gave its notifier the approvals topic and another did not).
 */
describe('every handler of functions/', () => {
  it('is found: the engine’s and the ones people talk to', () => {
    // Assess
    expect(HANDLER_MODULES).toEqual(expect.arrayContaining(['functions/api.ts', 'functions/approval-pages.ts', 'functions/s3-trigger.ts', 'functions/slack-notifier.ts', ...ENGINE_FUNCTION_NAMES.map((fn) => ENGINE_FUNCTIONS[fn].entry)]));
    expect(ADAPTERS).toEqual(expect.arrayContaining(['SnsNotifier', 'SsmSecret', 'SlackWebhook', 'S3ArtifactInspector', 'StepFunctionsOrchestrator']));
  });

  it.each(HANDLER_MODULES)('%s is built by the composition root: no SDK client, adapter or environment read of its own', (entry) => {
    // Act
    const source = text(entry);
    // Assess
    expect(source).toMatch(/export const handler(: \w+)? = (engineFunction|lambdaHandler)\(/);
    expect(source).not.toMatch(/from '@aws-sdk\//);
    expect(source).not.toMatch(/new \w+Client\(/);
    expect(source).not.toMatch(/process\.env/);
    for (const adapter of ADAPTERS) expect(source, adapter).not.toMatch(new RegExp(`new ${adapter}\\(`));
  });
});

/** Every module of local mode (local/, local/world/ included). */
const LOCAL_MODULES = readdirSync(new URL('../../local/', import.meta.url), { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => relative(fileURLToPath(new URL('../../', import.meta.url)), fileURLToPath(new URL(`../../local/${file}`, import.meta.url))));

/**
 * Local mode runs the same handlers as Lambda (the engine's, the API, the approval pages, the S3
 * trigger, the sweeper, the safety net), each built on local mode's composition by the factories
 * its handler module names (`handler.builtOn(composition)`): were it to hand a handler ports it
 * wired itself, local mode would stop proving what runs on AWS.
 */
describe('every handler local mode runs', () => {
  it('is found among local mode’s modules', () => {
    // Assess
    expect(LOCAL_MODULES).toEqual(expect.arrayContaining(['local/fledge-on-local.ts', 'local/mode-api.ts', 'local/mode-trigger.ts', 'local/world/world.ts']));
  });

  it.each(LOCAL_MODULES)('%s builds no handler, adapter or client of fledge’s but through the composition root', (file) => {
    // Act
    const source = text(file);
    // Assess
    expect(source, 'a handler is built with handler.builtOn(composition), not createHandler(deps)').not.toMatch(/import \{[^}]*\bcreateHandler\b[^}]*\} from '\.\.\/(\.\.\/)?functions\//);
    for (const adapter of ADAPTERS) expect(source, adapter).not.toMatch(new RegExp(`new ${adapter}\\(`));
    // fledge's clients come from the composition's one client configuration (local/composition.ts);
    // the one client built elsewhere is the user's own (local/world/world.ts).
    if (file !== 'local/world/world.ts') expect(source).not.toMatch(/new \w+Client\(/);
  });

  it.each(['local/mode-api.ts', 'local/mode-trigger.ts'])('%s builds its handlers on a composition', (file) => {
    // Act
    const source = text(file);
    // Assess
    expect(source).toMatch(/\.builtOn\(/);
  });
});
