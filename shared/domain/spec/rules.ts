import { formatDuration } from '../duration';
import { expandTrafficSteps } from '../plan/traffic';
import type { DeploymentSpec } from './model';
import type { PathSegment } from './problems';
import type { WrittenSpec } from './schema';

/** A rule broken by a spec that is otherwise well formed. */
export interface RuleViolation {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** Facts about the target that change what a valid spec is. */
export interface ValidationContext {
  /** False when the function does not exist yet: the spec must then say how to create it. */
  readonly functionExists?: boolean;
}

/**
 * Health checks a deployment may make. Every check is three Step Functions states and a few history
 * events; this keeps the longest allowed deployment far below the 25,000-event history limit.
 */
export const MAX_HEALTH_CHECKS = 2_000;

/** A deployment needs time beyond its waits for publishing, smoke tests, hooks and weight changes. */
export const TIMEOUT_MARGIN = 60;

interface Wait {
  readonly seconds: number;
  readonly kind: 'pause' | 'approval';
  readonly path: readonly PathSegment[];
}

/** The rules spanning several fields, checked once every field is valid on its own. */
export function checkRules(written: WrittenSpec, spec: DeploymentSpec, context: ValidationContext = {}): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const waits = waitsOf(written, spec);
  const strategyPath = ['strategy', Object.keys(written.strategy).find((key) => written.strategy[key as keyof typeof written.strategy] !== undefined) ?? 'preset'];

  // The deployment must be able to sit through every pause and wait out every approval.
  const needed = waits.reduce((sum, wait) => sum + wait.seconds, 0) + TIMEOUT_MARGIN;
  if (waits.length > 0 && spec.timeout < needed) {
    const what = waits.some((wait) => wait.kind === 'approval') ? 'its pauses and approval timeouts' : 'its pauses';
    violations.push({
      path: written.timeout !== undefined ? ['timeout'] : strategyPath,
      message:
        `the deployment timeout (${formatDuration(spec.timeout)}${written.timeout === undefined ? ', the default' : ''}) is shorter than ${what} ` +
        `plus ${formatDuration(TIMEOUT_MARGIN)} for the work around them (${formatDuration(needed)}): set "timeout: ${formatDuration(needed)}" or more`,
    });
  }

  const interval = spec.health.checkInterval;
  const intervalSource = written.health?.checkInterval !== undefined ? `health.checkInterval (${formatDuration(interval)})` : `the default health.checkInterval (${formatDuration(interval)})`;
  for (const wait of waits) {
    if (wait.kind === 'pause' && wait.seconds < interval) {
      violations.push({
        path: wait.path,
        message: `a pause of ${formatDuration(wait.seconds)} is shorter than ${intervalSource}, so no health check would run in it: lengthen the pause or lower the interval`,
      });
    }
  }

  const checks = waits.filter((wait) => wait.kind === 'pause').reduce((sum, wait) => sum + Math.ceil(wait.seconds / interval), 0);
  if (checks > MAX_HEALTH_CHECKS) {
    violations.push({
      path: written.health?.checkInterval !== undefined ? ['health', 'checkInterval'] : strategyPath,
      message: `the pauses need ${checks} health checks at one every ${formatDuration(interval)}; the limit is ${MAX_HEALTH_CHECKS}: raise health.checkInterval or shorten the pauses`,
    });
  }

  violations.push(...evidenceViolations(written, spec));

  if (spec.strategy.kind === 'blueGreen' && spec.health.smokeTest === undefined) {
    violations.push({
      path: ['strategy', 'blueGreen'],
      message: 'blueGreen moves all traffic after a smoke test, so it needs "health.smokeTest" (payload and expected result)',
    });
  }

  if (spec.artifact.kind === 'image') {
    for (const field of ['runtime', 'handler', 'layers'] as const) {
      if (written.configuration?.[field] !== undefined) {
        violations.push({ path: ['configuration', field], message: `container image functions take no "${field}": the image defines it` });
      }
    }
  }

  if (context.functionExists === false) {
    const required = spec.artifact.kind === 'zip' ? (['role', 'runtime', 'handler'] as const) : (['role'] as const);
    const missing = required.filter((field) => written.configuration?.[field] === undefined);
    if (missing.length > 0) {
      violations.push({
        path: written.configuration !== undefined ? ['configuration'] : [],
        message: `function "${spec.function.name}" does not exist yet, so the spec must say how to create it: configuration.${missing.join(', configuration.')} ${missing.length > 1 ? 'are' : 'is'} required`,
      });
    }
  }
  return violations;
}

/**
 * The evidence fields must agree with each other and with the error rate: a pause may not move on
 * with fewer invocations than the error rate needs to be judged at all, and the insufficient-data
 * settings mean nothing when no evidence is needed.
 */
function evidenceViolations(written: WrittenSpec, spec: DeploymentSpec): RuleViolation[] {
  const health = written.health;
  const violations: RuleViolation[] = [];
  const errorRate = spec.health.errorRate;
  if (health?.minInvocations !== undefined && errorRate !== undefined && health.minInvocations < errorRate.minInvocations) {
    const floor = `health.errorRate.minInvocations (${errorRate.minInvocations}${health.errorRate?.minInvocations === undefined ? ', the default' : ''})`;
    violations.push({
      path: ['health', 'minInvocations'],
      message:
        `${health.minInvocations} is below ${floor}: a pause could move on before the error rate of the new version was ever judged: ` +
        `raise minInvocations to ${errorRate.minInvocations} or more, or lower errorRate.minInvocations to ${Math.max(1, health.minInvocations)}`,
    });
  }
  if (spec.health.minInvocations === 0) {
    for (const field of ['onInsufficientData', 'maxExtension'] as const) {
      if (health?.[field] !== undefined) {
        violations.push({ path: ['health', field], message: `has no effect with "minInvocations: 0" (no evidence needed): remove it, or set minInvocations` });
      }
    }
  } else if (health?.maxExtension !== undefined && health.onInsufficientData !== undefined && health.onInsufficientData !== 'extend') {
    violations.push({
      path: ['health', 'maxExtension'],
      message: `only applies with "onInsufficientData: extend"; this spec says "${health.onInsufficientData}": remove maxExtension or extend`,
    });
  }
  return violations;
}

/** Every pause and approval the strategy waits through, with where it was written. */
function waitsOf(written: WrittenSpec, spec: DeploymentSpec): Wait[] {
  const strategy = spec.strategy;
  if (strategy.kind === 'linear') {
    const pauses = expandTrafficSteps(strategy).filter((step) => step.type === 'pause').length;
    const path = written.strategy.preset !== undefined ? ['strategy', 'preset'] : ['strategy', 'linear', 'interval'];
    return Array.from({ length: pauses }, () => ({ seconds: strategy.interval, kind: 'pause' as const, path }));
  }
  if (strategy.kind !== 'canary') return [];
  const fromPreset = written.strategy.preset !== undefined;
  return strategy.steps.flatMap((step, index): Wait[] => {
    const path = fromPreset ? ['strategy', 'preset'] : ['strategy', 'canary', 'steps', index, step.type];
    if (step.type === 'pause') return [{ seconds: step.duration, kind: 'pause', path }];
    if (step.type === 'approval') return [{ seconds: step.timeout, kind: 'approval', path }];
    return [];
  });
}
