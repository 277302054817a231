import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { styleFor } from '../../cli/format/style';
import { runDemo } from '../../cli/demo/run';
import { DEMO_EXAMPLES } from '../../cli/demo/sample';

describe('the demo judges its outcomes', () => {
  it('reports failure, naming what differed, when the broken release turns out healthy', async () => {
    // Prepare: a copy of the sample where v3 is not broken, so fledge promotes it instead of rolling back.
    const examples = await mkdtemp(join(tmpdir(), 'fledge-demo-'));
    await cp(DEMO_EXAMPLES, examples, { recursive: true });
    await writeFile(join(examples, 'v3', 'index.mjs'), `export const handler = async () => ({ release: 'v3' });\n`);
    process.env['FLEDGE_LOG'] ??= 'off';
    let printed = '';

    // Act
    const result = await runDemo({ examples, write: (text) => { printed += text; }, style: styleFor({ isTTY: false }) });
    await rm(examples, { recursive: true, force: true });

    // Assess
    expect(result.ok).toBe(false);
    const differed = result.outcomes.filter((outcome) => !outcome.ok);
    expect(differed).toEqual([
      { what: 'v3 (broken canary)', expected: 'ROLLED_BACK', actual: 'SUCCEEDED', ok: false },
      { what: 'alias live after v3', expected: 'version 2', actual: 'version 3', ok: false },
    ]);
    expect(result.outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.what)).toContain('v2 (canary, approved through the e-mailed link)');
    expect(printed).toContain('✗ v3 (broken canary): SUCCEEDED (expected ROLLED_BACK)');
  }, 90_000);
});
