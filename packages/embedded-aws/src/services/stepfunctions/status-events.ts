import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ExecutionRecord, ExecutionStatus } from './model';

const statuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** A function that receives "Step Functions Execution Status Change" events, as an EventBridge rule would deliver them. */
export const statusChangeSubscriptionSchema = z
  .object({
    /** Function name or ARN in the embedded Lambda; invoked asynchronously (InvocationType Event). */
    functionName: z.string().min(1),
    /** Statuses to deliver; all five when absent. */
    statuses: z.array(z.enum(statuses)).min(1).optional(),
    /** Only executions of this state machine; all when absent. */
    stateMachineArn: z.string().min(1).optional(),
  })
  .strict();

export type StatusChangeSubscription = z.infer<typeof statusChangeSubscriptionSchema>;

/** Whether a subscription wants the event of `record` reaching `status`. */
export function wants(subscription: StatusChangeSubscription, record: ExecutionRecord, status: ExecutionStatus): boolean {
  return (subscription.statuses ?? statuses).includes(status) && (subscription.stateMachineArn === undefined || subscription.stateMachineArn === record.stateMachineArn);
}

/**
 * The EventBridge event AWS emits when an execution changes status (detail-type
 * "Step Functions Execution Status Change"): dates in epoch milliseconds, input and output
 * as JSON strings, null where AWS sends null.
 */
export function statusChangeEvent(record: ExecutionRecord, region: string, accountId: string, time: number): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: accountId,
    time: new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [record.executionArn],
    detail: {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate,
      stopDate: record.stopDate ?? null,
      input: record.input,
      output: record.output ?? null,
      inputDetails: { included: true },
      outputDetails: record.output === undefined ? null : { included: true },
      error: record.error ?? null,
      cause: record.cause ?? null,
    },
  };
}
