import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../../shared/domain/spec/presets';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';

const DOC = readFileSync(new URL('../../docs/spec.md', import.meta.url), 'utf8');

describe('docs/spec.md', () => {
  it('opens with a complete example that validates', () => {
    // Prepare
    const example = /## A complete example\s+```yaml\n([\s\S]*?)```/.exec(DOC)?.[1];
    // Act
    const result = parseDeploymentSpec(example ?? '', 'docs/spec.md');
    // Assess
    expect(example).toBeDefined();
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('matches the README, whose spec example validates too', () => {
    // Prepare
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = /## Writing a deployment spec[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    // Act
    const result = parseDeploymentSpec(example ?? '', 'README.md');
    // Assess
    expect(example).toBeDefined();
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(readme).toContain('npx fledge plan');
  });

  it('names only example specs that exist and validate in the README', () => {
    // Prepare
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const named = [...new Set([...readme.matchAll(/examples\/[\w./-]+\.ya?ml/g)].map((match) => match[0]))];
    // Act
    const problems = named.flatMap((path) => {
      const result = parseDeploymentSpec(readFileSync(new URL(`../../${path}`, import.meta.url)), path);
      return result.ok ? [] : result.problems.map((problem) => `${path}: ${problem.path} ${problem.message}`);
    });
    // Assess
    expect(named.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it('documents every preset', () => {
    // Assess
    for (const name of PRESET_NAMES) expect(DOC).toContain(`| \`${name}\` |`);
  });

  it('shows error lines that match what the validator says for the same mistakes', () => {
    // Prepare
    const text = [
      'version: 2',
      'function: orders-api',
      'alias: live',
      'artifact: { zip: a.zip }',
      'strategy:',
      '  canary:',
      '    steps:',
      '      - setWeight: 10',
      '      - pause: 5m',
      '',
      '',
      '      - setWeigth: 50',
      '      - setWeight: 5',
    ].join('\n');
    // Act
    const result = parseDeploymentSpec(text, 'deploy.yaml');
    // Assess
    const messages = result.ok ? [] : result.problems.map((problem) => `${problem.path}  ${problem.message}`);
    for (const message of messages) expect(DOC).toContain(message);
    expect(messages).toHaveLength(3);
  });
});
