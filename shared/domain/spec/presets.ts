import type { StrategySpec } from '../../model/spec';

/**
 * The traffic-shifting configurations CodeDeploy predefines for Lambda, by their SAM name
 * (`DeploymentPreference.Type`). CodeDeploy itself calls them `CodeDeployDefault.Lambda<name>`.
 * A canary moves its percent, waits, then moves the rest; a linear moves its percent at every
 * interval until 100%.
 */
export const PRESETS: Readonly<Record<string, StrategySpec>> = {
  Canary10Percent5Minutes: canary(10, 5),
  Canary10Percent10Minutes: canary(10, 10),
  Canary10Percent15Minutes: canary(10, 15),
  Canary10Percent30Minutes: canary(10, 30),
  Linear10PercentEvery1Minute: linear(10, 1),
  Linear10PercentEvery2Minutes: linear(10, 2),
  Linear10PercentEvery3Minutes: linear(10, 3),
  Linear10PercentEvery10Minutes: linear(10, 10),
  AllAtOnce: { kind: 'allAtOnce', preset: 'AllAtOnce' },
};

/** Canonical preset names, in documentation order. */
export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

// Accepted spellings: `Canary10Percent5Minutes`, `LambdaCanary10Percent5Minutes`,
// `CodeDeployDefault.LambdaCanary10Percent5Minutes`.
const PREFIXES = ['CodeDeployDefault.Lambda', 'Lambda', ''] as const;

/** Every accepted spelling of every preset, for suggestions. */
export const PRESET_SPELLINGS: readonly string[] = PREFIXES.flatMap((prefix) => PRESET_NAMES.map((name) => prefix + name));

/**
 * Resolves a preset name written with or without the `Lambda` / `CodeDeployDefault.Lambda` prefix.
 *
 * @returns the strategy it stands for (recording the canonical name), or undefined for an unknown name.
 */
export function resolvePreset(name: string): StrategySpec | undefined {
  for (const prefix of PREFIXES) {
    if (name.startsWith(prefix)) {
      const strategy = PRESETS[name.slice(prefix.length)];
      if (strategy !== undefined && Object.hasOwn(PRESETS, name.slice(prefix.length))) return strategy;
    }
  }
  return undefined;
}

function canary(percent: number, minutes: number): StrategySpec {
  return {
    kind: 'canary',
    preset: `Canary${percent}Percent${minutes}Minutes`,
    steps: [
      { type: 'setWeight', percent },
      { type: 'pause', duration: minutes * 60 },
    ],
  };
}

function linear(percent: number, minutes: number): StrategySpec {
  return {
    kind: 'linear',
    preset: `Linear${percent}PercentEvery${minutes}Minute${minutes === 1 ? '' : 's'}`,
    percent,
    interval: minutes * 60,
  };
}
