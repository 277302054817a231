import { ConfigurationError } from '../model/engine-errors';
import { homeOfArn, type Home } from '../domain/spec/names';

/**
 * Where fledge runs (partition, region, account), read from its state machine's ARN: the only
 * place a spec's function and hooks may be. Every starter is configured with that ARN.
 */
export function controlPlaneHome(stateMachineArn: string): Home {
  const home = homeOfArn(stateMachineArn);
  if (home === undefined) throw new ConfigurationError(`FLEDGE_STATE_MACHINE_ARN must be a states ARN with a region and an account, got "${stateMachineArn}"`);
  return home;
}
