import { randomBytes } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { createHandler as abortHandler } from '../functions/abort';
import { createHandler as approvalHandler } from '../functions/request-approval';
import { createHandler as checkHandler } from '../functions/check';
import { createHandler as prepareHandler } from '../functions/prepare';
import { createHandler as publishHandler } from '../functions/publish';
import { createHandler as recordHandler } from '../functions/record';
import { createHandler as safetyNetHandler } from '../functions/safety-net';
import { createHandler as sweeperHandler } from '../functions/sweeper';
import { createHandler as trafficHandler } from '../functions/traffic';
import { ENGINE_FUNCTIONS, ENGINE_FUNCTION_NAMES, type EngineDepsOf, type EngineFunction } from '../functions/engine-functions';
import { buildPorts, clientCache, USER_AGENT, type Composition } from '../functions/lib/composition';
import { PORT_FACTORIES } from '../functions/lib/ports/all';
import { iamActionOf } from '../functions/permissions';
import { createHandler as verifyHandler } from '../functions/pre-traffic';
import { deploymentTableDefinition } from '../shared/adapters/dynamodb-table';
import type { ApprovalLinkBuilder } from '../shared/adapters/sns-notifier';
import { localFunctionName } from '../shared/domain/own-functions';
import type { EngineDeps } from '../shared/domain/deployment/deps';
import type { Clock } from '../shared/ports/clock';
import { DEPLOYMENT_SUBSTITUTIONS, deploymentDefinition, type DeploymentArns } from '../state-machines/definition';
import { type InProcessHandler, type LocalAws, simulatedTimeRetryStrategy, type StepFunctionsInternal } from '@fledge-local/embedded-aws';

/** Local mode's name of an engine function: its ARN substitution in the state machine, or `SafetyNet`/`Sweeper`. */
type LocalFunctionKey = (typeof ENGINE_FUNCTIONS)[EngineFunction]['substitution'];

/** Each engine function's handler factory, run in-process on the ports its row of the table lists. */
const IN_PROCESS: { readonly [F in EngineFunction]: (deps: EngineDepsOf<F>) => InProcessHandler } = {
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
};

/** Options of {@link provisionControlPlane}. */
export interface ControlPlaneOptions {
  /** Prefix of every resource name; default `fledge`. */
  readonly name?: string;
  /** fledge's stage (what `FLEDGE_STAGE` is on AWS): scopes the names of the alarms it creates; default `local`. */
  readonly stage?: string;
  /** SDK attempts per call of fledge's own clients (1 leaves every retry to the state machine); default 3, as on AWS. */
  readonly sdkMaxAttempts?: number;
  /** Builds the links of approval messages (issue 5's signed links); the CLI commands are named otherwise. */
  readonly approvalLinks?: ApprovalLinkBuilder;
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
  /** Task function names by substitution (`TrafficFunctionArn` → `fledge-traffic`), plus the safety net's and the sweeper's. */
  readonly functions: Readonly<Record<LocalFunctionKey, string>>;
  /** The engine's ports over the embedded AWS on its simulated clock (for starters, controls and tests). */
  readonly deps: EngineDeps;
  /** SDK clients of fledge's own, pointed at the embedded AWS. */
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
  // The SDK's own retries wait on the simulated clock, like everything else: in real seconds they
  // would eat minutes of a compressed deployment's deadline, so a throttle could change its outcome.
  const base = { endpoint: aws.endpoint, region: aws.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts, retryStrategy: simulatedTimeRetryStrategy(maxAttempts, aws.clock), customUserAgent: [USER_AGENT] };
  // One client configuration for fledge's own clients and the engine's ports (the composition root's).
  const client = clientCache(base);
  const clients = {
    lambda: client(LambdaClient),
    cloudwatch: client(CloudWatchClient),
    dynamodb: client(DynamoDBClient),
    sns: client(SNSClient),
    sfn: client(SFNClient),
    events: client(EventBridgeClient),
    s3: new S3Client({ ...base, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }),
  };
  const clock: Clock = { now: () => aws.clock.now(), sleep: (ms) => aws.clock.sleep(ms), timeScale: aws.clock.timeScale };
  const account = '000000000000';
  const tableName = `${name}-deployments`;
  const bucket = `${name}-artifacts`;

  await ignoring(['ResourceInUseException'], () => clients.dynamodb.send(new CreateTableCommand(deploymentTableDefinition(tableName))));
  await ignoring(['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'], () => clients.s3.send(new CreateBucketCommand({ Bucket: bucket })));
  await clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } })).catch(() => undefined);
  const notificationTopicArn = (await clients.sns.send(new CreateTopicCommand({ Name: `${name}-notifications` }))).TopicArn ?? '';
  const approvalTopicArn = (await clients.sns.send(new CreateTopicCommand({ Name: `${name}-approvals` }))).TopicArn ?? '';
  const failedEventsTopicArn = (await clients.sns.send(new CreateTopicCommand({ Name: `${name}-failed-events` }))).TopicArn ?? '';
  const stateMachineArn = `arn:aws:states:${aws.region}:${account}:stateMachine:${name}-deployment`;

  const settings = { tableName, notificationTopicArn, approvalTopicArn, stateMachineArn, stage: options.stage ?? 'local' };
  const webhookSecret = options.webhookSecret ?? randomBytes(32).toString('base64url');
  const composition = (client: Composition['client']): Composition => ({
    settings,
    clock,
    client,
    webhookSecret: () => Promise.resolve(webhookSecret),
    ...(options.approvalLinks ? { approvalLinks: options.approvalLinks } : {}),
  });
  const shared = composition(client);
  const deps = buildPorts(shared, PORT_FACTORIES, ['lambda', 'health', 'store', 'notifier', 'orchestrator', 'clock', 'stage', 'webhooks']);
  const onAwsCall = options.onAwsCall;
  // Observed, each function gets clients of its own, so every call is told apart by function.
  const compositionOf = (fn: EngineFunction): Composition => (onAwsCall ? composition(clientCache({ ...base, credentials: { ...base.credentials } }, (client) => observe(client, (action) => onAwsCall(fn, action)))) : shared);
  const handlers = Object.fromEntries(
    ENGINE_FUNCTION_NAMES.map((fn) => [ENGINE_FUNCTIONS[fn].substitution, IN_PROCESS[fn](buildPorts(compositionOf(fn), PORT_FACTORIES, ENGINE_FUNCTIONS[fn].ports) as never)]),
  ) as Record<LocalFunctionKey, InProcessHandler>;
  // Named from fledge's one table of its functions (shared/domain/own-functions.ts), which specs are checked against.
  const functions = Object.fromEntries(ENGINE_FUNCTION_NAMES.map((fn) => [ENGINE_FUNCTIONS[fn].substitution, localFunctionName(ENGINE_FUNCTIONS[fn].key, name)])) as Record<LocalFunctionKey, string>;
  for (const [key, handler] of Object.entries(handlers)) {
    // 900 s, Lambda's maximum: locally the timeout runs on the compressed clock, and a task's
    // real-time work (HTTP calls to the embedded AWS) must not read as a simulated timeout.
    aws.services.lambda.registerInProcessFunction({ functionName: functions[key as keyof typeof functions], handler, timeout: 900 });
  }

  const arns = Object.fromEntries(DEPLOYMENT_SUBSTITUTIONS.map((key) => [key, `arn:aws:lambda:${aws.region}:${account}:function:${functions[key]}`])) as unknown as DeploymentArns;
  const definition = JSON.stringify(deploymentDefinition(arns));
  const roleArn = `arn:aws:iam::${account}:role/${name}-state-machine`;
  try {
    await clients.sfn.send(new CreateStateMachineCommand({ name: `${name}-deployment`, definition, roleArn, type: 'STANDARD' }));
  } catch (error) {
    if ((error as Error).name !== 'StateMachineAlreadyExists') throw error;
    await clients.sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition }));
  }
  await keepFailedEvents(clients.lambda, functions.SafetyNet, failedEventsTopicArn);
  await keepFailedEvents(clients.lambda, functions.Abort, failedEventsTopicArn);
  await wireAlarmAbort(clients.events, `${name}-alarm-abort`, `arn:aws:lambda:${aws.region}:${account}:function:${functions.Abort}`);
  const unsubscribe = aws.service<{ internal: StepFunctionsInternal } & ReturnType<LocalAws['service']>>('states').internal.subscribeStatusChanges({
    functionName: functions.SafetyNet,
    statuses: ['FAILED', 'TIMED_OUT', 'ABORTED'],
    stateMachineArn,
  });
  return { tableName, bucket, notificationTopicArn, approvalTopicArn, failedEventsTopicArn, stateMachineArn, functions, deps, clients, webhookSecret, unsubscribe };
}

/**
 * What serverless/functions.yml sets on the safety net and the S3 trigger: Lambda retries their
 * asynchronous events twice, then sends what still failed to the failed-events destination.
 */
export async function keepFailedEvents(lambda: LambdaClient, functionName: string, failedEventsTopicArn: string): Promise<void> {
  await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: functionName, MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: failedEventsTopicArn } } }));
}

/**
 * The rule serverless/functions.yml gives the alarm abort: every alarm going to ALARM, delivered
 * to the abort function (which acts only on the deployments under way the alarm gates).
 */
export const ALARM_ABORT_PATTERN = { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { state: { value: ['ALARM'] } } };

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
