import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { planDeployment } from '../../shared/domain/plan/planner';
import { PRICES } from '../../shared/domain/plan/cost';
import type { StrategySpec } from '../../shared/model/spec';
import { PRESETS } from '../../shared/domain/spec/presets';
import type { Figure } from '../lib/result';
import { benchCode, benchSpec, deploymentId, executionEnd, executionHistory, existingFunction, startDeployment, startWorld, uploadArtifact } from '../lib/world';

/*
 * Figure 3. Every preset, and a 10-step linear with 1-minute checks, run to the end on the embedded
 * Step Functions; the bill is counted from the real execution history the way AWS counts it: one
 * state transition per *StateEntered event (retries included), one Lambda request per
 * TaskScheduled. The counts are exact, not sampled, so one run of each is the figure; all run at
 * once to keep the bench short, on a clock compressed 500 times (waiting costs nothing to count).
 */

const TIME_SCALE = 0.002;
const CHECK_INTERVAL = 60;
const TARGET_PER_UNIT = 4;

const LINEAR_5 = '5-step linear, 1-minute checks';
const CASES: { label: string; strategy: StrategySpec }[] = [
  ...Object.entries(PRESETS).map(([label, strategy]) => ({ label, strategy })),
  { label: LINEAR_5, strategy: { kind: 'linear', percent: 20, interval: 60 } },
  { label: '10-step linear, 1-minute checks', strategy: { kind: 'linear', percent: 10, interval: 60 } },
];

/** A 24-hour bake with the event-driven abort armed, checked sparsely (hourly): run for real on its own, faster clock. */
const BAKE_24H: StrategySpec = { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 86_400 }] };
const SPARSE_INTERVAL = 3600;
const BAKE_TIME_SCALE = 0.0002;

interface CaseResult {
  readonly label: string;
  readonly status: string;
  readonly stateTransitions: number;
  readonly lambdaInvocations: number;
  readonly healthChecks: number;
  readonly nextStepRuns: number;
  readonly perCheck: number | null;
  readonly perStep: number;
  readonly usd: number;
  readonly planned: { readonly stateTransitions: number; readonly lambdaInvocations: number; readonly usd: number };
}

/** Dollars of one deployment at the published prices (shared/domain/plan/cost.ts's PRICES and its assumed task size). */
function dollars(transitions: number, invocations: number): number {
  return transitions * PRICES.stateTransition + invocations * (PRICES.lambdaRequest + PRICES.taskMemoryGb * PRICES.taskSeconds * PRICES.lambdaGbSecond);
}

function enteredByState(history: readonly HistoryEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of history) {
    if (!event.type?.endsWith('StateEntered')) continue;
    const name = event.stateEnteredEventDetails?.name ?? '?';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** The 24-hour bake with hourly checks, counted from its real execution. */
async function sparseBake(): Promise<{ status: string; stateTransitions: number; lambdaInvocations: number; healthChecks: number; planned: { stateTransitions: number; lambdaInvocations: number } }> {
  const world = await startWorld(BAKE_TIME_SCALE);
  try {
    const name = 'bench-cost-bake';
    await existingFunction(world, name, benchCode('v1'));
    // Armed: fledge's alarm on the new version gates it, so its change to ALARM aborts at once.
    // A deadline beyond the bench's default of 24 hours, which the bake itself fills.
    const spec = { ...benchSpec(name, BAKE_24H, { checkInterval: CHECK_INTERVAL, armedCheckInterval: SPARSE_INTERVAL, minInvocations: 0, errorRate: { thresholdPercent: 5, minInvocations: 5 } }), timeout: 26 * 3600 };
    const arn = await startDeployment(world, deploymentId('cost-bake'), spec, await uploadArtifact(world, `${name}/v2.zip`, benchCode('v2')));
    const { status } = await executionEnd(world, arn);
    const history = await executionHistory(world, arn);
    const entered = enteredByState(history);
    const plan = planDeployment(spec).cost;
    return {
      status,
      stateTransitions: Object.values(entered).reduce((sum, n) => sum + n, 0),
      lambdaInvocations: history.filter((event) => event.type === 'TaskScheduled' || event.type === 'LambdaFunctionScheduled').length,
      healthChecks: entered.Check ?? 0,
      planned: { stateTransitions: plan.stateTransitions, lambdaInvocations: plan.lambdaInvocations },
    };
  } finally {
    await world.stop();
  }
}

export const costFigure: Figure = {
  id: 'cost',
  title: 'Cost per deployment',
  async run() {
    const world = await startWorld(TIME_SCALE);
    try {
      const results = await Promise.all(
        CASES.map(async ({ label, strategy }, index): Promise<CaseResult> => {
          const name = `bench-cost-${index}`;
          await existingFunction(world, name, benchCode('v1'));
          // No traffic in this figure: its pauses are timed waits (minInvocations: 0), not what it measures.
          const spec = benchSpec(name, strategy, { checkInterval: CHECK_INTERVAL, minInvocations: 0 });
          const arn = await startDeployment(world, deploymentId(`cost-${index}`), spec, await uploadArtifact(world, `${name}/v2.zip`, benchCode('v2')));
          const { status } = await executionEnd(world, arn);
          const history = await executionHistory(world, arn);
          const entered = enteredByState(history);
          const stateTransitions = Object.values(entered).reduce((sum, n) => sum + n, 0);
          const lambdaInvocations = history.filter((event) => event.type === 'TaskScheduled' || event.type === 'LambdaFunctionScheduled').length;
          const healthChecks = entered.Check ?? 0;
          const nextStepRuns = entered.NextStep ?? 0;
          const plan = planDeployment(spec).cost;
          return {
            label,
            status,
            stateTransitions,
            lambdaInvocations,
            healthChecks,
            nextStepRuns,
            perCheck: healthChecks ? ((entered.Bake ?? 0) + healthChecks + (entered.AfterCheck ?? 0)) / healthChecks : null,
            perStep: ((entered.NextStep ?? 0) + (entered.Route ?? 0)) / Math.max(1, nextStepRuns),
            usd: dollars(stateTransitions, lambdaInvocations),
            planned: { stateTransitions: plan.stateTransitions, lambdaInvocations: plan.lambdaInvocations, usd: plan.usd },
          };
        }),
      );
      const worstCheck = Math.max(...results.map((r) => r.perCheck ?? 0));
      // The marginal cost of one weight step with one health check, measured: the 10-step linear
      // minus the 5-step one (9 and 4 pauses of one check each), per step.
      const ten = results.at(-1)!;
      const five = results.find((r) => r.label === LINEAR_5)!;
      const stepTransitions = (ten.stateTransitions - five.stateTransitions) / (ten.healthChecks - five.healthChecks);
      const stepInvocations = (ten.lambdaInvocations - five.lambdaInvocations) / (ten.healthChecks - five.healthChecks);
      const bake = await sparseBake();
      const polled = planDeployment({ ...benchSpec('bench-bake-polled', BAKE_24H, { checkInterval: CHECK_INTERVAL, minInvocations: 0 }), timeout: 26 * 3600 }).cost;
      const allSucceeded = results.every((r) => r.status === 'SUCCEEDED');
      const agrees = results.every((r) => r.planned.stateTransitions === r.stateTransitions && r.planned.lambdaInvocations === r.lambdaInvocations);
      const rows = results.map((r) => ({
        measure: `cost of ${r.label}`,
        value: `${r.stateTransitions} transitions, ${r.lambdaInvocations} fledge invocations, $${r.usd.toFixed(5)} (${r.healthChecks} checks, ${r.nextStepRuns} NextStep runs)${r.status === 'SUCCEEDED' ? '' : `, ended ${r.status}`}`,
        target: 'informational',
        detail: true,
      }));
      const linear = results.at(-1)!;
      return {
        timeScale: TIME_SCALE,
        rows: [
          { measure: 'state transitions per bake check (worst case over all runs)', value: `${worstCheck}`, target: `≤ ${TARGET_PER_UNIT}`, pass: worstCheck <= TARGET_PER_UNIT && allSucceeded },
          { measure: 'a weight step with one health check (measured: 10-step minus 5-step linear, per step)', value: `${stepTransitions} transitions, ${stepInvocations} fledge invocation${stepInvocations === 1 ? '' : 's'}`, target: '≤ 3 transitions, ≤ 1 invocation', pass: stepTransitions <= 3 && stepInvocations <= 1 && allSucceeded },
          {
            measure: `a 24-hour bake, event-driven abort armed, \`armedCheckInterval: ${SPARSE_INTERVAL / 60}m\` (a real run)`,
            value: `${bake.stateTransitions} transitions, ${bake.lambdaInvocations} invocations (${bake.healthChecks} checks), $${dollars(bake.stateTransitions, bake.lambdaInvocations).toFixed(5)}${bake.status === 'SUCCEEDED' ? '' : `, ended ${bake.status}`}; the plan said ${bake.planned.stateTransitions} / ${bake.planned.lambdaInvocations}`,
            target: 'informational',
          },
          {
            measure: `the same 24-hour bake polled every ${CHECK_INTERVAL} s (the plan, exact by the agreement test)`,
            value: `${polled.stateTransitions} transitions, ${polled.lambdaInvocations} invocations (${polled.healthChecks} checks), $${polled.usd.toFixed(5)}`,
            target: 'informational',
          },
          { measure: `cost of ${linear.label} (every preset in the section below)`, value: `${linear.stateTransitions} transitions, ${linear.lambdaInvocations} invocations, $${linear.usd.toFixed(5)}`, target: 'informational' },
          ...rows,
        ],
        notes: [
          `Each deployment is a real execution of state-machines/deployment.asl.yml on the embedded Step Functions, health checked every ${CHECK_INTERVAL} s; counted from GetExecutionHistory as AWS bills it (a transition per \`*StateEntered\` event, a Lambda request per \`TaskScheduled\`). A bake check is Bake (Wait) → Check → AfterCheck (3 transitions, 1 invocation); the check that ends a pause applies the next weight itself (check-then-shift), so a weight step with one check costs those 3 transitions and 1 invocation (it was 5 and 2: NextStep → Route after every pause); NextStep → Route runs once before the first pause and after each approval; once per deployment: Prepare, Publish, PublishedChoice, PreTraffic, Promote, AfterPromote, Succeeded (7 transitions, 4 invocations).`,
          `Dollars at the published us-east-1 prices in shared/domain/plan/cost.ts: $0.025 per 1,000 transitions, $0.20 per million Lambda requests, and each fledge task taken as 256 MB for 200 ms ($0.0000166667 per GB-s). The user's own function invocations (traffic) are not fledge's cost and are not counted. The planner (\`fledge plan\`) ${agrees ? 'predicted every count exactly' : 'disagreed with some counts: see latest.json'}.`,
          `A bake's cost grows with pause ÷ checkInterval: a 24-hour bake checked every minute is 1,440 checks = 4,320 transitions ≈ $0.11. With the event-driven abort (every gating alarm's change to ALARM rolls back at once, see the abort figure) the checks are no longer what reacts, so a long bake can be checked sparsely: hourly, the 24-hour bake is 24 checks, run for real above on a clock compressed ${Math.round(1 / BAKE_TIME_SCALE)} times.`,
        ],
        data: { checkInterval: CHECK_INTERVAL, cases: results, weightStep: { stateTransitions: stepTransitions, lambdaInvocations: stepInvocations }, bake24h: { sparse: bake, polled } },
      };
    } finally {
      await world.stop();
    }
  },
};
