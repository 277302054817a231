import { abortArmed } from './check-interval';
import { formatDuration } from './duration';
import { splitsTraffic } from './steps';
import { expandTrafficSteps } from './traffic';
import { describeBytes, LIMITS } from '../../model/spec-limits';
import type { DeploymentSpec } from '../../model/spec';
import { homeOfFunction, type Home } from './names';
import { largestPart, jsonBytes } from './measure';
import type { PathSegment } from '../../model/spec';
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
  /**
   * Where fledge runs. fledge deploys and invokes only there, so a function or hook named by the
   * ARN of another partition, region or account is refused. Unknown offline (`fledge validate`),
   * where ARNs are accepted as written; the starters always know it.
   */
  readonly home?: Home;
}

/** Health checks a deployment may make: {@link LIMITS.maxHealthChecks}. */
export const MAX_HEALTH_CHECKS = LIMITS.maxHealthChecks;

/** Time a deployment needs beyond its waits: {@link LIMITS.timeoutMargin}. */
export const TIMEOUT_MARGIN = LIMITS.timeoutMargin;

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

  // The deployment must be able to sit through every pause and wait out every approval; an
  // ordered group walks the strategy once per member, one after another.
  const walks = spec.group?.shift === 'ordered' ? spec.group.members.length : 1;
  const needed = waits.reduce((sum, wait) => sum + wait.seconds * (wait.path[0] === 'strategy' ? walks : 1), 0) + TIMEOUT_MARGIN;
  if (waits.length > 0 && spec.timeout < needed) {
    const what = (waits.some((wait) => wait.kind === 'approval') ? 'its pauses and approval timeouts' : 'its pauses') + (walks > 1 ? ` (walked by each of the ${walks} members of the ordered group, one after another)` : '');
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

  const armed = spec.health.armedCheckInterval;
  if (armed !== undefined) {
    if (!abortArmed(spec.health)) {
      violations.push({ path: ['health', 'armedCheckInterval'], message: 'applies only while alarms gate the deployment (the event-driven abort is armed): add health.alarms or health.errorRate, or remove it' });
    } else if (armed < interval) {
      violations.push({ path: ['health', 'armedCheckInterval'], message: `${formatDuration(armed)} is shorter than ${intervalSource}: checks while the abort is armed are sparser, not denser; raise it or remove it` });
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

  violations.push(...adoptionViolations(written, spec, context));
  if (written.targets !== undefined) violations.push(...targetRuleViolations(written));
  else if (written.rollbackPromotedWaves !== undefined) violations.push({ path: ['rollbackPromotedWaves'], message: 'says what happens to promoted waves, so it needs "targets"' });
  if (context.home !== undefined && written.targets === undefined) violations.push(...elsewhere(written, context.home));
  violations.push(...groupViolations(written, spec));

  // The engine carries the normalised spec and its expanded steps through every Step Functions state.
  const stateBytes = jsonBytes(spec) + jsonBytes(expandTrafficSteps(spec.strategy));
  if (stateBytes > LIMITS.maxSpecStateBytes) {
    const part = largestPart(written);
    violations.push({
      path: part.path,
      message:
        `the spec takes ${stateBytes} bytes in the deployment's Step Functions state (normalised, YAML aliases expanded, with its traffic steps); ` +
        `the limit is ${describeBytes(LIMITS.maxSpecStateBytes)}, half of what Step Functions allows per state (${describeBytes(LIMITS.stepFunctionsPayloadBytes)})` +
        `${part.path.length > 0 ? `: ${part.bytes} bytes of it are here` : ''}`,
    });
  }

  if (context.functionExists === false && (spec.artifact.kind === 'zip' || spec.artifact.kind === 'image')) {
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
 * An adopted version (`artifact.version`, `artifact.fromLatest`) is shifted to as it was published:
 * fledge writes neither configuration nor code, so the spec cannot ask for either, and there must
 * be a function that published it.
 */
function adoptionViolations(written: WrittenSpec, spec: DeploymentSpec, context: ValidationContext): RuleViolation[] {
  if (spec.artifact.kind !== 'published' && spec.artifact.kind !== 'fromLatest') return [];
  const field = spec.artifact.kind === 'published' ? 'version' : 'fromLatest';
  const violations: RuleViolation[] = [];
  if (written.configuration !== undefined) {
    violations.push({
      path: ['configuration'],
      message: `artifact.${field} shifts traffic to a version already published, which carries its own configuration: fledge changes none, so remove "configuration" (change it with the tool that publishes the versions)`,
    });
  }
  if (context.functionExists === false) {
    violations.push({ path: ['artifact', field], message: `function "${spec.function.name}" does not exist: artifact.${field} adopts a version that another tool published, so the function must exist` });
  }
  return violations;
}

/**
 * A group moves each alias once: two members on the same function and alias would be one alias
 * split by itself. A member's zip names its bucket: only the spec's own artifact may be relative
 * to the folder of a dropped spec (the starters resolve that one). A member's image takes no
 * runtime, handler or layers, as the spec's own does not. A final bake and a provisioned-concurrency
 * amount are a single function's (the group's promotion does not bake, and moves no PC): refused,
 * never ignored.
 */
function groupViolations(written: WrittenSpec, spec: DeploymentSpec): RuleViolation[] {
  const members = written.group?.members;
  if (!spec.group || !members) return [];
  const violations: RuleViolation[] = [];
  if (written.finalBake !== undefined) violations.push({ path: ['finalBake'], message: 'a group is promoted without a final bake (not supported for groups yet): lengthen the last pause of the strategy instead, or deploy the functions one by one' });
  if (typeof spec.provisionedConcurrency === 'number') {
    violations.push({ path: ['provisionedConcurrency'], message: 'a group does not manage provisioned concurrency (not supported for groups yet): set provisionedConcurrency: off to shift without it, or deploy the function with PC on its own' });
  }
  const seen = new Map<string, string>([[`${spec.function.name}:${spec.alias}`, 'the spec\'s own function']]);
  spec.group.members.slice(1).forEach((member, index) => {
    const key = `${member.function.name}:${member.alias}`;
    const first = seen.get(key);
    if (first !== undefined) violations.push({ path: ['group', 'members', index, 'alias'], message: `${key} is already in the group (${first}): each alias moves once per deployment` });
    else seen.set(key, `group.members[${index}]`);
    if (member.artifact.kind === 'zip' && member.artifact.bucket === undefined) {
      violations.push({ path: ['group', 'members', index, 'artifact', 'zip'], message: 'a group member names its zip with its bucket (s3://bucket/key): only the spec\'s own artifact may be relative to the spec\'s folder' });
    }
    if (member.artifact.kind === 'image') {
      for (const field of ['runtime', 'handler', 'layers'] as const) {
        if (members[index]?.configuration?.[field] !== undefined) violations.push({ path: ['group', 'members', index, 'configuration', field], message: `container image functions take no "${field}": the image defines it` });
      }
    }
  });
  return violations;
}

/** With targets, each target says where: the function and hooks are named, not given by ARN. */
function targetRuleViolations(written: WrittenSpec): RuleViolation[] {
  const named: { path: readonly PathSegment[]; text: string }[] = [{ path: ['function'], text: written.function }];
  for (const phase of ['beforeTraffic', 'afterTraffic'] as const) {
    const hook = written.hooks?.[phase];
    if (hook !== undefined) named.push({ path: ['hooks', phase], text: hook });
  }
  return named
    .filter(({ text }) => text.startsWith('arn:'))
    .map(({ path }) => ({ path, message: 'with "targets", name the function by its name, not an ARN: each target\'s account and region say where it is' }));
}

/** Functions the spec names by the ARN of a partition, region or account other than fledge's own. */
function elsewhere(written: WrittenSpec, home: Home): RuleViolation[] {
  const named: { path: readonly PathSegment[]; text: string; what: string }[] = [
    { path: ['function'], text: written.function, what: 'deploys' },
    ...(written.group?.members ?? []).map((member, index) => ({ path: ['group', 'members', index, 'function'], text: member.function, what: 'deploys' })),
  ];
  for (const phase of ['beforeTraffic', 'afterTraffic'] as const) {
    const hook = written.hooks?.[phase];
    if (hook !== undefined) named.push({ path: ['hooks', phase], text: hook, what: 'invokes hooks' });
  }
  const describe = (where: Home): string => `account ${where.accountId}, region ${where.region}${where.partition === 'aws' ? '' : ` (partition ${where.partition})`}`;
  return named.flatMap(({ path, text, what }): RuleViolation[] => {
    const where = homeOfFunction(text);
    if (where === undefined || (where.partition === home.partition && where.region === home.region && where.accountId === home.accountId)) return [];
    return [
      {
        path,
        message:
          `this ARN is in ${describe(where)}, but fledge runs in ${describe(home)} and ${what} only there: ` +
          'cross-account and cross-region deployments are not supported; name a function of this account and region, or run fledge where the function is',
      },
    ];
  });
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

/** Every pause and approval the deployment waits through, with where it was written: the strategy's, then the final bake. */
function waitsOf(written: WrittenSpec, spec: DeploymentSpec): Wait[] {
  const final: Wait[] = spec.finalBake === undefined ? [] : [{ seconds: spec.finalBake, kind: 'pause', path: ['finalBake'] }];
  return [...strategyWaitsOf(written, spec), ...final];
}

function strategyWaitsOf(written: WrittenSpec, spec: DeploymentSpec): Wait[] {
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

/**
 * What a valid spec should be told before it runs: each names a way the deployment may stop
 * that the spec alone cannot rule out. They do not make the spec invalid.
 *
 * A strategy that splits traffic (a canary or linear weight below 100% followed by a pause or an
 * approval) needs both versions of the alias to have the same execution role and dead-letter
 * queue: Lambda refuses a weighted alias otherwise. Offline, fledge cannot know the current
 * version's; at run time the engine compares them before any weight moves and, when they
 * differ, rolls back with fledge.IncompatibleVersions (nothing shifted). A first deployment
 * never splits.
 */
export function checkAdvisories(written: WrittenSpec, spec: DeploymentSpec, context: ValidationContext = {}): RuleViolation[] {
  return [...splitAdvisories(written, spec, context), ...webhookAdvisories(spec, context)];
}

/**
 * Webhooks at a point the deployment never reaches: `beforeStep` when no weight below 100% is
 * ever set (allAtOnce, blueGreen, a first deployment), `check` when no pause runs a health check.
 * Valid (the spec may be shared between functions), but likely not what was meant.
 */
function webhookAdvisories(spec: DeploymentSpec, context: ValidationContext): RuleViolation[] {
  const steps = context.functionExists === false ? [] : expandTrafficSteps(spec.strategy);
  const why = context.functionExists === false ? 'a first deployment moves all traffic at once' : `this ${spec.strategy.kind} strategy`;
  const advisories: RuleViolation[] = [];
  if (spec.webhooks?.beforeStep && !splitsTraffic(steps, spec.approval)) {
    advisories.push({ path: ['webhooks', 'beforeStep'], message: `never called: ${why} sets no weight below 100% (the promotion has beforePromotion)` });
  }
  if (spec.webhooks?.check && !steps.some((step) => step.type === 'pause' && step.duration > 0)) {
    advisories.push({ path: ['webhooks', 'check'], message: `never called: ${why} has no pause, so no health check runs` });
  }
  return advisories;
}

function splitAdvisories(written: WrittenSpec, spec: DeploymentSpec, context: ValidationContext): RuleViolation[] {
  if (context.functionExists === false) return [];
  if (!splitsTraffic(expandTrafficSteps(spec.strategy), spec.approval)) return [];
  const strategy = spec.strategy.kind;
  const advisories: RuleViolation[] = [];
  const fields = [
    ['role', 'execution role'],
    ['deadLetterTarget', 'dead-letter queue configuration'],
  ] as const;
  for (const [field, what] of fields) {
    if (written.configuration?.[field] === undefined) continue;
    advisories.push({
      path: ['configuration', field],
      message:
        `a ${strategy} strategy splits the alias between the new version and the current one, and Lambda splits an alias only between versions with the same ${what}: ` +
        `if configuration.${field} is not what the alias's current version has, the deployment stops before any traffic moves (fledge.IncompatibleVersions) and rolls back. ` +
        `To change it, deploy with strategy allAtOnce or blueGreen${field === 'role' ? '; to keep the current role, leave configuration.role out' : ''}`,
    });
  }
  return advisories;
}
