import type { Clock } from '../../ports/clock';
import type { FunctionCallers } from '../../ports/function-callers';
import type { DeploymentStore } from '../../ports/deployment-store';
import type { HealthSignals } from '../../ports/health-signals';
import type { LambdaRegistry } from '../../ports/lambda-registry';
import type { Notifier } from '../../ports/notifier';
import type { Orchestrator } from '../../ports/orchestrator';
import type { TargetAccess } from '../../ports/targets';
import type { WebhookSender } from '../../ports/webhooks';
import type { Home } from '../spec/names';

/** Everything the engine talks to. Each task takes only the ports it uses (`Pick<EngineDeps, …>`). */
export interface EngineDeps {
  readonly lambda: LambdaRegistry;
  readonly health: HealthSignals;
  readonly store: DeploymentStore;
  readonly notifier: Notifier;
  readonly orchestrator: Orchestrator;
  readonly clock: Clock;
  /** HTTP(S) webhook calls (the spec's `webhooks`). */
  readonly webhooks: WebhookSender;
  /** Who invokes the deployed function besides its alias's callers (the caller audit). */
  readonly callers: FunctionCallers;
  /**
   * The stage of this fledge installation (`FLEDGE_STAGE`: serverless.yml's stage, `local` in
   * local mode). It scopes the names of the AWS resources fledge creates in the user's account
   * (the version alarms), so two installations in one account never touch each other's.
   */
  readonly stage: string;
  /** The targets of a wave run (a spec's `targets`): their roles assumed, their Lambda and CloudWatch. */
  readonly targets: TargetAccess;
  /** Where fledge itself runs (from its state machine's ARN): an alarm event from elsewhere gates none of its own deployments. */
  readonly home: Home;
  /** Step Functions: the wave runner's executions (a spec with targets), as the repair loop looks for them. */
  readonly waveRunner: Orchestrator;
}
