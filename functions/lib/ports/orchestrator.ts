import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsOrchestrator } from '../../../shared/adapters/sfn-orchestrator';
import { ConfigurationError } from '../../../shared/model/engine-errors';
import type { PortFactory } from '../composition';

/** Step Functions: the deployment state machine's executions (`FLEDGE_STATE_MACHINE_ARN`, required here). */
export const orchestratorPort: PortFactory<'orchestrator'> = (c) => {
  const { stateMachineArn } = c.settings;
  if (!stateMachineArn) throw new ConfigurationError('fledge is misconfigured: FLEDGE_STATE_MACHINE_ARN is not set (this function needs it)');
  return new StepFunctionsOrchestrator(c.client(SFNClient), stateMachineArn);
};
