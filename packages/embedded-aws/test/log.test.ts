import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimClock } from '../src/clock';
import { createLocalLog } from '../src/log';

describe('the embedded AWS\'s log file', () => {
  const directories: string[] = [];
  afterEach(async () => {
    for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
  });
  const dataDir = async (): Promise<string> => {
    const directory = await mkdtemp(join(tmpdir(), 'embedded-aws-log-'));
    directories.push(directory);
    return directory;
  };

  it('writes each line through the escaper its embedder gives, and keeps the line as it was in memory', async () => {
    // Prepare
    const directory = await dataDir();
    const log = createLocalLog({ dataDir: directory, clock: createSimClock(), escape: (text) => text.replaceAll(String.fromCharCode(27), '\\u001b') });

    // Act
    log.write('lambda: function output \u001b[2J cleared');

    // Assess
    const file = await readFile(join(directory, 'embedded-aws.log'), 'utf8');
    expect(file).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z lambda: function output \\u001b\[2J cleared\n$/);
    expect(log.recent('lambda').map((line) => line.message)).toEqual(['lambda: function output \u001b[2J cleared']);
  });

  it('writes lines as they are without an escaper', async () => {
    // Prepare
    const directory = await dataDir();
    const log = createLocalLog({ dataDir: directory, clock: createSimClock() });

    // Act
    log.write('tab\there');

    // Assess
    expect(await readFile(join(directory, 'embedded-aws.log'), 'utf8')).toMatch(/ tab\there\n$/);
  });
});
