import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliBundleOptions } from '../../scripts/cli-bundle.mjs';
import { ROOT } from './run-cli';

/**
 * Which modules a CLI run loads, as Node reports them: a module hook records every file the ESM
 * loader loads. No timing: the bundle's output files are mapped to their sources by esbuild's
 * metafile (the same build as dist/, so the same chunk names).
 */
function loadedFiles(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'fledge-trace-'));
  const trace = join(dir, 'loaded.txt');
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(trace)}, url + '\\n'); return next(url, context); }\n`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  writeFileSync(trace, '');
  const result = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(ROOT, 'dist/fledge.mjs'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...options.env } });
  if (result.status !== 0 && result.status !== 2) throw new Error(`fledge ${args.join(' ')} failed: ${result.stderr}`);
  return readFileSync(trace, 'utf8').split('\n').filter((url) => url.startsWith('file:')).map((url) => fileURLToPath(url));
}

/** Packages that only commands which call AWS, or run the embedded AWS, may load. */
const HEAVY = /node_modules\/(@aws-sdk|@smithy|dynalite|aws-local-stepfunctions|asl-validator|fast-xml-parser|fflate)\//;
/** Sources of local mode and the embedded AWS. `local/mode-defaults.ts` is constants only: the defaults `fledge local --help` shows. */
const LOCAL_MODE = (source: string) => (source.startsWith('local/') && source !== 'local/mode-defaults.ts') || source.startsWith('packages/embedded-aws/') || source.startsWith('cli/demo/');

describe('fledge starts without loading what the command does not use', () => {
  let sourcesOf: (file: string) => string[];
  beforeAll(async () => {
    const { metafile } = await build({ ...cliBundleOptions, write: false, metafile: true, logLevel: 'silent' });
    sourcesOf = (file) => Object.keys(metafile.outputs[relative(ROOT, file)]?.inputs ?? {});
  });

  it.each([
    ['--version', ['--version']],
    ['validate', ['validate', 'examples/canary.yaml']],
    ['validate --output json', ['validate', 'examples/canary.yaml', '--output', 'json']],
  ])('loads nothing of local mode, the embedded AWS or the AWS SDK for %s', (_name, args) => {
    // Act
    const loaded = loadedFiles(args);
    const bundle = loaded.filter((file) => file.startsWith(join(ROOT, 'dist')));

    // Assess
    expect(bundle).toContain(join(ROOT, 'dist/fledge.mjs'));
    expect(loaded.filter((file) => HEAVY.test(file))).toEqual([]);
    expect(bundle.flatMap(sourcesOf).filter(LOCAL_MODE)).toEqual([]);
  });

  it('sees local mode loaded when a command uses it (the trace detects what it must)', () => {
    // Act: --local reads the discovery file with local mode's code (here: finds none running)
    const loaded = loadedFiles(['status', 'x', '--local'], { env: { FLEDGE_DIR: mkdtempSync(join(tmpdir(), 'fledge-none-')) } });

    // Assess
    expect(loaded.filter((file) => file.startsWith(join(ROOT, 'dist'))).flatMap(sourcesOf)).toContain('local/discovery.ts');
  });
});
