import { ESLint } from 'eslint';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: ROOT });

/** The fledge/* rules a file at `path` (relative to the root) with `code` breaks. */
async function broken(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return result!.messages.filter((m) => m.ruleId?.startsWith('fledge/')).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the lint rules of the house (eslint-rules/fledge.js)', () => {
  it('refuses the embedded AWS an import of anything of fledge, or of anything outside its package', async () => {
    // Act
    const ofShared = await broken('packages/embedded-aws/src/probe.ts', "import { sanitise } from '../../../shared/text/sanitise';\nexport const p = sanitise;\n");
    const ofTest = await broken('packages/embedded-aws/src/services/s3/probe.ts', "import { eventually } from '../../../../../test/support/local-aws';\nexport const p = eventually;\n");
    const ownFiles = await broken('packages/embedded-aws/src/services/s3/probe.ts', "import { LocalAwsError } from '../../errors';\nexport const p = LocalAwsError;\n");

    // Assess
    expect(ofShared).toEqual([expect.stringMatching(/^fledge\/floors: embedded-aws \(packages\/embedded-aws\/\) imports nothing outside its folder .*it may import nothing of fledge/)]);
    expect(ofTest).toEqual([expect.stringMatching(/^fledge\/floors: embedded-aws .* imports nothing outside its folder \('\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/test\/support\/local-aws'\)/)]);
    expect(ownFiles).toEqual([]);
  });

  it('refuses fledge a path into the embedded AWS’s files: it imports the package by its name', async () => {
    // Act
    const byPath = await broken('local/probe.ts', "import { startLocalAws } from '../packages/embedded-aws/src/server';\nexport const p = startLocalAws;\n");
    const fromTest = await broken('test/support/probe.ts', "import { functionZip } from '../../packages/embedded-aws/src/testing/zip';\nexport const p = functionZip;\n");
    const fromScripts = await broken('scripts/probe.mjs', "import { startLocalAws } from '../packages/embedded-aws/src/server.ts';\nexport const p = startLocalAws;\n");
    const byName = await broken('local/probe.ts', "import { startLocalAws } from '@fledge-local/embedded-aws';\nexport const p = startLocalAws;\n");

    // Assess
    expect(byPath).toEqual([expect.stringMatching(/^fledge\/floors: local \(local\/\) may not import the files of embedded-aws \(packages\/embedded-aws\/src\/server\.ts\): import the package by its name \('@fledge-local\/embedded-aws'\)/)]);
    expect(fromTest).toEqual([expect.stringMatching(/^fledge\/floors: test \(test\/\) may not import the files of embedded-aws/)]);
    expect(fromScripts).toEqual([expect.stringMatching(/^fledge\/floors: tooling \(\.\/\) may not import the files of embedded-aws/)]);
    expect(byName).toEqual([]);
  });

  it('refuses the bench, the CLI and the demo an import from test/, and the CLI one from bench/', async () => {
    // Act
    const benchOnTest = await broken('bench/lib/probe.ts', "import { startEngine } from '../../test/support/engine';\nexport const p = startEngine;\n");
    const demoOnTest = await broken('cli/demo/probe.ts', "import { startEngine } from '../../test/support/engine';\nexport const p = startEngine;\n");
    const cliOnBench = await broken('cli/commands/probe.ts', "import { startWorld } from '../../bench/lib/world';\nexport const p = startWorld;\n");
    const benchOnWorld = await broken('bench/lib/probe.ts', "import { startWorld } from '../../local/world/world';\nexport const p = startWorld;\n");

    // Assess
    expect(benchOnTest).toEqual([expect.stringMatching(/^fledge\/floors: bench \(bench\/\) may not import test /)]);
    expect(demoOnTest).toEqual([expect.stringMatching(/^fledge\/floors: cli \(cli\/\) may not import test /)]);
    expect(cliOnBench).toEqual([expect.stringMatching(/^fledge\/floors: cli \(cli\/\) may not import bench /)]);
    expect(benchOnWorld).toEqual([]);
  });

  it('refuses an import that climbs a floor: ports from the domain, model from ports, domain from an adapter', async () => {
    // Act
    const portOnDomain = await broken('shared/ports/probe.ts', "import type { EngineDeps } from '../domain/deployment/deps';\nexport type P = EngineDeps;\n");
    const modelOnPorts = await broken('shared/model/probe.ts', "import type { Clock } from '../ports/clock';\nexport type P = Clock;\n");
    const domainOnAdapter = await broken('shared/domain/deployment/probe.ts', "import { systemClock } from '../../adapters/system-clock';\nexport const p = systemClock;\n");
    const adapterOnInterface = await broken('shared/adapters/probe.ts', "import { escapeHtml } from '../interfaces/html/approval-page';\nexport const p = escapeHtml;\n");

    // Assess
    expect(portOnDomain).toEqual([expect.stringMatching(/^fledge\/floors: ports \(shared\/ports\/\) may not import domain .*: it may import model\./)]);
    expect(modelOnPorts).toEqual([expect.stringMatching(/^fledge\/floors: model .* may not import ports/)]);
    expect(domainOnAdapter).toEqual([expect.stringMatching(/^fledge\/floors: domain .* may not import adapters/)]);
    expect(adapterOnInterface).toEqual([expect.stringMatching(/^fledge\/floors: adapters .* may not import interfaces/)]);
  });

  it('lets each floor import the floors below it', async () => {
    // Act
    const portOnModel = await broken('shared/ports/probe.ts', "import type { DeploymentRecord } from '../model/deployment';\nexport type P = DeploymentRecord;\n");
    const interfaceOnDomain = await broken('shared/interfaces/http/probe.ts', "import { parseDeploymentSpec } from '../../domain/spec/parse';\nexport const p = parseDeploymentSpec;\n");

    // Assess
    expect(portOnModel).toEqual([]);
    expect(interfaceOnDomain).toEqual([]);
  });

  it('refuses an index file and an import of a folder', async () => {
    // Act
    const barrel = await broken('shared/domain/spec/index.ts', "export { parseDeploymentSpec } from './parse';\n");
    const folderImport = await broken('shared/domain/plan/probe.ts', "import { LIMITS } from '../../model';\nexport const p = LIMITS;\n");

    // Assess
    expect(barrel).toEqual([expect.stringMatching(/^fledge\/no-barrels: No index files/)]);
    expect(folderImport).toEqual([expect.stringMatching(/^fledge\/no-barrels: Import the module that defines the name, not the folder \.\.\/\.\.\/model/)]);
  });
});
