import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { localFunctionName } from '../../../shared/domain/own-functions';

/**
 * The repair loop's entry point: the sweeper (functions/sweeper.ts), which a schedule runs (an
 * EventBridge rule on AWS, every 5 simulated minutes in local mode) to finish what the executions
 * and the safety net could not — deployments left open, aliases left split, locks left held. The
 * suite invokes it as the schedule does, so it does not depend on when the schedule fires.
 */
export const REPAIR_LOOP_FUNCTION = localFunctionName('sweeper');

/** What a schedule sends (EventBridge "Scheduled Event"). */
function scheduledEvent(now: number): string {
  return JSON.stringify({ version: '0', id: `reliability-${now}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time: new Date(now).toISOString(), region: 'us-east-1', resources: [], detail: {} });
}

/** One run of the repair loop: `missing` when its function does not exist, `failed` with the error it threw. */
export async function runRepairLoop(lambda: LambdaClient, now: number): Promise<{ readonly kind: 'ran' } | { readonly kind: 'missing' } | { readonly kind: 'failed'; readonly error: string }> {
  try {
    const out = await lambda.send(new InvokeCommand({ FunctionName: REPAIR_LOOP_FUNCTION, Payload: Buffer.from(scheduledEvent(now)) }));
    if (out.FunctionError) return { kind: 'failed', error: Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8').slice(0, 500) };
    return { kind: 'ran' };
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return { kind: 'missing' };
    return { kind: 'failed', error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}
