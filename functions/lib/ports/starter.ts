import type { StarterDeps } from '../../../shared/domain/starter/start';
import { clockPort, optionalSettingOf, type Factories } from '../composition';
import { artifactsPort } from './artifacts';
import { notifierPort } from './notifier';
import { orchestratorPort, waveRunnerPort } from './orchestrator';
import { homePort } from './settings';
import { storePort } from './store';

/**
 * The ports a deployment's start uses, the same through either door (the API, the S3 drop): the
 * table, Step Functions (the deployment state machine, and the wave runner's for a spec with targets), SNS for a refusal's notice, S3 to check the artifact, the clock, where
 * fledge runs and its region (artifacts elsewhere are refused).
 */
export const starterPorts: Factories<StarterDeps> = {
  store: storePort,
  orchestrator: orchestratorPort,
  waveRunner: waveRunnerPort,
  notifier: notifierPort,
  artifacts: artifactsPort,
  clock: clockPort,
  home: homePort,
  region: optionalSettingOf('region'),
};
