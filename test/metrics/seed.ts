import type { DeploymentRecord } from '../../shared/model/deployment';
import type { InterfaceWorld } from '../api/world';
import { spec } from '../support/engine';
import { HISTORY, WINDOW } from './fixture';

/**
 * Writes the fixture's history through the real store, the way `finish()` ends a deployment: the
 * terminal status written with its metrics facts. Plus one deployment still running (not indexed).
 */
export async function seedHistory(world: InterfaceWorld): Promise<void> {
  const store = world.interfaceDeps.store;
  const open = (deploymentId: string, functionName: string, createdAt: number): DeploymentRecord => ({ deploymentId, functionName, alias: 'live', status: 'RUNNING', spec: spec(functionName, { kind: 'allAtOnce' }), artifact: { bucket: 'b', key: `k/${deploymentId}.zip` }, startedBy: 'seed', source: 'test', createdAt, updatedAt: createdAt });
  for (const e of HISTORY) {
    await store.createDeployment(open(e.deploymentId, e.functionName, e.createdAt));
    await store.updateDeployment(e.deploymentId, { status: e.status, endedAt: e.endedAt, tookTraffic: e.tookTraffic ?? false, ...(e.failureDetectedAt !== undefined ? { failureDetectedAt: e.failureDetectedAt } : {}) });
  }
  await store.createDeployment(open('open-1', 'orders', WINDOW.from + 1000));
}
