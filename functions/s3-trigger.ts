import { S3Client } from '@aws-sdk/client-s3';
import { readSpecObject, S3ArtifactInspector } from '../shared/adapters/s3-artifacts';
import { controlPlaneHome, readInterfaceConfig, requireInterfaceConfig } from '../shared/config/interface-env';
import { handleDrop, type S3DropDeps } from '../shared/domain/starter/s3-drop';
import { parseS3Event } from './lib/events';
import { awsComposition } from './lib/engine-function';
import { lazyHandler } from './lib/lazy';
import { notifierPort } from './lib/ports/notifier';
import { orchestratorPort } from './lib/ports/orchestrator';
import { storePort } from './lib/ports/store';
import { log } from './lib/log';
import { taskHandler } from './lib/task-handler';

const config = readInterfaceConfig(process.env);

/**
 * The S3 drop: subscribed to uploads under `deployments/` in the artifacts bucket. Each spec
 * starts one deployment (duplicate events start nothing twice); zips start nothing. A failure
 * to reach AWS fails the invocation, and S3's asynchronous invoke retries it.
 */
export function createHandler(deps: S3DropDeps) {
  return taskHandler('s3-trigger', parseS3Event, async (objects) => {
    const results = [];
    for (const object of objects) {
      const outcome = await handleDrop(deps, object);
      const fact = { bucket: object.bucket, key: object.key, outcome: outcome.kind, ...('record' in outcome && outcome.record ? { deploymentId: outcome.record.deploymentId, status: outcome.record.status } : {}), ...('duplicate' in outcome ? { duplicate: outcome.duplicate } : {}) };
      log.info('s3-trigger: object handled', { ...fact, ...(outcome.kind === 'ignored' ? { reason: outcome.reason } : {}) });
      results.push(fact);
    }
    return { results };
  });
}

/** Lambda entry point. */
export const handler = lazyHandler(() => {
  const c = requireInterfaceConfig(config, ['tableName', 'stateMachineArn', 'notificationTopicArn']);
  const root = awsComposition(c);
  const s3 = root.client(S3Client);
  return createHandler({
    store: storePort(root),
    orchestrator: orchestratorPort(root),
    notifier: notifierPort(root),
    artifacts: new S3ArtifactInspector(s3),
    readSpec: (object) => readSpecObject(s3, object),
    clock: root.clock,
    home: controlPlaneHome(c.stateMachineArn),
    ...(config.region ? { region: config.region } : {}),
  });
});
