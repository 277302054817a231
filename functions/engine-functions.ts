import type { FledgeFunction } from '../shared/domain/own-functions';
import type { EngineDeps } from '../shared/domain/deployment/deps';

/**
 * fledge's engine functions, described once: per function, the state machine's tasks it serves,
 * the ports it uses, the IAM actions its code may call, the environment it reads beyond the
 * stack-wide one (serverless.yml's `provider.environment`) and how the stack deploys it.
 * Everything else is derived from this table:
 * - the handlers: `engineFunction('check', …)` (functions/lib/engine-function.ts) types their ports from it;
 * - local mode's wiring (local/fledge-on-local.ts);
 * - the least-privilege lists (functions/permissions.ts);
 * - serverless/engine-functions.yml and serverless/roles/engine.yml, written by `npm run generate`
 *   (scripts/stack/): test/spec/engine-functions.test.ts fails while the committed files differ
 *   from what the generator writes, and test/stack proves each role equals the calls its code can make.
 *
 * Pure data (it imports only types), and no handler's bundle imports it.
 */
/**
 * The environment of every function that notifies (docs/events.md): the outgoing notification
 * webhooks and the GitHub token (SSM SecureStrings named by stack parameters; empty: that channel
 * is off), and the webhook signing key the notification webhooks are signed with.
 */
const NOTIFIER_ENVIRONMENT = {
  FLEDGE_WEBHOOK_SECRET_PARAMETER: '${self:custom.webhookSecretReference}',
  FLEDGE_NOTIFICATION_WEBHOOKS_PARAMETER: { Ref: 'NotificationWebhooksParameter' },
  FLEDGE_GITHUB_TOKEN_PARAMETER: { Ref: 'GitHubTokenParameter' },
} as const;

/** What reading {@link NOTIFIER_ENVIRONMENT}'s parameters takes (the signing key is a Secrets Manager secret read through Parameter Store). */
const NOTIFIER_READS = ['ssm:GetParameter', 'secretsmanager:GetSecretValue'] as const;

/** What every function that restores an alias outside the Rollback task may do (the safety net, the abort, the sweeper). */
const RESTORE_ACTIONS = [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'lambda:GetAlias',
      'lambda:UpdateAlias',
      'lambda:CreateAlias',
      'lambda:DeleteAlias',
      // The new version's provisioned concurrency goes when its alias is restored (docs/engine.md#provisioned-concurrency).
      'lambda:GetProvisionedConcurrencyConfig',
      'lambda:DeleteProvisionedConcurrencyConfig',
      'lambda:ListAliases',
      'cloudwatch:DeleteAlarms',
      'sns:Publish',
      'events:PutEvents',
      ...NOTIFIER_READS,
] as const;

/** The abort's EventBridge rule: every alarm of the account going to ALARM (the stack's and local mode's). */
export const ALARM_ABORT_PATTERN = { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { state: { value: ['ALARM'] } } } as const;

export const ENGINE_FUNCTIONS = {
  prepare: {
    key: 'prepare',
    entry: 'functions/prepare.ts',
    substitution: 'PrepareFunctionArn',
    description: 'fledge engine - lock, record, alias snapshot, create the function if missing',
    roleDescription: 'fledge prepare - lock and record in the table, read or create the target function',
    timeout: 900,
    tasks: ['Prepare'],
    // The notifier: the `started` event (docs/events.md). CloudWatch and SNS: `onConflict: supersede`
    // rolls the deployment it supersedes back (its alarm, its notification).
    ports: ['lambda', 'health', 'store', 'notifier', 'clock', 'callers'],
    environment: NOTIFIER_ENVIRONMENT,
    // CreateFunction and UpdateFunctionCode fetch the code with the caller's permissions (the zip,
    // ListBucket for a clear NoSuchKey, an image, layers); CreateFunction tags what it creates.
    // The caller audit reads the mappings, the policies (function, aliases, versions) and the URLs.
    // Restoring an alias (`onConflict: supersede`) and the queue's order (Query) as the table says once.
    actions: [
      'sts:AssumeRole',
      ...RESTORE_ACTIONS,
      'dynamodb:Query',
      'lambda:GetFunctionConfiguration',
      'lambda:GetAlias',
      // Adoption (artifact.fromLatest): the highest version another tool published.
      'lambda:ListVersionsByFunction',
      'lambda:CreateFunction',
      'lambda:TagResource',
      'lambda:GetLayerVersion',
      'iam:PassRole',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
      'sns:Publish',
      'events:PutEvents',
      'lambda:ListAliases',
      'lambda:ListVersionsByFunction',
      'lambda:ListEventSourceMappings',
      'lambda:GetPolicy',
      'lambda:ListFunctionUrlConfigs',
      ...NOTIFIER_READS,
    ],
  },
  publish: {
    key: 'publish',
    entry: 'functions/publish.ts',
    substitution: 'PublishFunctionArn',
    description: 'fledge engine - update configuration and code, wait, guarded publish, version alarm',
    roleDescription: 'fledge publish - update and publish the target function, create its version alarm',
    timeout: 900,
    tasks: ['Publish'],
    ports: ['lambda', 'health', 'store', 'clock', 'stage'],
    environment: {},
    actions: [
      'sts:AssumeRole',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'lambda:GetFunctionConfiguration',
      'lambda:UpdateFunctionConfiguration',
      'lambda:UpdateFunctionCode',
      'lambda:PublishVersion',
      'lambda:GetLayerVersion',
      'iam:PassRole',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:TagResource',
    ],
  },
  verify: {
    key: 'verify',
    entry: 'functions/pre-traffic.ts',
    substitution: 'VerifyFunctionArn',
    description: 'fledge engine - smoke test and beforeTraffic hook on the new version',
    roleDescription: 'fledge verify - invoke the new version and its hooks, check the alarms exist',
    timeout: 900,
    tasks: ['PreTraffic'],
    ports: ['lambda', 'health', 'store', 'clock', 'webhooks'],
    // The beforeTraffic webhooks' signing key (a Parameter Store reference to a Secrets Manager secret).
    environment: { FLEDGE_WEBHOOK_SECRET_PARAMETER: '${self:custom.webhookSecretReference}' },
    actions: ['sts:AssumeRole', 'dynamodb:GetItem', 'dynamodb:PutItem', 'lambda:GetFunctionConfiguration', 'lambda:InvokeFunction', 'cloudwatch:DescribeAlarms', 'ssm:GetParameter', 'secretsmanager:GetSecretValue'],
  },
  traffic: {
    key: 'traffic',
    entry: 'functions/traffic.ts',
    substitution: 'TrafficFunctionArn',
    description: 'fledge engine - next step, promote, roll back (the only function that moves traffic)',
    roleDescription: 'fledge traffic - the only role that moves alias traffic (next step, promote, roll back)',
    timeout: 900,
    tasks: ['NextStep', 'Promote', 'Rollback'],
    ports: ['lambda', 'health', 'store', 'notifier', 'clock', 'webhooks'],
    // The beforeStep, beforePromotion and onRollback webhooks' signing key, and the notifier's.
    environment: NOTIFIER_ENVIRONMENT,
    actions: [
      'sts:AssumeRole',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'lambda:GetAlias',
      'lambda:UpdateAlias',
      'lambda:CreateAlias',
      'lambda:DeleteAlias',
      'lambda:ListAliases',
      'lambda:ListVersionsByFunction',
      'lambda:DeleteFunction',
      'lambda:InvokeFunction',
      // Provisioned concurrency on the new version before each weight, off the old one at promotion.
      'lambda:GetProvisionedConcurrencyConfig',
      'lambda:PutProvisionedConcurrencyConfig',
      'lambda:DeleteProvisionedConcurrencyConfig',
      'cloudwatch:DeleteAlarms',
      'sns:Publish',
      'events:PutEvents',
      'ssm:GetParameter',
      'secretsmanager:GetSecretValue',
    ],
  },
  check: {
    key: 'check',
    entry: 'functions/check.ts',
    substitution: 'CheckFunctionArn',
    description: 'fledge engine - stop flag, deadline, drift and alarms during a bake',
    roleDescription: "fledge check - read the alias, the alarms and the new version's error metrics during a bake; at a pause's end, apply the next weight (check-then-shift)",
    timeout: 120,
    tasks: ['Check'],
    ports: ['lambda', 'health', 'store', 'clock', 'webhooks'],
    // The check webhooks' signing key.
    environment: { FLEDGE_WEBHOOK_SECRET_PARAMETER: '${self:custom.webhookSecretReference}' },
    // At a pause's end it applies the next weight itself (check-then-shift).
    actions: ['sts:AssumeRole', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:CreateAlias', 'lambda:GetProvisionedConcurrencyConfig', 'lambda:PutProvisionedConcurrencyConfig', 'cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData', 'ssm:GetParameter', 'secretsmanager:GetSecretValue'],
  },
  approval: {
    key: 'approval',
    entry: 'functions/request-approval.ts',
    substitution: 'ApprovalFunctionArn',
    description: 'fledge engine - store the task token and request an approval',
    roleDescription: 'fledge approval - store the task token, publish the approval request with signed links',
    timeout: 120,
    tasks: ['RequestApproval'],
    ports: ['store', 'notifier', 'clock'],
    // The message's Approve/Reject links point at the approval pages of this stack's HTTP API (its
    // $default stage: no stage segment in the path) and are signed with the pages' key.
    environment: { FLEDGE_API_URL: { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] }, FLEDGE_APPROVAL_SECRET_PARAMETER: '${self:custom.approvalSecretReference}', ...NOTIFIER_ENVIRONMENT },
    // The signing key: a Parameter Store reference to a Secrets Manager secret, read as both.
    actions: ['sts:AssumeRole', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'sns:Publish', 'events:PutEvents', 'ssm:GetParameter', 'secretsmanager:GetSecretValue'],
  },
  record: {
    key: 'record',
    entry: 'functions/record.ts',
    substitution: 'RecordFunctionArn',
    description: 'fledge engine - endings that move no traffic (no change, drift, refused, rollback failed)',
    roleDescription: 'fledge record - endings that move no traffic',
    timeout: 120,
    tasks: ['RecordNoChange', 'RecordDrift', 'RecordRejected', 'RollbackFailed'],
    ports: ['lambda', 'health', 'store', 'notifier', 'clock'],
    environment: NOTIFIER_ENVIRONMENT,
    // A group's drift rolls its other members back (RecordDrift): restoring an alias as the table says once.
    actions: ['sts:AssumeRole', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'lambda:GetAlias', 'cloudwatch:DeleteAlarms', 'sns:Publish', 'events:PutEvents', ...NOTIFIER_READS, ...RESTORE_ACTIONS],
  },
  'safety-net': {
    key: 'safetyNet',
    entry: 'functions/safety-net.ts',
    substitution: 'SafetyNet',
    description: 'fledge safety net - restores the alias when an execution fails, times out or is stopped',
    roleDescription: 'fledge safety net - restore the alias from the snapshot after a failed execution',
    timeout: 300,
    tasks: [],
    // A target's deployment is restored in the target, with its role (see place.ts).
    ports: ['lambda', 'health', 'store', 'notifier', 'clock', 'targets'],
    environment: NOTIFIER_ENVIRONMENT,
    settings: {
      // Lambda retries asynchronous (EventBridge) invocations twice; every step is idempotent.
      maximumRetryAttempts: 2,
      // An event still failing after that must not vanish: the alias may be half-shifted.
      destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['FailedEventsQueue', 'Arn'] } } },
      events: [
        {
          eventBridge: {
            pattern: {
              source: ['aws.states'],
              'detail-type': ['Step Functions Execution Status Change'],
              detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: 'DeploymentStateMachine' }] },
            },
          },
        },
      ],
    },
    actions: [
      'sts:AssumeRole',
      ...RESTORE_ACTIONS,
      // Lambda sends an event that still failed to the on-failure queue with the function's role.
      'sqs:SendMessage',
    ],
  },
  abort: {
    key: 'abort',
    entry: 'functions/abort.ts',
    substitution: 'Abort',
    description: 'fledge alarm abort - rolls back at once the deployments an alarm gates when it goes to ALARM',
    roleDescription: 'fledge abort - takes over and rolls back the deployments an alarm gates, then stops their executions',
    timeout: 300,
    tasks: [],
    ports: ['lambda', 'health', 'store', 'notifier', 'clock', 'orchestrator', 'targets', 'home'],
    // To stop the execution of the deployment it rolled back.
    environment: { FLEDGE_STATE_MACHINE_ARN: { Ref: 'DeploymentStateMachine' }, ...NOTIFIER_ENVIRONMENT },
    settings: {
      // Lambda retries asynchronous (EventBridge) invocations twice; every step is idempotent.
      maximumRetryAttempts: 2,
      // An event still failing after that must not vanish: the scheduled checks still roll back, but later.
      destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['FailedEventsQueue', 'Arn'] } } },
      // Every alarm of the account going to ALARM: the spec's alarms are any the user names; the
      // function acts only on the deployments under way that an alarm gates.
      events: [{ eventBridge: { pattern: ALARM_ABORT_PATTERN } }],
    },
    actions: [
      'sts:AssumeRole',
      ...RESTORE_ACTIONS,
      // Lists open deployments and locks, and whether their executions still run.
      'dynamodb:Query',
      'states:DescribeExecution',
      'states:StopExecution',
      // Lambda sends an event that still failed to the on-failure queue with the function's role.
      'sqs:SendMessage',
    ],
  },
  sweeper: {
    key: 'sweeper',
    entry: 'functions/sweeper.ts',
    substitution: 'Sweeper',
    description: 'fledge repair loop - finishes deployments and aliases that outages left, once AWS answers',
    roleDescription: 'fledge sweeper - repair loop, finishes deployments and restores aliases that outages left',
    timeout: 300,
    tasks: [],
    ports: ['lambda', 'health', 'store', 'notifier', 'clock', 'orchestrator', 'targets', 'waveRunner'],
    // To see whether a deployment's execution (or a wave run's) still runs: never touched before it has ended.
    environment: { FLEDGE_STATE_MACHINE_ARN: { Ref: 'DeploymentStateMachine' }, FLEDGE_WAVES_STATE_MACHINE_ARN: { Ref: 'WavesStateMachine' }, ...NOTIFIER_ENVIRONMENT },
    settings: {
      // The next run is the retry: every step is idempotent, and a sweep that fails for one
      // deployment still does the others.
      maximumRetryAttempts: 0,
      events: [{ schedule: { rate: 'rate(5 minutes)', description: 'fledge repair loop (docs/reliability.md)' } }],
    },
    actions: [
      'sts:AssumeRole',
      ...RESTORE_ACTIONS,
      // Lists open deployments and locks, and whether their executions (and wave runs') still run.
      'dynamodb:Query',
      'states:DescribeExecution',
      // Winding down a wave run whose runner died fails the pending approval of a target it stops.
      'states:SendTaskFailure',
    ],
  },
  waves: {
    key: 'waves',
    entry: 'functions/waves.ts',
    substitution: 'WavesFunctionArn',
    stateMachine: 'waves',
    description: 'fledge engine - wave runs: reach every target, start each when its dependencies succeeded, stop and roll back on a failure',
    roleDescription: 'fledge waves - assume the target roles, start and stop the targets\' deployments, roll back promoted targets',
    timeout: 900,
    tasks: ['StartWaves', 'AdvanceWaves'],
    ports: ['store', 'orchestrator', 'notifier', 'clock', 'targets'],
    // Starts each target's deployment on the deployment state machine (and stops the ones in flight);
    // the run's own ending goes to every notification channel (docs/events.md).
    environment: { FLEDGE_STATE_MACHINE_ARN: { Ref: 'DeploymentStateMachine' }, ...NOTIFIER_ENVIRONMENT },
    actions: [
      'sts:AssumeRole',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'states:StartExecution',
      'states:SendTaskFailure',
      'sns:Publish',
      'events:PutEvents',
      ...NOTIFIER_READS,
      // What its code could call in fledge's own account; in a target the role assumed there decides.
      'lambda:GetFunctionConfiguration',
      'lambda:GetAlias',
      'lambda:UpdateAlias',
      'lambda:DeleteAlias',
      'cloudwatch:DeleteAlarms',
    ],
  },
} as const satisfies Record<string, EngineFunctionSpec>;

/**
 * A value of the stack: a string (serverless variables such as `${self:custom.x}` included), or a
 * CloudFormation intrinsic in its long form (`{ Ref: 'X' }`, `{ 'Fn::GetAtt': ['X', 'Arn'] }`),
 * which the generated YAML writes in its short form (`!Ref X`).
 */
export type StackValue = string | number | boolean | null | readonly StackValue[] | { readonly [key: string]: StackValue };

/** One row of {@link ENGINE_FUNCTIONS}. */
export interface EngineFunctionSpec {
  /** Its key in serverless.yml's functions and in fledge's list of its own functions (`safetyNet`). */
  readonly key: FledgeFunction;
  /** Its handler module, which exports `handler` (serverless/engine-functions.yml: `<entry>.handler`). */
  readonly entry: string;
  /** Local mode's name for it: the state machine's ARN substitution, or `SafetyNet`/`Abort`/`Sweeper`. */
  readonly substitution: string;
  /** The function's description (the Lambda console shows it). */
  readonly description: string;
  /** Its role's description. */
  readonly roleDescription: string;
  /**
   * Lambda's timeout, seconds: the Task state's TimeoutSeconds where the task may wait on AWS or
   * on a hook; the quick ones are capped lower.
   */
  readonly timeout: number;
  /** The state machine's Task states it serves (none: invoked by an event or a schedule). */
  readonly tasks: readonly string[];
  /** Whose Task states: the deployment state machine's (the default) or the wave runner's (state-machines/waves.asl.yml). */
  readonly stateMachine?: 'deployment' | 'waves';
  /** The ports of `EngineDeps` it is given. */
  readonly ports: readonly EnginePort[];
  /**
   * Environment variables it reads beyond serverless.yml's `provider.environment`, with the stack's
   * value of each (each is described by the one configuration schema, shared/config/env.ts).
   */
  readonly environment: { readonly [variable: string]: StackValue };
  /** Further settings of its serverless function (events, retries, destinations), as serverless.yml takes them. */
  readonly settings?: { readonly [setting: string]: StackValue };
  /**
   * The IAM actions its code may call: its role in serverless/roles/engine.yml grants exactly
   * these (and writing its own logs), each on the resources scripts/stack/grants.ts names for it.
   */
  readonly actions: readonly string[];
}

/** A port of the engine (a key of `EngineDeps`). */
export type EnginePort = 'lambda' | 'health' | 'store' | 'notifier' | 'orchestrator' | 'clock' | 'stage' | 'webhooks' | 'callers' | 'targets' | 'waveRunner' | 'home';

/** One of the engine's functions, by its name in {@link ENGINE_FUNCTIONS}. */
export type EngineFunction = keyof typeof ENGINE_FUNCTIONS;

/** The ports `fn` uses, as a union of `EngineDeps` keys. */
export type PortsOf<F extends EngineFunction> = (typeof ENGINE_FUNCTIONS)[F]['ports'][number];

/** The engine's functions, in the table's order. */
export const ENGINE_FUNCTION_NAMES = Object.keys(ENGINE_FUNCTIONS) as EngineFunction[];

/**
 * The ARN substitutions of state-machines/deployment.asl.yml (`${CheckFunctionArn}`, …): the
 * functions that serve a Task state, in the table's order. The stack fills them from its functions
 * (serverless/state-machine.js), local mode from its own; a name the file uses and the table does
 * not give fails both.
 */
export const TASK_SUBSTITUTIONS: readonly string[] = ENGINE_FUNCTION_NAMES.filter((fn) => ENGINE_FUNCTIONS[fn].tasks.length > 0 && machineOf(fn) === 'deployment').map((fn) => ENGINE_FUNCTIONS[fn].substitution);

/** The ARN substitutions of state-machines/waves.asl.yml (`${WavesFunctionArn}`). */
export const WAVES_TASK_SUBSTITUTIONS: readonly string[] = ENGINE_FUNCTION_NAMES.filter((fn) => machineOf(fn) === 'waves').map((fn) => ENGINE_FUNCTIONS[fn].substitution);

function machineOf(fn: EngineFunction): 'deployment' | 'waves' {
  return (ENGINE_FUNCTIONS[fn] as EngineFunctionSpec).stateMachine ?? 'deployment';
}

/** The ports `fn` is given: the `EngineDeps` its row of the table lists. */
export type EngineDepsOf<F extends EngineFunction> = Pick<EngineDeps, PortsOf<F>>;
