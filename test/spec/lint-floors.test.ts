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
