import { describe, expect, it } from 'vitest';
import { PRESETS, PRESET_NAMES, resolvePreset } from '../../shared/domain/spec/presets';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { VALID_SPEC } from './fixtures';

describe('presets', () => {
  it('knows every CodeDeploy predefined Lambda configuration', () => {
    // Assess
    expect(PRESET_NAMES).toEqual([
      'Canary10Percent5Minutes',
      'Canary10Percent10Minutes',
      'Canary10Percent15Minutes',
      'Canary10Percent30Minutes',
      'Linear10PercentEvery1Minute',
      'Linear10PercentEvery2Minutes',
      'Linear10PercentEvery3Minutes',
      'Linear10PercentEvery10Minutes',
      'AllAtOnce',
    ]);
  });

  it.each(PRESET_NAMES.flatMap((name) => ['', 'Lambda', 'CodeDeployDefault.Lambda'].map((prefix) => [prefix + name, name])))(
    'resolves %s to the canonical preset %s',
    (spelling, canonical) => {
      // Act
      const result = parseDeploymentSpec(VALID_SPEC.replace('Canary10Percent5Minutes', spelling).concat('timeout: 2h\n'), 'spec.yaml');
      // Assess
      expect(result.ok && result.spec.strategy).toEqual(PRESETS[canonical]);
      expect(result.ok && 'preset' in result.spec.strategy && result.spec.strategy.preset).toBe(canonical);
    },
  );

  it.each([
    ['Canary10Percent5Minutes', { kind: 'canary', preset: 'Canary10Percent5Minutes', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }] }],
    ['Canary10Percent30Minutes', { kind: 'canary', preset: 'Canary10Percent30Minutes', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 1800 }] }],
    ['Linear10PercentEvery1Minute', { kind: 'linear', preset: 'Linear10PercentEvery1Minute', percent: 10, interval: 60 }],
    ['Linear10PercentEvery10Minutes', { kind: 'linear', preset: 'Linear10PercentEvery10Minutes', percent: 10, interval: 600 }],
    ['AllAtOnce', { kind: 'allAtOnce', preset: 'AllAtOnce' }],
  ])('expands %s to its strategy', (name, strategy) => {
    // Act / Assess
    expect(resolvePreset(name)).toEqual(strategy);
  });

  it.each(['canary10percent5minutes', 'CodeDeployDefault.ECSCanary10Percent5Minutes', 'Canary20Percent5Minutes', 'toString', 'constructor'])(
    'refuses the unknown name %s',
    (name) => {
      // Act / Assess
      expect(resolvePreset(name)).toBeUndefined();
    },
  );

  it('asks for a longer timeout when a slow preset does not fit the default', () => {
    // Act
    const result = parseDeploymentSpec(VALID_SPEC.replace('Canary10Percent5Minutes', 'Linear10PercentEvery10Minutes'), 'spec.yaml');
    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      expect.objectContaining({ path: 'strategy.preset', line: 7, message: expect.stringContaining('set "timeout: 1h31m" or more') }),
    ]);
  });
});
