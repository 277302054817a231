import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { ROOT, runCli } from './run-cli';

// Issue 18: `fledge init` writes a starter spec for an existing function, from answers to its
// questions (standard input) or from flags with --yes; it never overwrites without --force.

const folder = (): string => mkdtempSync(join(tmpdir(), 'fledge-init-'));

describe('fledge init', () => {
  it('asks, then writes a valid spec from the answers, the flags and defaults filling empty answers', () => {
    // Prepare: function, alias (default), artifact kind, zip (default), preset, alarms, error rate (default).
    const file = join(folder(), 'orders.yaml');

    // Act
    const result = runCli(['init', file, '--preset', 'Linear10PercentEvery1Minute'], { input: 'orders-api\n\nzip\n\n\norders-errors, orders-p99\n\n' });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Lambda function (name or ARN): ');
    expect(result.stderr).toContain('Strategy preset [Linear10PercentEvery1Minute]: ');
    expect(result.stdout).toContain(`wrote ${file} (function orders-api, alias live)`);
    const text = readFileSync(file, 'utf8');
    expect(parseDeploymentSpec(text, file)).toMatchObject({
      ok: true,
      spec: { function: { name: 'orders-api' }, alias: 'live', artifact: { kind: 'zip', key: 'build/orders-api.zip' }, strategy: { kind: 'linear', preset: 'Linear10PercentEvery1Minute' }, health: { alarms: ['orders-errors', 'orders-p99'], errorRate: { thresholdPercent: 5 } } },
    });
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
    expect(schema && join(file, '..', schema)).toBe(join(ROOT, 'schema/fledge-spec.schema.json'));
  });

  it('writes from flags with --yes, adopting the highest published version', () => {
    // Prepare
    const file = join(folder(), 'fledge.yaml');

    // Act
    const result = runCli(['init', file, '--yes', '--function', 'orders-api', '--from-latest', '--alias', 'prod', '--error-rate', 'none', '--alarm', 'orders-errors']);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(parseDeploymentSpec(readFileSync(file, 'utf8'), file)).toMatchObject({ ok: true, spec: { alias: 'prod', artifact: { kind: 'fromLatest' }, health: { alarms: ['orders-errors'] } } });
    expect(readFileSync(file, 'utf8')).not.toContain('errorRate');
  });

  it('refuses to overwrite a file without --force, and overwrites it with --force', () => {
    // Prepare
    const file = join(folder(), 'fledge.yaml');
    writeFileSync(file, 'mine\n');

    // Act
    const refused = runCli(['init', file, '--yes', '--function', 'orders-api']);
    const kept = readFileSync(file, 'utf8');
    const forced = runCli(['init', file, '--yes', '--function', 'orders-api', '--published-version', '42', '--force']);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`fledge: ${file} exists: pass --force to overwrite it\n`);
    expect(kept).toBe('mine\n');
    expect(forced.code, forced.stderr).toBe(0);
    expect(parseDeploymentSpec(readFileSync(file, 'utf8'), file)).toMatchObject({ ok: true, spec: { artifact: { kind: 'published', version: '42' } } });
  });

  it('writes nothing when the answers make an invalid spec, naming the field', () => {
    // Prepare
    const file = join(folder(), 'fledge.yaml');

    // Act
    const result = runCli(['init', file, '--yes', '--function', 'orders api', '--preset', 'Canary99Percent']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/function/);
    expect(result.stderr).toMatch(/strategy\.preset/);
    expect(result.stderr).toContain('was not written');
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    [['--yes'], '--yes needs --function <name>'],
    [['--yes', '--function', 'f', '--zip', 'a.zip', '--from-latest'], 'give at most one of --zip, --published-version and --from-latest'],
  ])('refuses %j as a usage error', (args, message) => {
    // Act
    const result = runCli(['init', join(folder(), 'fledge.yaml'), ...args]);

    // Assess
    expect(result).toMatchObject({ code: 2, stderr: `fledge: ${message}\n` });
  });

  it('says which question went unanswered when standard input ends, and writes nothing', () => {
    // Prepare
    const file = join(folder(), 'fledge.yaml');

    // Act
    const result = runCli(['init', file], { input: 'orders-api\n' });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('fledge: no answer to "Alias whose traffic fledge moves" (standard input ended)');
    expect(existsSync(file)).toBe(false);
  });
});
