import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, type DescribeExecutionCommandOutput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { eventually } from '@fledge-local/embedded-aws/testing';
import type { ExecutionInput } from '../../shared/model/deployment';
import type { FledgeWorld } from './world';

let counter = 0;

/** A fresh deployment id starting with `label` (execution names are unique per state machine). */
export function deploymentId(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}`.slice(0, 80);
}

/** Starts a deployment exactly as fledge's starters do (StartExecution named by the deployment id); returns the execution ARN. */
export async function startExecution(world: Pick<FledgeWorld, 'plane'>, input: ExecutionInput): Promise<string> {
  const out = await world.plane.clients.sfn.send(new StartExecutionCommand({ stateMachineArn: world.plane.stateMachineArn, name: input.deploymentId, input: JSON.stringify(input) }));
  return out.executionArn!;
}

/** The execution once it has ended (its status is no longer RUNNING or PENDING_REDRIVE). */
export async function endedExecution(world: Pick<FledgeWorld, 'plane'>, executionArn: string, options: { readonly timeoutMs: number; readonly intervalMs: number }): Promise<DescribeExecutionCommandOutput> {
  return eventually(async () => {
    const out = await world.plane.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
    return out.status === 'RUNNING' || out.status === 'PENDING_REDRIVE' ? undefined : out;
  }, { ...options, what: `execution ${executionArn} to end` });
}

/** The whole execution history, every page (with the states' input and output unless told otherwise). */
export async function executionHistory(world: Pick<FledgeWorld, 'plane'>, executionArn: string, options: { readonly includeExecutionData?: boolean } = {}): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const out = await world.plane.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, ...(options.includeExecutionData === undefined ? {} : { includeExecutionData: options.includeExecutionData }), ...(nextToken ? { nextToken } : {}) }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return events;
}
