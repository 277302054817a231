import { checkIntervalOf } from '../../shared/domain/spec/check-interval';
import { formatDuration } from '../../shared/domain/spec/duration';
import type { Plan, PlanAction, PlannedShortfall } from '../../shared/domain/plan/model';
import type { PlannedWaves } from '../../shared/domain/plan/waves';
import { PRICES } from '../../shared/domain/plan/cost';
import type { DeploymentSpec, StrategySpec } from '../../shared/model/spec';
import { evidenceRuleOf } from '../../shared/domain/spec/evidence';
import { sanitise, sanitiseDeep } from '../../shared/text/sanitise';
import { formatPercent, trafficBar } from './bar';
import type { Style } from './style';
import { renderTable } from './table';

/**
 * What `fledge plan` prints: a heading, the timeline with traffic bars, then duration and cost.
 * Texts from the spec (message, keys, image URI) are shown on one line, control characters escaped.
 */
export function formatPlan(input: { source: string; spec: DeploymentSpec; plan: Plan; functionExists: boolean }, style: Style): string {
  const { plan, functionExists } = input;
  const source = sanitise(input.source);
  const spec = sanitiseDeep(input.spec);
  const target = spec.function.arn ?? spec.function.name;
  const lines = [
    style.bold(`Plan for ${target}, alias ${spec.alias}`) + style.dim(` (${source})`),
    `Strategy: ${describeStrategy(spec.strategy)}${functionExists ? '' : ' (first deployment: the function is created and gets all traffic at once)'}`,
    `Health: ${describeHealth(spec)}; deployment timeout ${formatDuration(spec.timeout)}`,
    // A group: one timeline for all its functions (lockstep, or one after another), so one execution's cost.
    ...(spec.group
      ? [
          spec.group.shift === 'ordered'
            ? `Group (ordered): ${spec.group.members.length} functions move one after another, each walking the whole strategy to 100% while the later ones stay at 0%; any one failing rolls all back, those at 100% too: ${spec.group.members.map((member) => `${member.function.name}:${member.alias}`).join(' → ')}`
            : `Group (${spec.group.shift}): ${spec.group.members.length} functions move together, each step every one at the same weight; any one failing rolls all back: ${spec.group.members.map((member) => `${member.function.name}:${member.alias}`).join(', ')}`,
        ]
      : []),
    '',
  ];
  const rows = [[style.dim('AT'), style.dim('ACTION'), style.dim('TRAFFIC ON NEW VERSION')]];
  plan.actions.forEach((planned, index) => {
    rows.push([`+${formatDuration(planned.startsAt)}`, describeAction(planned.action, spec), trafficBar(planned.trafficAfter)]);
    const shortfall = plan.evidence.shortfalls.find((candidate) => candidate.action === index);
    if (shortfall) rows.push(['', style.dim(`  ${describeShortfall(shortfall)}`), '']);
  });
  lines.push(...renderTable(rows, '  '), '');
  if (plan.waves !== undefined) lines.push(...describeWaves(plan.waves, style), '');
  if (plan.webhooks?.length) lines.push(...describeWebhooks(plan, style), '');

  const approvals = plan.actions.filter((planned) => planned.action.kind === 'approval').length;
  const { cost } = plan;
  const worst = plan.evidence.worstCase;
  const asks = plan.evidence.shortfalls.some((shortfall) => shortfall.then === 'pause');
  const worstRow =
    worst.duration > plan.minimumDuration || worst.cost.stateTransitions > cost.stateTransitions
      ? [[style.bold('Worst case'), `${formatDuration(worst.duration)}, ${worst.cost.healthChecks} health checks, about ${formatUsd(worst.cost.usd)}: every pause short of invocations, extended to its limit${asks ? ' (then approved by a person)' : ''}`]]
      : [];
  lines.push(
    ...renderTable([
      [
        style.bold('Minimum duration'),
        formatDuration(plan.minimumDuration) + (approvals > 0 ? style.dim(` (plus the time ${approvals === 1 ? 'the approval takes' : `the ${approvals} approvals take`})`) : ''),
      ],
      ...worstRow,
      [
        style.bold('Cost'),
        `${cost.stateTransitions} state transitions, ${cost.lambdaInvocations} fledge Lambda invocations (${cost.healthChecks} health checks), ` +
          `${cost.userInvocations} invocation${cost.userInvocations === 1 ? '' : 's'} of your functions: about ${formatUsd(cost.usd)}`,
      ],
    ]),
    style.dim(
      `  (Step Functions Standard and Lambda at us-east-1 prices; fledge tasks assumed ${PRICES.taskMemoryGb * 1024} MB for ${PRICES.taskSeconds * 1000} ms; ` +
        `your own functions, CloudWatch and retries not included${spec.group ? `; one execution for the whole group, each task doing the work of ${spec.group.members.length} functions` : ''})`,
    ),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * One-line description of an action, saying what it does to the function or its traffic. The
 * action's texts (hook name, approval message) are escaped here; `spec` must be sanitised already.
 */
function describeAction(action: PlanAction, spec: DeploymentSpec): string {
  const group = spec.group?.members.length;
  if (group) {
    switch (action.kind) {
      case 'prepare':
        return `Prepare: lock all ${group} aliases (or none), record each for rollback`;
      case 'updateConfiguration':
      case 'updateCode':
        return `Update $LATEST of each of the ${group} functions from its artifact`;
      case 'publishVersion':
        return `Publish a new version of each of the ${group} functions (all before any traffic moves)`;
      case 'setWeight': {
        const member = action.member === undefined ? undefined : spec.group?.members[action.member];
        if (!member) return `Shift ${formatPercent(action.percent)} of traffic to the new version, on every member`;
        const name = `${member.function.name}:${member.alias}`;
        if (action.percent >= 100) return `${name}: all its traffic on its new version (its turn ends; promoted with the group)`;
        return `${name}: shift ${formatPercent(action.percent)} of its traffic to its new version`;
      }
      case 'promote':
        return spec.group?.shift === 'ordered' ? `Promote: the last member's alias points at its new version; every member recorded promoted` : `Promote: every member's alias points at its new version`;
      default:
        break;
    }
  }
  switch (action.kind) {
    case 'prepare':
      return `Prepare: check ${spec.function.name} and alias ${spec.alias}, record them for rollback`;
    case 'createFunction':
      return `Create function ${spec.function.name} from ${describeArtifact(spec)}`;
    case 'updateConfiguration':
      return `Update $LATEST configuration (${Object.keys(spec.configuration ?? {}).join(', ')})`;
    case 'updateCode':
      return `Update $LATEST code from ${describeArtifact(spec)}`;
    case 'publishVersion':
      return 'Publish a new version';
    case 'adoptVersion':
      return `Take ${describeArtifact(spec)} as the new version`;
    case 'smokeTest':
      return `Smoke test: invoke the new version${spec.health.smokeTest?.expect ? `, expect ${spec.health.smokeTest.expect.match} match` : ', expect no error'}`;
    case 'hook':
      return `Run ${action.phase} hook ${sanitise(action.functionName)}`;
    case 'setWeight':
      return `Shift ${formatPercent(action.percent)} of traffic to the new version`;
    case 'bake':
      return `Bake ${formatDuration(action.duration)}, health check every ${formatDuration(action.checkInterval)} (${action.checks} check${action.checks === 1 ? '' : 's'})`;
    case 'approval':
      return `Wait for approval (up to ${formatDuration(action.timeout)}${action.message ? `: "${truncate(action.message, 40)}"` : ''})`;
    case 'promote':
      return `Promote: alias ${spec.alias} points at the new version`;
    case 'cleanup':
      return `Clean up: keep the newest ${action.keepVersions} version${action.keepVersions === 1 ? '' : 's'}`;
  }
}

const WEBHOOK_WHEN: Readonly<Record<string, string>> = {
  beforeTraffic: 'before any traffic moves',
  beforeStep: 'before each weight increase',
  check: 'at each health check',
  beforePromotion: 'before the promotion',
  onRollback: 'on a rollback, told only: it cannot stop it',
};

/** The spec's webhooks: where each is called, how often on the planned path, and its limits. */
/** The waves of a spec with targets: which targets deploy together and when, the whole run's duration and cost. */
function describeWaves(waves: PlannedWaves, style: Style): string[] {
  const rows = [[style.dim('WAVE'), style.dim('AT'), style.dim('TARGETS (each runs the plan above)')]];
  waves.waves.forEach((wave, index) => {
    rows.push([String(index + 1), `+${formatDuration(wave.startsAt)}`, sanitise(wave.targets.map((target) => `${target.id} (${target.accountId}, ${target.region})`).join(', '))]);
  });
  const { cost } = waves;
  return [
    style.bold(`Waves: ${waves.waves.length}, ${waves.waves.reduce((sum, wave) => sum + wave.targets.length, 0)} targets`) + style.dim(' (a wave starts when the targets it depends on succeeded)'),
    ...renderTable(rows, '  '),
    `${style.bold('All waves')}: at least ${formatDuration(waves.minimumDuration)}; ${cost.stateTransitions} state transitions, ${cost.lambdaInvocations} fledge Lambda invocations, about ${formatUsd(cost.usd)}`,
  ];
}

function describeWebhooks(plan: Plan, style: Style): string[] {
  const webhooks = sanitiseDeep(plan.webhooks ?? []);
  const rows = [[style.dim('WEBHOOK'), style.dim('CALLED'), style.dim('TIMEOUT, RETRIES')]];
  for (const webhook of webhooks) {
    const name = webhook.name === webhook.host ? webhook.host : `${webhook.name} (${webhook.host})`;
    const calls = webhook.point === 'onRollback' ? '' : `, ${webhook.calls} call${webhook.calls === 1 ? '' : 's'}`;
    rows.push([`${webhook.point} ${name}`, `${WEBHOOK_WHEN[webhook.point] ?? webhook.point}${calls}`, `${formatDuration(webhook.timeout)}, ${webhook.retries} retr${webhook.retries === 1 ? 'y' : 'ies'}`]);
  }
  return [style.bold('Webhooks') + style.dim(' (signed POSTs; anything but a 2xx answer, or no answer, rolls back)'), ...renderTable(rows, '  ')];
}

function describeStrategy(strategy: StrategySpec): string {
  const preset = 'preset' in strategy && strategy.preset !== undefined ? ` (preset ${strategy.preset})` : '';
  switch (strategy.kind) {
    case 'canary':
      return `canary${preset}`;
    case 'linear':
      return `linear, ${formatPercent(strategy.percent)} every ${formatDuration(strategy.interval)}${preset}`;
    case 'allAtOnce':
      return `all at once${preset}`;
    case 'blueGreen':
      return 'blue/green: smoke test, then all traffic at once';
  }
}

function describeHealth(spec: DeploymentSpec): string {
  const parts = [];
  if (spec.health.alarms.length > 0) parts.push(`${spec.health.alarms.length} alarm${spec.health.alarms.length === 1 ? '' : 's'}`);
  if (spec.health.errorRate) {
    parts.push(`error rate of the new version under ${formatPercent(spec.health.errorRate.thresholdPercent)} (from ${spec.health.errorRate.minInvocations} invocations)`);
  }
  parts.push(...describeSignals(spec.health));
  if (parts.length === 0) parts.push('no alarms or error-rate rule');
  const { minInvocations } = evidenceRuleOf(spec.health, spec.strategy);
  const evidence = minInvocations > 0 ? `each pause needs ${minInvocations} invocation${minInvocations === 1 ? '' : 's'} of the new version` : 'pauses need no invocations (they only wait)';
  const interval = checkIntervalOf(spec.health);
  const sparse = interval !== spec.health.checkInterval ? ' (sparse: the event-driven abort is armed)' : '';
  return `${parts.join(' and ')}, checked every ${formatDuration(interval)}${sparse}; ${evidence}`;
}

/** The signal rules (latency, throttles, baseline, metrics, verdict rules), one phrase each; dry-run ones say so. */
function describeSignals(health: DeploymentSpec['health']): string[] {
  const parts: string[] = [];
  const dry = (rule: { dryRun: boolean }): string => (rule.dryRun ? ' (dry run: recorded, never gating)' : '');
  const percentiles = (values: Partial<Record<'p50' | 'p90' | 'p99', number>>, unit: string): string =>
    (['p50', 'p90', 'p99'] as const).flatMap((p) => (values[p] === undefined ? [] : [`${p} ≤ ${values[p]}${unit}`])).join(', ');
  if (health.latency) parts.push(`latency of the new version ${percentiles(health.latency, 'ms')} (from ${health.latency.minSamples} samples)${dry(health.latency)}`);
  if (health.throttles) parts.push(`at most ${health.throttles.max} throttles of the new version per pause${dry(health.throttles)}`);
  if (health.spillover) parts.push(`at most ${health.spillover.max} provisioned-concurrency spillover invocations per pause${dry(health.spillover)}`);
  const baseline = health.baseline;
  if (baseline) {
    const compared = [
      ...(baseline.latency ? [`latency ${(['p50', 'p90', 'p99'] as const).flatMap((p) => (baseline.latency?.[p] === undefined ? [] : [`${p} at most ${baseline.latency[p]}% above`])).join(', ')}`] : []),
      ...(baseline.errorRate ? [`error rate not significantly above (Fisher's exact test, level ${baseline.errorRate.significance})`] : []),
    ];
    parts.push(`against the old version: ${compared.join('; ')} (from ${baseline.minSamples} samples of each)${dry(baseline)}`);
  }
  for (const metric of health.metrics ?? []) {
    const rules = [...(metric.max !== undefined ? [`≤ ${metric.max}`] : []), ...(metric.min !== undefined ? [`≥ ${metric.min}`] : []), ...(metric.maxIncreasePercent !== undefined ? [`at most ${metric.maxIncreasePercent}% above the old version's`] : [])];
    parts.push(`metric ${metric.name} ${rules.join(', ')}${dry(metric)}`);
  }
  if ((health.failureLimit ?? 0) > 0) parts.push(`${health.failureLimit} failed check${health.failureLimit === 1 ? '' : 's'} tolerated`);
  if ((health.consecutiveSuccesses ?? 1) > 1) parts.push(`${health.consecutiveSuccesses} green checks in a row before moving on`);
  return parts;
}

/** What a pause short of evidence does: `if version … gets fewer than 20 invocations: up to 5m more (10 checks), then roll back`. */
function describeShortfall(shortfall: PlannedShortfall): string {
  const then = shortfall.then === 'pause' ? 'ask a person' : 'roll back';
  const more = shortfall.extension > 0 ? `up to ${formatDuration(shortfall.extension)} more (${shortfall.checks} check${shortfall.checks === 1 ? '' : 's'}), then ${then}` : then;
  return `fewer than ${shortfall.minInvocations} invocation${shortfall.minInvocations === 1 ? '' : 's'} of the new version: ${more}`;
}

function describeArtifact(spec: DeploymentSpec): string {
  const artifact = spec.artifact;
  if (artifact.kind === 'image') return artifact.imageUri;
  if (artifact.kind === 'published') return `version ${artifact.version}, already published (no code or configuration change)`;
  if (artifact.kind === 'fromLatest') return 'the highest published version at the start (no code or configuration change)';
  const where = artifact.bucket !== undefined ? `s3://${artifact.bucket}/${artifact.key}` : `${artifact.key} (next to the spec)`;
  return artifact.versionId !== undefined ? `${where} version ${artifact.versionId}` : where;
}

function formatUsd(usd: number): string {
  return usd >= 0.01 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(6)}`;
}

/** The first line of a message, at most `max` characters (code points: half a character prints as garbage), escaped. */
function truncate(text: string, max: number): string {
  const line = Array.from(text.trim().split('\n')[0] ?? '');
  return sanitise(line.length > max ? `${line.slice(0, max - 1).join('')}…` : line.join(''));
}
