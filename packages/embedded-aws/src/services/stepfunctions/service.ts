import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { LocalContext } from '../../types';
import { checkName, executionArn, parseExecutionArn, parseStateMachineArn, stateMachineArn } from './arns';
import { parseDefinition } from './definition';
import { runExecution, type RunningExecution } from './engine';
import {
  executionAlreadyExists,
  executionDoesNotExist,
  invalidArn,
  invalidExecutionInput,
  invalidOutput,
  missingRequiredParameter,
  stateMachineAlreadyExists,
  stateMachineDoesNotExist,
  validationError,
} from './errors';
import { renderEvent } from './history';
import type { ExecutionRecord, ExecutionStatus, StateMachineRecord } from './model';
import { paginate } from './paging';
import { statusChangeEvent, statusChangeSubscriptionSchema, wants, type StatusChangeSubscription } from './status-events';
import { StepFunctionsStore } from './store';
import { TaskTokens } from './tokens';

type Body = Record<string, unknown>;

/** Step Functions' 256 KiB limit on execution input and task output. */
const maxPayloadBytes = 256 * 1024;
const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/**
 * The state of the embedded Step Functions and its API operations, one method per AWS
 * operation (`StartExecution`, …), each taking the request body and returning the response
 * body, or throwing a `StepFunctionsApiError`.
 */
export class StepFunctions {
  private readonly stateMachines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, RunningExecution>();
  /** Subscriptions made through the internal API, kept across restarts. */
  private readonly subscriptions: StatusChangeSubscription[] = [];
  /** Subscriptions from the options (local mode's configuration): not persisted, they come back with the options. */
  private readonly configured: readonly StatusChangeSubscription[];
  private readonly tokens = new TaskTokens();
  private readonly store: StepFunctionsStore;
  private stopping = false;
  // Nothing is saved before load(): it would overwrite what a previous run left.
  private loaded = false;

  constructor(private readonly context: LocalContext) {
    this.store = new StepFunctionsStore(context.dataDir);
    this.configured = (context.options.stepFunctions?.statusChangeSubscriptions ?? []).map((subscription, index) => checkSubscription(subscription, `options.stepFunctions.statusChangeSubscriptions[${index}]`));
  }

  /** Loads what a previous run persisted; executions it left running are ABORTED now (they cannot resume). */
  load(): void {
    const persisted = this.store.load();
    this.loaded = true;
    if (!persisted) return;
    for (const machine of persisted.stateMachines) this.stateMachines.set(machine.arn, machine);
    this.subscriptions.push(...persisted.subscriptions);
    const orphans: ExecutionRecord[] = [];
    for (const execution of persisted.executions) {
      this.executions.set(execution.executionArn, execution);
      if (execution.status === 'RUNNING') orphans.push(execution);
    }
    for (const execution of orphans) {
      execution.status = 'ABORTED';
      execution.stopDate = this.context.clock.now();
      execution.error = 'States.Runtime';
      execution.cause = 'The embedded AWS restarted while this execution was running; executions do not resume after a restart';
      const last = execution.events.at(-1);
      execution.events.push({ timestamp: execution.stopDate, type: 'ExecutionAborted', id: (last?.id ?? 0) + 1, previousEventId: last?.id ?? 0, executionAbortedEventDetails: { error: execution.error, cause: execution.cause } });
    }
    this.save();
    // Handed to the Lambda's journal now, before anything else can happen: it retries until the
    // subscriber's function exists (local mode registers it once every service has started).
    for (const execution of orphans) this.publishStatusChange(execution);
  }

  /** Ends running executions without recording an end: a restart will mark them ABORTED. */
  async shutdown(): Promise<void> {
    this.save();
    this.stopping = true;
    const running = [...this.running.values()];
    running.forEach((execution) => execution.interrupt({ kind: 'shutdown' }));
    await Promise.allSettled(running.map((execution) => execution.done));
  }

  /** Subscribes a function to execution status changes (what an EventBridge rule does on AWS); returns the unsubscribe. */
  subscribeStatusChanges(subscription: unknown): () => void {
    const parsed = checkSubscription(subscription, 'subscription');
    if (!this.subscriptions.some((known) => isDeepStrictEqual(known, parsed))) this.subscriptions.push(parsed);
    this.save();
    return () => {
      const index = this.subscriptions.findIndex((known) => isDeepStrictEqual(known, parsed));
      if (index >= 0) this.subscriptions.splice(index, 1);
      this.save();
    };
  }

  /** The execution of that ARN, or of that name when it is unique, for the inspection route. */
  findExecution(arnOrName: string): ExecutionRecord | undefined {
    return this.executions.get(arnOrName) ?? [...this.executions.values()].find((execution) => execution.name === arnOrName);
  }

  listExecutionRecords(): ExecutionRecord[] {
    return [...this.executions.values()];
  }

  listSubscriptions(): readonly StatusChangeSubscription[] {
    return [...this.configured, ...this.subscriptions];
  }

  // ---- State machines ----

  CreateStateMachine(body: Body): Body {
    const name = requiredString(body, 'name');
    checkName(name, 'name');
    const definition = requiredString(body, 'definition');
    parseDefinition(definition);
    const roleArn = checkRoleArn(body.roleArn);
    const type = body.type ?? 'STANDARD';
    if (type !== 'STANDARD') throw validationError(`the embedded Step Functions runs STANDARD workflows only, not '${String(type)}'`);
    const arn = stateMachineArn(this.context.region, this.context.accountId, name);
    const existing = this.stateMachines.get(arn);
    if (existing) {
      // Idempotent when the definition is the same; AWS then ignores a different roleArn too.
      if (existing.definition === definition) return { stateMachineArn: arn, creationDate: seconds(existing.creationDate) };
      throw stateMachineAlreadyExists(`State Machine Already Exists: '${arn}'`);
    }
    const machine: StateMachineRecord = { name, arn, definition, roleArn, type: 'STANDARD', creationDate: this.context.clock.now(), revisionId: randomUUID() };
    this.stateMachines.set(arn, machine);
    this.save();
    return { stateMachineArn: arn, creationDate: seconds(machine.creationDate) };
  }

  UpdateStateMachine(body: Body): Body {
    const machine = this.machine(body.stateMachineArn);
    if (body.definition === undefined && body.roleArn === undefined) {
      throw missingRequiredParameter('Either the definition or the roleArn must be specified');
    }
    if (body.definition !== undefined) {
      parseDefinition(body.definition);
      machine.definition = body.definition as string;
    }
    if (body.roleArn !== undefined) machine.roleArn = checkRoleArn(body.roleArn);
    machine.updateDate = this.context.clock.now();
    machine.revisionId = randomUUID();
    this.save();
    return { updateDate: seconds(machine.updateDate), revisionId: machine.revisionId };
  }

  DescribeStateMachine(body: Body): Body {
    const machine = this.machine(body.stateMachineArn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: seconds(machine.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
      revisionId: machine.revisionId,
    };
  }

  ListStateMachines(body: Body): Body {
    const all = [...this.stateMachines.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(all, body, 'ListStateMachines');
    return { stateMachines: page.map((machine) => ({ stateMachineArn: machine.arn, name: machine.name, type: machine.type, creationDate: seconds(machine.creationDate) })), nextToken };
  }

  DeleteStateMachine(body: Body): Body {
    const arn = body.stateMachineArn;
    parseStateMachineArn(arn);
    // AWS lets running executions finish; deleting an unknown state machine succeeds.
    this.stateMachines.delete(arn as string);
    this.save();
    return {};
  }

  // ---- Executions ----

  StartExecution(body: Body): Body {
    const machine = this.machine(body.stateMachineArn);
    const name = body.name === undefined ? randomUUID() : requiredString(body, 'name');
    checkName(name, 'name');
    const input = body.input === undefined ? '{}' : requiredString(body, 'input');
    if (Buffer.byteLength(input) > maxPayloadBytes) throw invalidExecutionInput(`Invalid Execution Input: the input is larger than ${maxPayloadBytes} bytes`);
    try {
      JSON.parse(input);
    } catch (error) {
      throw invalidExecutionInput(`Invalid Execution Input: input is not valid JSON: ${(error as Error).message}`);
    }
    const arn = executionArn(this.context.region, this.context.accountId, machine.name, name);
    const existing = this.executions.get(arn);
    if (existing) {
      // AWS: same name and input while it runs is the same request; otherwise the name is taken (90 days).
      if (existing.status === 'RUNNING' && existing.input === input) return { executionArn: arn, startDate: seconds(existing.startDate) };
      throw executionAlreadyExists(`Execution Already Exists: '${arn}'`);
    }
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      name,
      input,
      definition: machine.definition,
      roleArn: machine.roleArn,
      startDate: this.context.clock.now(),
      status: 'RUNNING',
      events: [],
    };
    this.executions.set(arn, record);
    const running = runExecution(record, parseDefinition(machine.definition), { clock: this.context.clock, region: this.context.region, lambda: () => this.context.services.lambda, tokens: this.tokens }, (ended) => this.ended(ended));
    if (record.status === 'RUNNING') this.running.set(arn, running);
    this.save();
    this.publishStatusChange({ ...record, status: 'RUNNING', events: [] });
    return { executionArn: arn, startDate: seconds(record.startDate) };
  }

  DescribeExecution(body: Body): Body {
    const execution = this.execution(body.executionArn);
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: seconds(execution.startDate),
      stopDate: seconds(execution.stopDate),
      input: execution.input,
      inputDetails: { included: true },
      output: execution.output,
      outputDetails: execution.output === undefined ? undefined : { included: true },
      error: execution.error,
      cause: execution.cause,
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  DescribeStateMachineForExecution(body: Body): Body {
    const execution = this.execution(body.executionArn);
    return { stateMachineArn: execution.stateMachineArn, name: execution.stateMachineName, definition: execution.definition, roleArn: execution.roleArn, updateDate: seconds(execution.startDate) };
  }

  ListExecutions(body: Body): Body {
    const machine = this.machine(body.stateMachineArn);
    const filter = body.statusFilter;
    if (filter !== undefined && !['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'].includes(filter as string)) {
      throw validationError(`1 validation error detected: Value '${String(filter)}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE]`);
    }
    const matching = [...this.executions.values()]
      .filter((execution) => execution.stateMachineArn === machine.arn && (filter === undefined || execution.status === filter))
      .sort((a, b) => b.startDate - a.startDate);
    const { page, nextToken } = paginate(matching, body, 'ListExecutions');
    return {
      executions: page.map((execution) => ({ executionArn: execution.executionArn, stateMachineArn: execution.stateMachineArn, name: execution.name, status: execution.status, startDate: seconds(execution.startDate), stopDate: seconds(execution.stopDate) })),
      nextToken,
    };
  }

  StopExecution(body: Body): Body {
    const execution = this.execution(body.executionArn);
    const error = optionalString(body, 'error');
    const cause = optionalString(body, 'cause');
    this.running.get(execution.executionArn)?.interrupt({ kind: 'stopped', error, cause });
    return { stopDate: seconds(execution.stopDate ?? this.context.clock.now()) };
  }

  GetExecutionHistory(body: Body): Body {
    const execution = this.execution(body.executionArn);
    const ordered = body.reverseOrder === true ? [...execution.events].reverse() : execution.events;
    const { page, nextToken } = paginate(ordered, body, 'GetExecutionHistory');
    const withData = body.includeExecutionData !== false;
    return { events: page.map((event) => renderEvent(event, withData)), nextToken };
  }

  // ---- Callbacks ----

  SendTaskSuccess(body: Body): Body {
    const output = requiredString(body, 'output');
    if (Buffer.byteLength(output) > maxPayloadBytes) throw invalidOutput(`Invalid Output: the output is larger than ${maxPayloadBytes} bytes`);
    try {
      JSON.parse(output);
    } catch (error) {
      throw invalidOutput(`Invalid Output: output is not valid JSON: ${(error as Error).message}`);
    }
    this.tokens.complete(requiredToken(body), { kind: 'success', output });
    return {};
  }

  SendTaskFailure(body: Body): Body {
    this.tokens.complete(requiredToken(body), { kind: 'failure', error: optionalString(body, 'error'), cause: optionalString(body, 'cause') });
    return {};
  }

  SendTaskHeartbeat(body: Body): Body {
    this.tokens.heartbeat(requiredToken(body));
    return {};
  }

  // ---- helpers ----

  private machine(arn: unknown): StateMachineRecord {
    parseStateMachineArn(arn);
    const machine = this.stateMachines.get(arn as string);
    if (!machine) throw stateMachineDoesNotExist(`State Machine Does Not Exist: '${String(arn)}'`);
    return machine;
  }

  private execution(arn: unknown): ExecutionRecord {
    parseExecutionArn(arn);
    const execution = this.executions.get(arn as string);
    if (!execution) throw executionDoesNotExist(`Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  }

  private ended(record: ExecutionRecord): void {
    this.running.delete(record.executionArn);
    if (this.stopping) return;
    this.save();
    this.publishStatusChange(record);
  }

  private publishStatusChange(record: ExecutionRecord): void {
    const status: ExecutionStatus = record.status;
    const subscribers = this.listSubscriptions().filter((subscription) => wants(subscription, record, status));
    if (subscribers.length === 0) return;
    const event = JSON.stringify(statusChangeEvent(record, this.context.region, this.context.accountId, this.context.clock.now()));
    for (const subscription of subscribers) this.deliver(subscription.functionName, event, `the ${status} status change of ${record.executionArn}`);
  }

  /**
   * Hands the event to the subscriber's function as EventBridge does: journaled by the embedded
   * Lambda at once, a refused Invoke retried with EventBridge's policy (24 hours, up to 185
   * retries) on the simulated clock, which also lets local mode register its functions after
   * the restart that aborted an execution. The Lambda logs every failed attempt.
   */
  private deliver(functionName: string, event: string, what: string): void {
    const delivering = (async () => this.context.services.lambda.invoke(functionName, event, { invocationType: 'Event', source: 'events' }))();
    delivering.catch((error: unknown) => {
      this.context.log(`states: ${what} was not delivered to ${functionName}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private save(): void {
    if (this.stopping || !this.loaded) return;
    this.store.save({ version: 1, stateMachines: [...this.stateMachines.values()], executions: [...this.executions.values()], subscriptions: this.subscriptions });
  }
}

function checkSubscription(subscription: unknown, where: string): StatusChangeSubscription {
  const parsed = statusChangeSubscriptionSchema.safeParse(subscription);
  if (!parsed.success) {
    throw validationError(`invalid status-change subscription at ${where}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(subscription)'}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

function requiredString(body: Body, member: string): string {
  const value = body[member];
  if (typeof value !== 'string') throw validationError(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not be null and must be a string`);
  return value;
}

function optionalString(body: Body, member: string): string | undefined {
  return body[member] === undefined ? undefined : requiredString(body, member);
}

function requiredToken(body: Body): string {
  const token = requiredString(body, 'taskToken');
  if (token.length < 1 || token.length > 2048) throw validationError(`1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and 2048`);
  return token;
}

function checkRoleArn(value: unknown): string {
  if (typeof value !== 'string' || !/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(value)) throw invalidArn(`Invalid Arn: 'Resource type not valid in this context: ${String(value)}' (roleArn must be an IAM role ARN)`);
  return value;
}
