import type { EnginePort } from '../../engine-functions';
import { clockPort, stagePort, type PortFactory } from '../composition';
import { callersPort } from './callers';
import { healthPort } from './health';
import { lambdaPort } from './lambda';
import { notifierPort } from './notifier';
import { orchestratorPort, waveRunnerPort } from './orchestrator';
import { storePort } from './store';
import { webhooksPort } from './webhooks';
import { targetsPort } from './targets';
import { homePort } from './settings';

/** Every port's factory, for a composition that builds them all (local mode). Lambda handlers import only their own. */
export const PORT_FACTORIES: { readonly [P in EnginePort]: PortFactory<P> } = {
  lambda: lambdaPort,
  health: healthPort,
  store: storePort,
  notifier: notifierPort,
  orchestrator: orchestratorPort,
  clock: clockPort,
  stage: stagePort,
  webhooks: webhooksPort,
  callers: callersPort,
  targets: targetsPort,
  waveRunner: waveRunnerPort,
  home: homePort,
};
