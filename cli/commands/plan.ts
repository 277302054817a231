import type { Command } from 'commander';
import { PlanError } from '../../shared/domain/plan/errors';
import { planDeployment } from '../../shared/domain/plan/planner';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { formatPlan } from '../format/plan';
import type { CallerSourceOptions } from './plan-callers';
import { formatProblems, formatWarnings } from '../format/problems';
import { styleFor } from '../format/style';
import { printResult } from '../output';
import { ExitCode, printError } from '../program';
import { readSpecFile } from './spec-file';

const EXAMPLES = `
Examples:
  $ fledge plan examples/canary.yaml
  $ fledge plan examples/new-function.yaml --first-deployment
  $ fledge plan deploy/orders-api.yaml --output json | jq '.plan.cost'

  $ fledge plan deploy/orders-api.yaml --callers                 # also audit who invokes the function (reads AWS)
  $ fledge plan examples/hello-v2.yaml --callers --local

Nothing is deployed: the plan is worked out from the spec alone, offline. With --callers, fledge
also reads who invokes the function (event source mappings, resource-policy permissions, function
URLs) from AWS (standard credentials; --local: the running local mode; --aws-endpoint: an AWS endpoint)
and marks those that bypass the alias; exit 1 when callers: strict would refuse the deployment. Approvals are counted as instant
in the minimum duration; the cost assumes no retries and every approval granted.
Exit codes: 0 planned, 1 invalid spec, 2 usage error.`;

/** `fledge plan <spec>`: shows what a deployment will do, when, and what it costs. */
export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('Show the timeline a deployment spec will follow (traffic steps, bakes, approvals), its minimum duration and its cost.')
    .argument('<spec>', 'the deployment spec file, or - for standard input')
    .option('--first-deployment', 'plan the first deployment of a function that does not exist yet (created, then 100% at once)')
    .option('--callers', "audit who invokes the function, as the deployment's Prepare will (reads the account: needs AWS access)")
    .option('--local', 'with --callers: read the running `fledge local` of this directory')
    .option('--aws-endpoint <url>', 'with --callers: read this AWS endpoint (e.g. an embedded AWS)')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, options: { firstDeployment?: boolean; callers?: boolean; local?: boolean; awsEndpoint?: string }, command: Command) => {
      const functionExists = options.firstDeployment !== true;
      const parsed = parseDeploymentSpec(await readSpecFile(file), file, { functionExists });
      if (!parsed.ok) {
        printResult({ valid: false, source: file, problems: parsed.problems }, () => formatProblems(file, parsed.problems, styleFor(process.stdout)));
        process.exitCode = ExitCode.failure;
        return;
      }
      let plan;
      try {
        plan = planDeployment(parsed.spec, { functionExists });
      } catch (error) {
        // parse already checked first-deployment needs; this is a second line of defence.
        if (!(error instanceof PlanError)) throw error;
        printError(error.message);
        process.exitCode = ExitCode.failure;
        return;
      }
      // Only on request: a plan of a spec file alone stays offline.
      const { region } = command.optsWithGlobals<{ region?: string }>();
      const callerSource: CallerSourceOptions = { ...(options.local ? { local: true } : {}), ...(options.awsEndpoint ? { endpoint: options.awsEndpoint } : {}), ...(region ? { region } : {}) };
      // Loaded only for --callers: the Lambda SDK stays out of a plan's (and every command's) start-up.
      const callers = options.callers === true && functionExists ? await import('./plan-callers') : undefined;
      const audited = callers ? await callers.auditCallersForPlan(parsed.spec, callerSource) : undefined;
      printResult({ source: file, functionExists, spec: parsed.spec, plan, ...(audited ? { callers: { ...audited.audit, readFrom: audited.where } } : {}), ...(parsed.warnings ? { warnings: parsed.warnings } : {}) }, () => {
        const style = styleFor(process.stdout);
        return formatPlan({ source: file, spec: parsed.spec, plan, functionExists }, style) + (audited && callers ? callers.formatCallerAudit(parsed.spec, audited.audit, audited.where, style) : '') + formatWarnings(file, parsed.warnings, style);
      });
      process.exitCode = audited && parsed.spec.callers === 'strict' && audited.audit.bypassing.length > 0 ? ExitCode.failure : ExitCode.ok;
    });
}
