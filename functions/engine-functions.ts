import type { EngineDeps } from '../shared/domain/deployment/deps';

/**
 * fledge's engine functions, described once: per function, the state machine's tasks it serves,
 * the ports it uses, the IAM actions its code may call and the environment it reads beyond the
 * stack-wide one (serverless.yml's `provider.environment`). Everything else is derived from or
 * checked against this table: the handlers (`engineFunction('check', …)` in functions/lib/engine-function.ts
 * types their ports from it), local mode's wiring (local/control-plane.ts), the least-privilege
 * lists (functions/permissions.ts), and serverless/functions.yml and serverless/roles/engine.yml
 * (test/stack proves each role equals the actions its code calls, and that functions.yml says
 * what this table says).
 *
 * Pure data (it imports only types), so a handler's bundle gains no SDK client by reading it.
 */
export const ENGINE_FUNCTIONS = {
  prepare: {
    key: 'prepare',
    entry: 'functions/prepare.ts',
    substitution: 'PrepareFunctionArn',
    tasks: ['Prepare'],
    ports: ['lambda', 'store', 'clock'],
    environment: [],
    // CreateFunction and UpdateFunctionCode fetch the code with the caller's permissions (the zip,
    // ListBucket for a clear NoSuchKey, an image, layers); CreateFunction tags what it creates.
    actions: [
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'lambda:GetFunctionConfiguration',
      'lambda:GetAlias',
      'lambda:CreateFunction',
      'lambda:TagResource',
      'lambda:GetLayerVersion',
      'iam:PassRole',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      'ecr:BatchGetImage',
      'ecr:GetDownloadUrlForLayer',
    ],
  },
  publish: {
    key: 'publish',
    entry: 'functions/publish.ts',
    substitution: 'PublishFunctionArn',
    tasks: ['Publish'],
    ports: ['lambda', 'health', 'store', 'clock', 'stage'],
    environment: [],
    actions: [
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
    tasks: ['PreTraffic'],
    ports: ['lambda', 'health', 'store', 'clock'],
    environment: [],
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'lambda:GetFunctionConfiguration', 'lambda:InvokeFunction', 'cloudwatch:DescribeAlarms'],
  },
  traffic: {
    key: 'traffic',
    entry: 'functions/traffic.ts',
    substitution: 'TrafficFunctionArn',
    tasks: ['NextStep', 'Promote', 'Rollback'],
    ports: ['lambda', 'health', 'store', 'notifier', 'clock'],
    environment: [],
    actions: [
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
      'cloudwatch:DeleteAlarms',
      'sns:Publish',
    ],
  },
  check: {
    key: 'check',
    entry: 'functions/check.ts',
    substitution: 'CheckFunctionArn',
    tasks: ['Check'],
    ports: ['lambda', 'health', 'store', 'clock'],
    environment: [],
    // At a pause's end it applies the next weight itself (check-then-shift).
    actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:CreateAlias', 'cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData'],
  },
  approval: {
    key: 'approval',
    entry: 'functions/request-approval.ts',
    substitution: 'ApprovalFunctionArn',
    tasks: ['RequestApproval'],
    ports: ['store', 'notifier', 'clock'],
    // The message's Approve/Reject links: the approval pages' URL and their signing key.
    environment: ['FLEDGE_API_URL', 'FLEDGE_APPROVAL_SECRET_PARAMETER'],
    // The signing key: a Parameter Store reference to a Secrets Manager secret, read as both.
    actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'sns:Publish', 'ssm:GetParameter', 'secretsmanager:GetSecretValue'],
  },
  record: {
    key: 'record',
    entry: 'functions/record.ts',
    substitution: 'RecordFunctionArn',
    tasks: ['RecordNoChange', 'RecordDrift', 'RecordRejected', 'RollbackFailed'],
    ports: ['lambda', 'health', 'store', 'notifier', 'clock'],
    environment: [],
    actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'lambda:GetAlias', 'cloudwatch:DeleteAlarms', 'sns:Publish'],
  },
  'safety-net': {
    key: 'safetyNet',
    entry: 'functions/safety-net.ts',
    substitution: 'SafetyNet',
    tasks: [],
    ports: ['lambda', 'health', 'store', 'notifier', 'clock'],
    environment: [],
    actions: [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'lambda:GetAlias',
      'lambda:UpdateAlias',
      'lambda:CreateAlias',
      'lambda:DeleteAlias',
      'cloudwatch:DeleteAlarms',
      'sns:Publish',
      // Lambda sends an event that still failed to the on-failure queue with the function's role.
      'sqs:SendMessage',
    ],
  },
  abort: {
    key: 'abort',
    entry: 'functions/abort.ts',
    substitution: 'Abort',
    tasks: [],
    ports: ['lambda', 'health', 'store', 'notifier', 'clock', 'orchestrator'],
    // To stop the execution of the deployment it rolled back.
    environment: ['FLEDGE_STATE_MACHINE_ARN'],
    actions: [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'lambda:GetAlias',
      'lambda:UpdateAlias',
      'lambda:CreateAlias',
      'lambda:DeleteAlias',
      'cloudwatch:DeleteAlarms',
      'sns:Publish',
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
    tasks: [],
    ports: ['lambda', 'health', 'store', 'notifier', 'clock', 'orchestrator'],
    // To see whether a deployment's execution still runs.
    environment: ['FLEDGE_STATE_MACHINE_ARN'],
    actions: [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'lambda:GetAlias',
      'lambda:UpdateAlias',
      'lambda:CreateAlias',
      'lambda:DeleteAlias',
      'cloudwatch:DeleteAlarms',
      'sns:Publish',
      'states:DescribeExecution',
    ],
  },
} as const satisfies Record<string, EngineFunctionSpec>;

/** One row of {@link ENGINE_FUNCTIONS}. */
export interface EngineFunctionSpec {
  /** Its key in serverless/functions.yml and shared/domain/control-plane.ts (`safetyNet`). */
  readonly key: string;
  /** Its handler module, which exports `handler` (serverless/functions.yml: `<entry>.handler`). */
  readonly entry: string;
  /** Local mode's name for it: the state machine's ARN substitution, or `SafetyNet`/`Abort`/`Sweeper`. */
  readonly substitution: string;
  /** The state machine's Task states it serves (none: invoked by an event or a schedule). */
  readonly tasks: readonly string[];
  /** The ports of `EngineDeps` it is given. */
  readonly ports: readonly EnginePort[];
  /** Environment variables it reads beyond serverless.yml's `provider.environment`. */
  readonly environment: readonly string[];
  /**
   * The IAM actions its code may call: its role in serverless/roles/engine.yml grants exactly
   * these (and writing its own logs).
   */
  readonly actions: readonly string[];
}

/** A port of the engine (a key of `EngineDeps`). */
export type EnginePort = 'lambda' | 'health' | 'store' | 'notifier' | 'orchestrator' | 'clock' | 'stage';

/** One of the engine's functions, by its name in {@link ENGINE_FUNCTIONS}. */
export type EngineFunction = keyof typeof ENGINE_FUNCTIONS;

/** The ports `fn` uses, as a union of `EngineDeps` keys. */
export type PortsOf<F extends EngineFunction> = (typeof ENGINE_FUNCTIONS)[F]['ports'][number];

/** The engine's functions, in the table's order. */
export const ENGINE_FUNCTION_NAMES = Object.keys(ENGINE_FUNCTIONS) as EngineFunction[];

/** The ports `fn` is given: the `EngineDeps` its row of the table lists. */
export type EngineDepsOf<F extends EngineFunction> = Pick<EngineDeps, PortsOf<F>>;
