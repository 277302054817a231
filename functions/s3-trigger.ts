import { handleDrop, type S3DropDeps } from '../shared/domain/starter/s3-drop';
import { parseS3Event } from './lib/events';
import { lambdaHandler } from './lib/lambda-handler';
import { specReaderPort } from './lib/ports/artifacts';
import { starterPorts } from './lib/ports/starter';
import { log } from './lib/log';
import { taskHandler } from './lib/task-handler';

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

/** Lambda entry point: ports over the real AWS, built at the first invocation by the composition root. */
export const handler = lambdaHandler(createHandler, { ...starterPorts, readSpec: specReaderPort });
