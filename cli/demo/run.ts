import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { formatTrafficSummary } from '../format/traffic';
import type { Style } from '../format/style';
import type { LocalMode } from '../../local/mode';
import { approvalLinksOf, readOutbox } from '../../local/outbox-watch';
import { percentOf, startTraffic, type TrafficRun, type TrafficStats } from '../../local/traffic';
import { startInProcessLocalMode } from '../../local/world/local-mode';
import { userLambda } from '../../local/world/world';
import type { DeploymentRecord } from '../../shared/model/deployment';
import { pageText, pressButton } from './approval-page';
import { deployRelease } from './deploy';
import { historyTable } from './history';
import { followDeployment } from './progress';
import type { Release } from './sample';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Real seconds per simulated second; default 0.01 (a 5-minute bake lasts 3 s). */
  readonly timeScale?: number;
  /** Invocations per real second while deployments run; default 80. */
  readonly rps?: number;
  readonly write: (text: string) => void;
  readonly style: Style;
  /** The folder of the sample function's releases and specs; default `examples/demo/`. */
  readonly examples?: string;
}

/** One expectation of the demo and what happened. */
export interface DemoOutcome {
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
  readonly ok: boolean;
}

/** The demo's result: every outcome, and whether all were the expected ones. */
export interface DemoResult {
  readonly ok: boolean;
  readonly outcomes: readonly DemoOutcome[];
  readonly wallMs: number;
}

const FUNCTION = 'hello-fledge';
const ALIAS = 'live';
const APPROVER = 'you@fledge.local';

/**
 * fledge's whole job on a laptop, start to end: local mode in this process with compressed time,
 * a first deployment (v1), steady traffic, a healthy canary (v2) that waits for a person, who
 * approves through the e-mailed link's page, and a broken canary (v3) whose alarm fires so
 * fledge rolls back. Every outcome is checked; the caller exits non-zero unless all held.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const { write, style } = options;
  const timeScale = options.timeScale ?? 0.01;
  const outcomes: DemoOutcome[] = [];
  const expect = (what: string, expected: string, actual: string): boolean => {
    const ok = expected === actual;
    outcomes.push({ what, expected, actual, ok });
    write(`  ${ok ? style.green('✓') : style.red('✗')} ${what}: ${actual}${ok ? '' : style.red(` (expected ${expected})`)}\n`);
    return ok;
  };

  write(style.bold(`fledge demo: progressive delivery of a Lambda function, on an embedded AWS in this process (no AWS account)\n`));
  write(style.dim(`time runs ${Math.round(1 / timeScale)}x faster: one simulated minute lasts ${+(60 * timeScale).toFixed(2)} s\n\n`));
  const mode = await startInProcessLocalMode({ timeScale, email: APPROVER });
  const lambda = userLambda(mode.aws);
  let traffic: TrafficRun | undefined;
  try {
    write(`${style.bold('local mode')}  AWS endpoint ${mode.aws.endpoint}${mode.api ? `, API ${mode.api.url}` : ''}, bucket ${mode.plane.bucket}, approvals mailed to ${APPROVER}\n\n`);
    const alias = async (): Promise<string> => {
      const out = await lambda.send(new GetAliasCommand({ FunctionName: FUNCTION, Name: ALIAS }));
      const weights = Object.entries(out.RoutingConfig?.AdditionalVersionWeights ?? {}).filter(([, weight]) => weight > 0);
      return `version ${out.FunctionVersion}${weights.map(([version, weight]) => ` + version ${version} at ${weight * 100}%`).join('')}`;
    };
    const follow = (label: string, deploymentId: string, onApproval?: () => Promise<void>): Promise<DeploymentRecord> =>
      followDeployment({
        store: mode.plane.deps.store,
        deploymentId,
        label,
        style,
        write: (line) => write(`${line}\n`),
        traffic: traffic ? trafficLine(traffic, style) : undefined,
        onEvent: async (event) => {
          if (event.kind === 'approvalRequested' && onApproval) await onApproval();
        },
      });

    // 1. The first deployment creates the function.
    write(style.bold(`1. First deployment: ${FUNCTION} does not exist yet; v1 creates it and alias ${ALIAS} points at it\n`));
    const deploy = (release: Release): Promise<string> => deployRelease(mode, release, options.examples);
    const v1 = await deploy('v1');
    const first = await follow('v1', v1);
    expect('v1 (first deployment)', 'SUCCEEDED', first.status);
    expect(`alias ${ALIAS} after v1`, 'version 1', await alias());

    // 2. Production-like traffic from now on, so canaries have invocations to judge.
    const rps = options.rps ?? 80;
    // Generous in-flight bound: a new version's cold starts hold calls for a moment, and the demo
    // should show every call that was meant to be made.
    traffic = startTraffic({ client: lambda, functionName: FUNCTION, alias: ALIAS, rps, payload: '{"name":"demo"}', maxInFlight: 256 });
    write(style.bold(`\n2. Traffic: ${rps} invocations per second on ${FUNCTION}:${ALIAS} from now on\n`));

    // 3. A healthy canary that waits for a person.
    write(style.bold(`\n3. v2, a healthy canary with an approval step: 10% for 2m, then a person approves by e-mail, then 50% for 2m\n`));
    const v2 = await deploy('v2');
    const second = await follow('v2', v2, () => approveLikeAPerson(mode, v2, write, style));
    expect('v2 (canary, approved through the e-mailed link)', 'SUCCEEDED', second.status);
    expect(`alias ${ALIAS} after v2`, 'version 2', await alias());

    // 4. A broken canary: its alarm fires and fledge rolls back.
    write(style.bold(`\n4. v3, a canary of a release that fails a third of its requests: 20% for 5m, then 50% for 5m\n`));
    const v3 = await deploy('v3');
    const third = await follow('v3', v3);
    expect('v3 (broken canary)', 'ROLLED_BACK', third.status);
    expect(`alias ${ALIAS} after v3`, 'version 2', await alias());

    const stats = await traffic.stop();
    traffic = undefined;
    write(`\n${formatTrafficSummary(`${FUNCTION}:${ALIAS}`, stats, style)}`);
    expect('errors seen by users of v1 and v2', '0', String((stats.byVersion['1']?.errors ?? 0) + (stats.byVersion['2']?.errors ?? 0)));
    write(`\n${style.bold(`History of ${FUNCTION}:${ALIAS}`)} (fledge history ${FUNCTION} --alias ${ALIAS})\n`);
    write(await historyTable(mode.api.url, FUNCTION, ALIAS, style));
  } catch (error) {
    expect('the demo ran to its end', 'no error', `${(error as Error).name}: ${(error as Error).message}`);
  } finally {
    await traffic?.stop();
    lambda.destroy();
    await mode.stop();
  }
  return { ok: outcomes.length > 0 && outcomes.every((outcome) => outcome.ok), outcomes, wallMs: Date.now() - started };
}

/** Traffic seen since the last call, per version: what the health check just judged. */
function trafficLine(run: TrafficRun, style: Style): () => string {
  let last: TrafficStats = run.stats();
  return () => {
    const now = run.stats();
    const parts = Object.entries(now.byVersion).map(([version, counts]) => {
      const before = last.byVersion[version] ?? { invocations: 0, errors: 0 };
      const invocations = counts.invocations - before.invocations;
      const errors = counts.errors - before.errors;
      if (invocations === 0) return undefined;
      const rate = `${Math.round(percentOf(errors, invocations))}% errors`;
      return `v${version} ${invocations} calls, ${errors > 0 ? style.red(rate) : rate}`;
    });
    last = now;
    return parts.filter((part) => part !== undefined).join(', ') || 'no calls';
  };
}

/**
 * What a person does with the approval e-mail: find it in the inbox, open the link (the page
 * shows the facts and changes nothing), and press Approve, which posts the page's form.
 */
async function approveLikeAPerson(mode: LocalMode, deploymentId: string, write: (text: string) => void, style: Style): Promise<void> {
  const deadline = Date.now() + 15_000;
  let email;
  while (!(email = (await readOutbox(mode.aws.endpoint, APPROVER)).find((candidate) => candidate.body.includes(deploymentId) && candidate.subject.startsWith('fledge: approve')))) {
    if (Date.now() > deadline) throw new Error(`no approval e-mail for ${deploymentId} reached ${APPROVER} within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  write(`       ${style.cyan('✉')} e-mail to ${email.to}: "${email.subject}"\n`);
  const links = approvalLinksOf(email);
  if (!links) throw new Error(`the approval e-mail has no links to open: "${email.body.split('\n').find((line) => line.startsWith('Approve:')) ?? email.body.split('\n')[0]}"`);
  write(`       opening ${links.approve}\n`);
  // A person types their name (recorded in the history) and presses Approve.
  const { page, result } = await pressButton(links.approve, /^approve$/i, { name: 'Demo Approver', comment: 'canary looks healthy' });
  write(`       the page says: ${style.dim(pageText(page.html).slice(0, 160))}\n`);
  write(`       pressed Approve → ${result.status}: ${pageText(result.html).slice(0, 120)}\n`);
  if (result.status >= 400) throw new Error(`approving through the page failed with ${result.status}: ${pageText(result.html)}`);
}
