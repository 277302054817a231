import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { median, round } from '../lib/stats';
import type { Figure } from '../lib/result';

/*
 * Figure 4. Each function of serverless.yml bundled exactly as serverless.yml's esbuild
 * settings bundle it for Lambda (minified ESM, node22, the SDK v3 inside), with a metafile telling
 * which AWS SDK packages went in. "Uses" is what its least-privilege role in serverless/roles/
 * grants (those roles are derived from the code by test/stack), so a client in the bundle that
 * the role cannot call is dead weight. Module load time: a fresh `node` imports the bundle, timed
 * inside the process (performance.now around `import()`), which is what Lambda's init phase
 * spends on our code before the first invocation — not counting the runtime's own start.
 */

const TARGET_MS = 100;

/** IAM service prefix → the SDK package that calls it. */
const CLIENT_OF: Readonly<Record<string, string>> = { dynamodb: 'client-dynamodb', lambda: 'client-lambda', cloudwatch: 'client-cloudwatch', sns: 'client-sns', states: 'client-sfn', s3: 'client-s3', ssm: 'client-ssm' };

/** What every handler reads at load (shared/config); values are placeholders, nothing is called. */
const ENVIRONMENT: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  FLEDGE_TABLE_NAME: 'fledge-deployments',
  FLEDGE_NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:fledge-notifications',
  FLEDGE_APPROVAL_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:fledge-approvals',
  FLEDGE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:fledge-deployment',
  FLEDGE_ARTIFACTS_BUCKET: 'fledge-artifacts',
  FLEDGE_APPROVAL_SECRET_PARAMETER: '/fledge/dev/approval-secret',
  FLEDGE_SLACK_WEBHOOK_PARAMETER: '/fledge/dev/slack-webhook-url',
  FLEDGE_LOG: 'off',
};

interface FunctionEntry {
  readonly name: string;
  readonly entry: string;
  readonly role: string;
}

interface Row {
  readonly name: string;
  readonly bytes: number;
  readonly clients: readonly string[];
  readonly allowed: readonly string[];
  readonly unused: readonly string[];
  /** Distinct AWS services bundled (client-dynamodb and lib-dynamodb are one). */
  readonly services: number;
  readonly loadMs: readonly number[];
  readonly loadMedianMs: number;
  readonly loadError?: string;
}

function functionsOfStack(): FunctionEntry[] {
  // serverless.yml's functions: the engine's (generated from functions/engine-functions.ts) and the interfaces'.
  const functions = Object.assign({}, ...['serverless/engine-functions.yml', 'serverless/functions.yml'].map((file) => parse(readFileSync(file, 'utf8'), { logLevel: 'silent' }))) as Record<string, { handler: string; role: string }>;
  return Object.entries(functions).map(([name, fn]) => ({ name, entry: `${fn.handler.replace(/\.handler$/, '')}.ts`, role: fn.role }));
}

/** IAM actions of every role in serverless/roles/, by role name. */
function roleActions(): Map<string, string[]> {
  const roles = new Map<string, string[]>();
  for (const file of ['engine', 'interface']) {
    const doc = parse(readFileSync(`serverless/roles/${file}.yml`, 'utf8'), { logLevel: 'silent' }) as { Resources: Record<string, { Properties?: { Policies?: { PolicyDocument: { Statement: { Action: string | string[] }[] } }[] } }> };
    for (const [name, role] of Object.entries(doc.Resources)) {
      const actions = (role.Properties?.Policies ?? []).flatMap((policy) => policy.PolicyDocument.Statement.flatMap((statement) => [statement.Action].flat()));
      roles.set(name, actions);
    }
  }
  return roles;
}

function timeImport(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', ...ENVIRONMENT }, encoding: 'utf8', timeout: 30_000 });
  return Number(out);
}

export const coldStartFigure: Figure = {
  id: 'cold-start',
  title: 'Cold start',
  async run({ quick }) {
    const dir = mkdtempSync(join(tmpdir(), 'fledge-bench-bundles-'));
    const repetitions = quick ? 2 : 7;
    const roles = roleActions();
    const rows: Row[] = [];
    try {
      for (const fn of functionsOfStack()) {
        const outfile = join(dir, `${fn.name}.mjs`);
        // serverless.yml's custom.esbuild, minus the source map (not loaded unless NODE_OPTIONS asks).
        const result = await build({
          entryPoints: [fn.entry],
          outfile,
          bundle: true,
          minify: true,
          target: 'node22',
          platform: 'node',
          format: 'esm',
          mainFields: ['module', 'main'],
          banner: { js: "import{createRequire as __fledgeCreateRequire}from'node:module';const require=__fledgeCreateRequire(import.meta.url);" },
          metafile: true,
          logLevel: 'error',
        });
        const clients = [...new Set(Object.keys(result.metafile.inputs).map((path) => /node_modules\/@aws-sdk\/((?:client|lib)-[\w-]+)\//.exec(path)?.[1]).filter((name): name is string => name !== undefined))].sort();
        const allowed = [...new Set((roles.get(fn.role) ?? []).map((action) => CLIENT_OF[action.split(':')[0]!]).filter((name): name is string => name !== undefined))].sort();
        const unused = clients.filter((client) => client.startsWith('client-') && !allowed.includes(client));
        const services = new Set(clients.map((client) => client.replace(/^lib-dynamodb$/, 'client-dynamodb'))).size;
        const loadMs: number[] = [];
        let loadError: string | undefined;
        for (let k = 0; k < repetitions && loadError === undefined; k++) {
          try {
            loadMs.push(timeImport(outfile));
          } catch (error) {
            loadError = String((error as { stderr?: string }).stderr ?? error).split('\n').find((line) => /Error/.test(line)) ?? 'failed to load';
          }
        }
        rows.push({ name: fn.name, bytes: statSync(outfile).size, clients, allowed, unused, services, loadMs, loadMedianMs: median(loadMs), ...(loadError ? { loadError } : {}) });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const single = rows.filter((row) => row.services === 1);
    const onlyUsed = rows.every((row) => row.unused.length === 0);
    const worstSingle = Math.max(...single.map((row) => row.loadMedianMs));
    return {
      timeScale: null,
      rows: [
        { measure: 'functions bundling only the SDK clients their role lets them call', value: `${rows.length - rows.filter((row) => row.unused.length > 0).length} of ${rows.length}${onlyUsed ? '' : ` (extra: ${rows.filter((row) => row.unused.length).map((row) => `${row.name}: ${row.unused.join(', ')}`).join('; ')})`}`, target: 'all', pass: onlyUsed },
        { measure: 'bundle size, smallest / largest', value: `${round(Math.min(...rows.map((row) => row.bytes)) / 1024, 0)} KiB / ${round(Math.max(...rows.map((row) => row.bytes)) / 1024, 0)} KiB (each function in the section below)`, target: 'informational' },
        { measure: `module load, multi-client functions, median of ${repetitions} (fastest / slowest)`, value: `${round(Math.min(...rows.filter((row) => row.services > 1).map((row) => row.loadMedianMs)), 0)} ms / ${round(Math.max(...rows.filter((row) => row.services > 1).map((row) => row.loadMedianMs)), 0)} ms`, target: 'informational' },
        { measure: `module load, single-client functions (${single.map((row) => row.name).join(', ') || 'none'}), median of ${repetitions}`, value: single.length ? `${round(worstSingle, 0)} ms (slowest)` : 'no single-client function', target: `≤ ${TARGET_MS} ms`, pass: single.length ? worstSingle <= TARGET_MS && single.every((row) => !row.loadError) : undefined },
        ...rows.map((row) => ({
          measure: `${row.name}: bundle, module load (median of ${row.loadMs.length})`,
          value: `${round(row.bytes / 1024, 0)} KiB, ${row.loadError ? `fails to load: ${row.loadError}` : `${round(row.loadMedianMs, 0)} ms`} — ${row.clients.join(', ')}`,
          target: row.services === 1 ? `≤ ${TARGET_MS} ms` : 'informational (multi-client)',
          ...(row.services === 1 || row.loadError ? { pass: !row.loadError && row.loadMedianMs <= TARGET_MS } : {}),
          detail: true,
        })),
      ],
      notes: [
        'Bundles are built here with serverless.yml\'s esbuild settings (bundle, minify, ESM, node22, the SDK v3 clients bundled in, `mainFields: [module, main]`), one per function of serverless.yml, without the source map. Sizes are the unzipped `.mjs`; docs/bundles.md (from `npm run package`) has the zipped sizes of the same bundles.',
        `Load time is measured in a fresh Node.js ${process.version} process on this machine: \`import()\` of the bundle with the environment the stack sets (placeholders; nothing is called). It is the part of Lambda's init phase that fledge's code controls; Lambda adds its runtime's own start (not measured here), and gives a function CPU in proportion to its memory (one vCPU at 1,769 MB, so about a seventh of one at 256 MB): the same load takes longer there than on a full core of this machine unless the function gets more memory. A busy machine shows here too: see the load average above. Multi-client functions carry no target of their own; they are listed for comparison.`,
      ],
      data: { repetitions, functions: rows },
    };
  },
};
