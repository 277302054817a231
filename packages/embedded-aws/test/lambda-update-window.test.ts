import { describe, expect, it } from 'vitest';
import { CodeStore } from '../src/services/lambda/code-store';
import { LambdaControlPlane } from '../src/services/lambda/control-plane';
import type { SimClock } from '../src/types';
import { returningZip } from '../src/testing/zip';

/** A clock that moves one simulated millisecond every time it is read: time passes inside every request, as it does under a compressed scale. */
function tickingClock(): SimClock {
  let now = Date.UTC(2026, 0, 1);
  return { timeScale: 1, now: () => (now += 1), toRealMs: (ms) => ms, sleep: async () => undefined };
}

function controlPlane(updateDelayMs: number): LambdaControlPlane {
  return new LambdaControlPlane({
    location: { region: 'us-east-1', accountId: '000000000000' },
    clock: tickingClock(),
    updateDelayMs,
    dataDir: undefined,
    codes: new CodeStore(undefined),
    s3: () => { throw new Error('no S3 here'); },
    codeLocation: () => '',
    onStale: () => undefined,
  });
}

describe('the embedded Lambda\'s update window', () => {
  it('never reports an update finished with a RevisionId that the next guarded call refuses', async () => {
    // Prepare: every delay, so the window ends at every point of a GetFunctionConfiguration call.
    const refused: string[] = [];
    for (let updateDelayMs = 1; updateDelayMs <= 12; updateDelayMs += 1) {
      const plane = controlPlane(updateDelayMs);
      const ref = { name: `fn-${updateDelayMs}`, qualifier: undefined };
      await plane.createFunction(ref, { Role: 'arn:aws:iam::000000000000:role/r', Runtime: 'nodejs22.x', Handler: 'index.handler', Code: { ZipFile: Buffer.from(returningZip(1)).toString('base64') } });
      for (let update = 0; update < 4; update += 1) {
        // Act: wait as the SDK waiter does, then update with the RevisionId that was reported.
        let configuration = plane.getFunctionConfiguration(ref);
        while (configuration.State !== 'Active' || configuration.LastUpdateStatus !== 'Successful') configuration = plane.getFunctionConfiguration(ref);
        try {
          plane.updateFunctionConfiguration(ref, { Description: `update ${update}`, RevisionId: configuration.RevisionId });
        } catch (error) {
          refused.push(`delay ${updateDelayMs}, update ${update}: ${(error as Error).name} ${(error as Error).message}`);
        }
      }
    }

    // Assess
    expect(refused).toEqual([]);
  });
});
