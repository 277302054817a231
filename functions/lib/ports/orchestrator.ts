import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsOrchestrator } from '../../../shared/adapters/sfn-orchestrator';
import { factory, setting, type PortFactory } from '../composition';

/** Step Functions: the deployment state machine's executions (`FLEDGE_STATE_MACHINE_ARN`). */
export const orchestratorPort: PortFactory<'orchestrator'> = /* @__PURE__ */ factory(['stateMachineArn'], (c) => new StepFunctionsOrchestrator(c.client(SFNClient), setting(c, 'stateMachineArn')));

/**
 * Step Functions: the wave runner's executions (`FLEDGE_WAVES_STATE_MACHINE_ARN`), where the
 * starters start a spec with targets, and where the repair loop looks for a run's execution.
 */
export const waveRunnerPort: PortFactory<'waveRunner'> = /* @__PURE__ */ factory(['wavesStateMachineArn'], (c) => new StepFunctionsOrchestrator(c.client(SFNClient), setting(c, 'wavesStateMachineArn')));

/**
 * Step Functions for the approval pages: they only answer a waiting task (SendTaskSuccess /
 * SendTaskFailure with its token), which needs no state machine ARN.
 */
export const taskCallbacksPort: PortFactory<'orchestrator'> = /* @__PURE__ */ factory([], (c) => new StepFunctionsOrchestrator(c.client(SFNClient)));
