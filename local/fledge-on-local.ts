import { randomBytes } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { handler as abortHandler } from '../functions/abort';
import { handler as approvalHandler } from '../functions/request-approval';
import { handler as checkHandler } from '../functions/check';
import { handler as prepareHandler } from '../functions/prepare';
import { handler as publishHandler } from '../functions/publish';
import { handler as recordHandler } from '../functions/record';
import { handler as safetyNetHandler } from '../functions/safety-net';
import { handler as sweeperHandler } from '../functions/sweeper';
import { handler as wavesHandler } from '../functions/waves';
import { handler as trafficHandler } from '../functions/traffic';
import { ALARM_ABORT_PATTERN, ENGINE_FUNCTIONS, ENGINE_FUNCTION_NAMES, TASK_SUBSTITUTIONS, WAVES_TASK_SUBSTITUTIONS, type EngineFunction } from '../functions/engine-functions';
import { buildPorts, type Composition, type CompositionSettings } from '../functions/lib/composition';
import { PORT_FACTORIES } from '../functions/lib/ports/all';
import { iamActionOf } from '../functions/permissions';
import { handler as verifyHandler } from '../functions/pre-traffic';
import { deploymentTableDefinition } from '../shared/adapters/dynamodb-table';
import { MIN_SECRET_BYTES } from '../shared/domain/approval/signing';
import { localFunctionName } from '../shared/domain/own-functions';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import { deploymentDefinition, wavesDefinition } from '../state-machines/definition';
import { startLocalAws, type InProcessHandler, type LocalAws, type LocalAwsOptions, type StepFunctionsInternal } from '@fledge-local/embedded-aws';
import { sanitise } from '../shared/text/sanitise';
import { localClients, localComposition, type LocalClients } from './composition';
import { notificationOutboxOf, notificationOutboxService } from './notification-outbox';
import type { ChannelTry } from '../shared/ports/notifier';

/** Local mode's name of an engine function: its ARN substitution in the state machine, or `SafetyNet`/`Sweeper`. */
type LocalFunctionKey = (typeof ENGINE_FUNCTIONS)[EngineFunction]['substitution'];

/**
 * Each engine function's Lambda handler, built in-process on local mode's composition by the same
 * factories as on Lambda (the ports its row of the table lists).
 */
const IN_PROCESS: { readonly [F in EngineFunction]: { builtOn(c: Composition): InProcessHandler } } = {
  prepare: prepareHandler,
  publish: publishHandler,
  verify: verifyHandler,
  traffic: trafficHandler,
  check: checkHandler,
  approval: approvalHandler,
  record: recordHandler,
  'safety-net': safetyNetHandler,
  abort: abortHandler,
  sweeper: sweeperHandler,
  waves: wavesHandler,
};

/**
 * Starts an embedded AWS for fledge: what fledge brings to it is how its log lines are escaped
 * (fledge's sanitiser: one line per entry, control characters made visible), and where every
 * notification channel's tries are kept.
 */
export function startAwsForFledge(options: Omit<LocalAwsOptions, 'escapeLogLine'>): Promise<LocalAws> {
  // And local mode's outbox of notifications, next to the SNS outbox (local/notification-outbox.ts).
  return startLocalAws({ ...options, escapeLogLine: (line) => sanitise(line, { keepNewlines: true }) }, { factories: [notificationOutboxService()] });
}

/** Options of {@link provisionControlPlane}. */
export interface ControlPlaneOptions {
  /** Prefix of every resource name; default `fledge`. */
  readonly name?: string;
  /** fledge's stage (what `FLEDGE_STAGE` is on AWS): scopes the names of the alarms it creates; default `local`. */
  readonly stage?: string;
  /** SDK attempts per call of fledge's own clients (1 leaves every retry to the state machine); default 3, as on AWS. */
  readonly sdkMaxAttempts?: number;
  /**
   * The URL of fledge's API (what `FLEDGE_API_URL` is on AWS), when one serves the approval pages:
   * approval messages then carry Approve/Reject links under it; they name the CLI commands otherwise.
   */
  readonly apiUrl?: string;
  /** The approval-signing key (what the stack keeps in SSM); local mode keeps it in its data directory. Default: a random one. */
  readonly approvalSecret?: Buffer;
  /**
   * The webhook signing secret's text (what the stack keeps in Secrets Manager); local mode keeps
   * it in its data directory. Default: a random one for this control plane.
   */
  readonly webhookSecret?: string;
  /**
   * Observes every AWS call of each task function (its IAM action), e.g. to check the
   * least-privilege lists in functions/permissions.ts. Each function then gets clients of its own.
   */
  readonly onAwsCall?: (fn: EngineFunction, action: string) => void;
  /**
   * The channels every event goes to beyond the embedded EventBridge's default bus and the SNS
   * topics (docs/events.md): the outgoing webhooks' JSON list (what the stack keeps in SSM), a
   * GitHub token and API base (a stand-in of GitHub's API), and the bus's filter.
   */
  readonly notifications?: { readonly webhooks?: string; readonly githubToken?: string; readonly githubApiUrl?: string; readonly eventBusEvents?: string };
}

/** fledge provisioned on an embedded AWS. */
export interface LocalControlPlane {
  readonly tableName: string;
  readonly bucket: string;
  readonly notificationTopicArn: string;
  readonly approvalTopicArn: string;
  /**
   * Where events that the safety net and the S3 trigger still failed on after Lambda's two
   * retries go (their on-failure destination): the stack's failed-events SQS queue, as an SNS
   * topic here, since the embedded AWS has no SQS.
   */
  readonly failedEventsTopicArn: string;
  readonly stateMachineArn: string;
  /** The wave runner's state machine (state-machines/waves.asl.yml): a spec with targets runs there. */
  readonly wavesStateMachineArn: string;
  /** Task function names by substitution (`TrafficFunctionArn` → `fledge-traffic`), plus the safety net's and the sweeper's. */
  readonly functions: Readonly<Record<LocalFunctionKey, string>>;
  /** The engine's ports over the embedded AWS on its simulated clock (for starters, controls and tests). */
  readonly deps: EngineDeps;
  /** What fledge's handlers and ports are built on here, as the Lambda environment builds them on AWS (./composition.ts). */
  readonly composition: Composition;
  /** SDK clients of fledge's own, pointed at the embedded AWS (the composition's). */
  readonly clients: { readonly lambda: LambdaClient; readonly cloudwatch: CloudWatchClient; readonly dynamodb: DynamoDBClient; readonly sns: SNSClient; readonly sfn: SFNClient; readonly events: EventBridgeClient; readonly s3: S3Client };
  /** The text that keys the signatures of webhook requests (receivers verify with it). */
  readonly webhookSecret: string;
  /** Stops delivering status changes to the safety net. */
  readonly unsubscribe: () => void;
}

/**
 * Provisions fledge onto an embedded AWS, as serverless.yml does on AWS: the table, the artifacts
 * bucket, the topics, the task functions (in-process, wired to the embedded endpoint and the
 * simulated clock, so deadlines and bake ends agree with the Wait states), the state machine from
 * the real ASL file with the ARNs substituted, and the safety net's status-change subscription.
 * Idempotent: provisioning again over a persisted embedded AWS reuses what exists.
 */
export async function provisionControlPlane(aws: LocalAws, options: ControlPlaneOptions = {}): Promise<LocalControlPlane> {
  const name = options.name ?? 'fledge';
  const maxAttempts = options.sdkMaxAttempts ?? 3;
  const account = '000000000000';
  const tableName = `${name}-deployments`;
  const bucket = `${name}-artifacts`;
  const approvalSecret = options.approvalSecret ?? randomBytes(MIN_SECRET_BYTES);
  const webhookSecret = options.webhookSecret ?? randomBytes(32).toString('base64url');
  const { client, clientWith } = localClients(aws, { maxAttempts });
  const clients = { lambda: client(LambdaClient), cloudwatch: client(CloudWatchClient), dynamodb: client(DynamoDBClient), sns: client(SNSClient), sfn: client(SFNClient), events: client(EventBridgeClient), s3: client(S3Client) };

  await ignoring(['ResourceInUseException'], () => clients.dynamodb.send(new CreateTableCommand(deploymentTableDefinition(tableName))));
  await ignoring(['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'], () => clients.s3.send(new CreateBucketCommand({ Bucket: bucket })));
  await clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } })).catch(() => undefined);
  const notificationTopicArn = (await clients.sns.send(new CreateTopicCommand({ Name: `${name}-notifications` }))).TopicArn ?? '';
  const approvalTopicArn = (await clients.sns.send(new CreateTopicCommand({ Name: `${name}-approvals` }))).TopicArn ?? '';
  const failedEventsTopicArn = (await clients.sns.send(new CreateTopicCommand({ Name: `${name}-failed-events` }))).TopicArn ?? '';
  const stateMachineArn = `arn:aws:states:${aws.region}:${account}:stateMachine:${name}-deployment`;
  // The wave runner's state machine (a spec with targets), beside the deployment one.
  const wavesStateMachineArn = `arn:aws:states:${aws.region}:${account}:stateMachine:${name}-waves`;

  const notifications = options.notifications ?? {};
  const settings: CompositionSettings = {
    tableName,
    notificationTopicArn,
    approvalTopicArn,
    stateMachineArn,
    wavesStateMachineArn,
    artifactsBucket: bucket,
    region: aws.region,
    stage: options.stage ?? 'local',
    ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    // Every event on the embedded default bus, as the stack's default puts them on the account's.
    eventBus: 'default',
    ...(notifications.eventBusEvents ? { eventBusEvents: notifications.eventBusEvents } : {}),
    ...(notifications.githubApiUrl ? { githubApiUrl: notifications.githubApiUrl } : {}),
  };
  const outbox = notificationOutboxOf(aws);
  const composition = localComposition(aws, { client, clientWith }, {
    settings,
    ...(outbox ? { onChannelTry: (attempt: ChannelTry) => void outbox.add(attempt) } : {}),
    approvalSecret,
    webhookSecret,
    ...(notifications.webhooks === undefined ? {} : { notificationWebhooks: notifications.webhooks }),
    ...(notifications.githubToken === undefined ? {} : { githubToken: notifications.githubToken }),
  });
  const deps = buildPorts(composition, PORT_FACTORIES, ['lambda', 'health', 'store', 'notifier', 'orchestrator', 'clock', 'stage', 'webhooks', 'callers', 'targets', 'waveRunner', 'home']);
  const onAwsCall = options.onAwsCall;
  // Observed, each function gets clients of its own, so every call is told apart by function.
  const compositionOf = (fn: EngineFunction): Composition => (onAwsCall ? { ...composition, ...pick(localClients(aws, { maxAttempts, observe: (c) => observe(c, (action) => onAwsCall(fn, action)) })) } : composition);
  const handlers = Object.fromEntries(ENGINE_FUNCTION_NAMES.map((fn) => [ENGINE_FUNCTIONS[fn].substitution, IN_PROCESS[fn].builtOn(compositionOf(fn))])) as Record<LocalFunctionKey, InProcessHandler>;
  // Named from fledge's one table of its functions (shared/domain/own-functions.ts), which specs are checked against.
  const functions = Object.fromEntries(ENGINE_FUNCTION_NAMES.map((fn) => [ENGINE_FUNCTIONS[fn].substitution, localFunctionName(ENGINE_FUNCTIONS[fn].key, name)])) as Record<LocalFunctionKey, string>;
  for (const [key, handler] of Object.entries(handlers)) {
    // 900 s, Lambda's maximum: locally the timeout runs on the compressed clock, and a task's
    // real-time work (HTTP calls to the embedded AWS) must not read as a simulated timeout.
    aws.services.lambda.registerInProcessFunction({ functionName: functions[key as keyof typeof functions], handler, timeout: 900 });
  }

  const arns = Object.fromEntries(TASK_SUBSTITUTIONS.map((key) => [key, `arn:aws:lambda:${aws.region}:${account}:function:${functions[key as LocalFunctionKey]}`]));
  const definition = JSON.stringify(deploymentDefinition(arns));
  const roleArn = `arn:aws:iam::${account}:role/${name}-state-machine`;
  try {
    await clients.sfn.send(new CreateStateMachineCommand({ name: `${name}-deployment`, definition, roleArn, type: 'STANDARD' }));
  } catch (error) {
    if ((error as Error).name !== 'StateMachineAlreadyExists') throw error;
    await clients.sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition }));
  }
  const wavesArns = Object.fromEntries(WAVES_TASK_SUBSTITUTIONS.map((key) => [key, `arn:aws:lambda:${aws.region}:${account}:function:${functions[key as LocalFunctionKey]}`]));
  const wavesDefinitionText = JSON.stringify(wavesDefinition(wavesArns));
  try {
    await clients.sfn.send(new CreateStateMachineCommand({ name: `${name}-waves`, definition: wavesDefinitionText, roleArn, type: 'STANDARD' }));
  } catch (error) {
    if ((error as Error).name !== 'StateMachineAlreadyExists') throw error;
    await clients.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: wavesStateMachineArn, definition: wavesDefinitionText }));
  }
  await keepFailedEvents(clients.lambda, functions.SafetyNet, failedEventsTopicArn);
  await keepFailedEvents(clients.lambda, functions.Abort, failedEventsTopicArn);
  await wireAlarmAbort(clients.events, `${name}-alarm-abort`, `arn:aws:lambda:${aws.region}:${account}:function:${functions.Abort}`);
  const unsubscribe = aws.service<{ internal: StepFunctionsInternal } & ReturnType<LocalAws['service']>>('states').internal.subscribeStatusChanges({
    functionName: functions.SafetyNet,
    statuses: ['FAILED', 'TIMED_OUT', 'ABORTED'],
    stateMachineArn,
  });
  return { tableName, bucket, notificationTopicArn, approvalTopicArn, failedEventsTopicArn, stateMachineArn, wavesStateMachineArn, functions, deps, composition, clients, webhookSecret, unsubscribe };
}

/**
 * What serverless/functions.yml sets on the safety net and the S3 trigger: Lambda retries their
 * asynchronous events twice, then sends what still failed to the failed-events destination.
 */
export async function keepFailedEvents(lambda: LambdaClient, functionName: string, failedEventsTopicArn: string): Promise<void> {
  await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: functionName, MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: failedEventsTopicArn } } }));
}

/** The abort's rule, as the stack gives it (the table's pattern), delivering to the abort function. */
async function wireAlarmAbort(events: EventBridgeClient, rule: string, functionArn: string): Promise<void> {
  await events.send(new PutRuleCommand({ Name: rule, EventPattern: JSON.stringify(ALARM_ABORT_PATTERN), Description: 'fledge alarm abort' }));
  await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'abort', Arn: functionArn }] }));
}

/** Reports every call of `client` as its IAM action. */
function observe(client: { middlewareStack: unknown; constructor: { name: string } }, report: (action: string) => void): void {
  const clientName = client.constructor.name;
  (client.middlewareStack as { add(middleware: unknown, options: unknown): void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      report(iamActionOf(clientName, context.commandName ?? 'Unknown'));
      return next(args);
    },
    { step: 'initialize', name: 'fledgeObserveCalls' },
  );
}

/** Default interval of {@link scheduleSweeps}: the stack's schedule (`rate(5 minutes)`). */
export const SWEEP_INTERVAL_MS = 5 * 60_000;

/**
 * Runs the sweeper every `intervalMs` of simulated time, as the stack's schedule rule does on AWS
 * (local mode starts this; tests invoke the sweeper function when they want a sweep). Each run
 * is an invocation of the sweeper function in the embedded Lambda; a failing run is logged and
 * the next one tries again. Returns the stop, which waits for a run under way.
 */
export function scheduleSweeps(aws: LocalAws, plane: Pick<LocalControlPlane, 'functions'>, options: { intervalMs?: number; log?: (message: string) => void } = {}): () => Promise<void> {
  const intervalMs = options.intervalMs ?? SWEEP_INTERVAL_MS;
  const log = options.log ?? (() => undefined);
  const stopping = new AbortController();
  const running = (async () => {
    for (;;) {
      try {
        await aws.clock.sleep(intervalMs, stopping.signal);
      } catch {
        return;
      }
      try {
        const out = await aws.services.lambda.invoke(plane.functions.Sweeper, '{}');
        if (out.functionError) log(`sweeper: the scheduled run failed: ${out.payload.toString('utf8').slice(0, 500)}`);
      } catch (error) {
        if (stopping.signal.aborted) return;
        log(`sweeper: the scheduled run could not start: ${(error as Error).message}`);
      }
    }
  })();
  // Stopping waits for a sweep under way: the embedded AWS must not close under it.
  return async () => {
    stopping.abort();
    await running;
  };
}

async function ignoring(names: readonly string[], call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!names.includes((error as Error).name)) throw error;
  }
}

/** The client builders of local clients, for a composition. */
function pick(clients: LocalClients): Pick<Composition, 'client' | 'clientWith'> {
  return { client: clients.client, clientWith: clients.clientWith };
}
