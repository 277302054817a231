import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { cliBundleOptions } from '../../scripts/cli-bundle.mjs';
import { EmbeddedAwsNotInstalledError, missingEmbeddedAwsPackages } from '../../cli/embedded-aws-loader';
import { packageNameOf, runtimePackageImports, typeScriptFiles } from './imports';

// The rule of issue 18: what fledge's product code loads at run time is a runtime dependency of the
// published package. An installation without devDependencies (`npm install --omit=dev`) must work,
// and one without optionalDependencies must still deploy: those are the embedded AWS's only.

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  workspaces?: string[];
}

const root = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;
const embeddedAws = JSON.parse(readFileSync('packages/embedded-aws/package.json', 'utf8')) as PackageJson;
const dependencies = new Set(Object.keys(root.dependencies ?? {}));
const optional = new Set(Object.keys(root.optionalDependencies ?? {}));
/** Workspace packages are TypeScript sources bundled into dist/ (scripts/bundle-workspaces.mjs), never loaded from node_modules. */
const bundledWorkspaces = new Set([embeddedAws.name]);

/** The product code of the root package: what the CLI bundle and the Lambda bundles are built from. */
const PRODUCT_FOLDERS = ['cli', 'functions', 'shared', 'local', 'state-machines'];

const describeImport = (i: { file: string; line: number; specifier: string }): string => `${i.file}:${i.line} imports '${i.specifier}'`;

describe('product code imports only runtime dependencies', () => {
  it('every package fledge\'s product code loads is a dependency or optional dependency of the published package', () => {
    // Prepare
    const files = PRODUCT_FOLDERS.flatMap((folder) => typeScriptFiles(folder));

    // Act
    const undeclared = files.flatMap(runtimePackageImports)
      .filter((i) => !dependencies.has(i.packageName) && !optional.has(i.packageName) && !bundledWorkspaces.has(i.packageName));

    // Assess
    expect(files.length).toBeGreaterThan(50);
    expect(undeclared.map(describeImport)).toEqual([]);
  });

  it('every package the bundled embedded AWS loads is declared by the embedded AWS and installed with the published package', () => {
    // Prepare: bundled into dist/, its imports resolve from the published package's node_modules.
    const files = typeScriptFiles('packages/embedded-aws/src');
    const ownDependencies = new Set(Object.keys(embeddedAws.dependencies ?? {}));

    // Act
    const imports = files.flatMap(runtimePackageImports);
    const undeclaredByItself = imports.filter((i) => !ownDependencies.has(i.packageName));
    const notInstalledWithFledge = imports.filter((i) => !dependencies.has(i.packageName) && !optional.has(i.packageName));

    // Assess
    expect(imports.map((i) => i.packageName)).toContain('dynalite');
    expect(undeclaredByItself.map(describeImport)).toEqual([]);
    expect(notInstalledWithFledge.map(describeImport)).toEqual([]);
  });

  it('no package is both a runtime and a development dependency, and workspace packages are never runtime dependencies', () => {
    // Prepare
    const devDependencies = Object.keys(root.devDependencies ?? {});

    // Act
    const both = devDependencies.filter((name) => dependencies.has(name) || optional.has(name));
    const workspacesAtRunTime = [...bundledWorkspaces].filter((name) => dependencies.has(name) || optional.has(name));

    // Assess: a workspace package is not on the registry, so as a dependency it would fail every install.
    expect(both).toEqual([]);
    expect(workspacesAtRunTime).toEqual([]);
  });
});

describe('the bundled CLI', () => {
  it('imports only dependencies from the code every command loads, and optional dependencies only from chunks loaded on demand', async () => {
    // Prepare
    const { metafile } = await build({ ...cliBundleOptions, write: false, metafile: true, logLevel: 'silent' });

    // Act
    const { eager, lazy } = chunksOf(metafile, join(cliBundleOptions.outdir, 'fledge.mjs'));
    const eagerExternals = externalPackages(metafile, eager);
    const lazyExternals = externalPackages(metafile, lazy);

    // Assess
    expect(lazy.length).toBeGreaterThan(0);
    expect(eagerExternals.filter((name) => !dependencies.has(name))).toEqual([]);
    expect(lazyExternals.filter((name) => !dependencies.has(name) && !optional.has(name))).toEqual([]);
    // The embedded AWS is on demand: a user who only deploys can leave it out.
    expect(lazyExternals).toEqual(expect.arrayContaining(['aws-local-stepfunctions', 'asl-validator']));
  });
});

describe('a command that needs the embedded AWS, where it was not installed', () => {
  it('names the missing packages and how to install them', () => {
    // Prepare
    const notInstalled = (name: string): never => {
      throw Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    };

    // Act
    const missing = missingEmbeddedAwsPackages(notInstalled);
    const error = new EmbeddedAwsNotInstalledError('fledge demo', missing);

    // Assess
    expect(missing).toEqual(Object.keys(root.optionalDependencies ?? {}));
    expect(missingEmbeddedAwsPackages()).toEqual([]);
    expect(error.message).toContain('fledge demo needs the embedded AWS');
    expect(error.message).toContain('dynalite');
    expect(error.message).toContain(`npm install ${root.name}`);
  });
});

/** The output files the entry loads statically (every command pays for them), and the others. */
function chunksOf(metafile: Metafile, entry: string): { eager: string[]; lazy: string[] } {
  const eager = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.external || imported.kind !== 'import-statement' || eager.has(imported.path)) continue;
      eager.add(imported.path);
      queue.push(imported.path);
    }
  }
  const scripts = Object.keys(metafile.outputs).filter((file) => file.endsWith('.mjs'));
  return { eager: [...eager], lazy: scripts.filter((file) => !eager.has(file)) };
}

/** The packages the given output files import (external imports), sorted. */
function externalPackages(metafile: Metafile, files: readonly string[]): string[] {
  const names = files.flatMap((file) => (metafile.outputs[file]?.imports ?? []).filter((i) => i.external).map((i) => packageNameOf(i.path)));
  return [...new Set(names.filter((name): name is string => name !== undefined))].sort();
}
