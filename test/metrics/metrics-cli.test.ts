import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync, startCliWorld, type CliWorld } from '../cli/cli-world';
import { WINDOW } from './fixture';
import { seedHistory } from './seed';

describe('fledge metrics', () => {
  let world: CliWorld;
  const window = ['--since', new Date(WINDOW.from).toISOString(), '--until', new Date(WINDOW.to).toISOString()];

  beforeAll(async () => {
    world = await startCliWorld();
    await seedHistory(world);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('prints the known history\'s metrics overall, per function and per ISO week', async () => {
    // Act
    const result = await runCliAsync(world, ['metrics', '--local', ...window]);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^overall\s+7\s+2\.33\s+42\.9%\s+45m 00s \(p90 2h 00m, n=4\)\s+12m 30s \(p90 20m 00s, n=2\)$/m);
    expect(result.stdout).toMatch(/^orders\s+3\s+1\s+33\.3%\s+45m 00s \(p90 1h 00m, n=2\)\s+5m 00s/m);
    expect(result.stdout).toMatch(/^2026-W46\s+1\s+1\s+0%\s+1h 00m \(p90 1h 00m, n=1\)\s+–$/m);
  });

  it('answers one function as JSON with --output json', async () => {
    // Act
    const result = await runCliAsync(world, ['metrics', '--local', '--function', 'billing', ...window, '--output', 'json']);

    // Assess
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout) as { function: string; overall: { deployments: number; changeFailureRate: number } };
    expect(body).toMatchObject({ function: 'billing', overall: { deployments: 4, changeFailureRate: 0.5 } });
  });

  it('refuses a window longer than 400 days naming --since, exit code 1, nothing printed on stdout', async () => {
    // Act
    const result = await runCliAsync(world, ['metrics', '--local', '--since', '401d']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"since"');
    expect(result.stderr).toContain('at most 400d');
  });
});
