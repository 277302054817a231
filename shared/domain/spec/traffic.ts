import type { StrategySpec, TrafficStep } from '../../model/spec';

/**
 * The traffic steps the engine walks for a strategy, always ending with `setWeight 100`
 * (the promotion). A linear strategy becomes percent, pause, 2×percent, pause, … below 100.
 */
export function expandTrafficSteps(strategy: StrategySpec): TrafficStep[] {
  switch (strategy.kind) {
    case 'allAtOnce':
    case 'blueGreen':
      return [{ type: 'setWeight', percent: 100 }];
    case 'linear': {
      const steps: TrafficStep[] = [];
      for (let k = 1; roundWeight(k * strategy.percent) < 100; k++) {
        steps.push({ type: 'setWeight', percent: roundWeight(k * strategy.percent) }, { type: 'pause', duration: strategy.interval });
      }
      steps.push({ type: 'setWeight', percent: 100 });
      return steps;
    }
    case 'canary': {
      const steps = [...strategy.steps];
      const last = steps.at(-1);
      if (!(last?.type === 'setWeight' && last.percent === 100)) steps.push({ type: 'setWeight', percent: 100 });
      return steps;
    }
  }
}

// Repeated additions of 0.1 drift (0.30000000000000004); weights are shown and compared as written.
function roundWeight(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
