import { DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand, type DescribeExecutionCommandOutput, type HistoryEvent } from '@aws-sdk/client-sfn';
import { eventually } from '@fledge-local/embedded-aws/testing';
import type { ExecutionInput } from '../../shared/model/deployment';
import { evidenceRuleOf } from '../../shared/domain/spec/evidence';
import type { DeploymentSpec, HealthSpec, StrategySpec } from '../../shared/model/spec';
import type { FledgeWorld } from './world';

let counter = 0;

/**
 * A normalised spec, as the spec parser would produce it: `health` is what the spec writes, the
 * rest of it gets the parser's defaults (evidence included: pauses need invocations), but what
 * `overrides` gives; the deployment's timeout is a day unless given.
 */
export function normalisedSpec(functionName: string, strategy: StrategySpec, overrides: Partial<Omit<DeploymentSpec, 'function' | 'strategy' | 'health'>> & { readonly health?: Partial<HealthSpec> } = {}): DeploymentSpec {
  const { health: written, ...rest } = overrides;
  const health = { alarms: [], checkInterval: 60, ...written };
  return {
    version: 1,
    function: { name: functionName },
    alias: 'live',
    artifact: { kind: 'zip', key: 'unused' },
    strategy,
    health: { ...health, ...evidenceRuleOf(health, strategy) },
    hooks: {},
    approval: { timeout: 3600 },
    timeout: 24 * 3600,
    ...rest,
  };
}

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
