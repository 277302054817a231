/**
 * THE table of the fault matrix: every AWS operation fledge's functions call, the deployment that
 * makes fledge call it, and when a fault injected into it is reached. `matrix.ts` generates every
 * case from this table and {@link FAULT_KINDS}; `coverage.test.ts` fails when a handler in
 * `functions/` can reach an SDK operation that is neither here nor in {@link NOT_IN_MATRIX}, and
 * when a row names an operation no handler calls any more.
 */

/** SigV4 signing names of the embedded AWS's services (what the faults API matches on). */
export type Service = 's3' | 'dynamodb' | 'lambda' | 'monitoring' | 'sns' | 'states' | 'events';

/**
 * The deployment a case runs (see `scenarios.ts`):
 * - `approved`: a canary at 50% that waits for an approval, is approved through the API, bakes
 *   again and is promoted; versions beyond the newest are cleaned up. Fault-free: SUCCEEDED.
 * - `rejected`: the same canary, rejected through the API at its approval: rolled back. ROLLED_BACK.
 * - `newFunction`: the first deployment of a function that does not exist yet. SUCCEEDED.
 * - `newAlias`: an existing function without the alias; its `afterTraffic` hook fails, so the
 *   alias fledge created is deleted again. ROLLED_BACK.
 */
export type ScenarioName = 'approved' | 'rejected' | 'newFunction' | 'newAlias';

/**
 * When a fault is injected: `before` the deployment is requested at its door, or `during` it,
 * at its approval (the deployment holds 50% of the traffic and waits for a person).
 */
export type Timing = 'before' | 'during';

/** How the deployment is requested: a spec dropped under `deployments/` in the bucket, or `POST /deployments`. */
export type Door = 'drop' | 'api';

export interface OperationRow {
  readonly service: Service;
  /** As AWS names it, and as the faults API matches it (`PutItem` for lib-dynamodb's `Put`). */
  readonly operation: string;
  readonly scenario: ScenarioName;
  /**
   * The timings whose faults reach a call of this operation that the other timing does not
   * reach: an operation called only after the approval is reached alike from `before` and
   * `during` (it is `during` only), one called only before the approval cannot be reached
   * `during` (it is `before` only). Every case checks that its fault was taken at least once.
   */
  readonly timings: readonly Timing[];
  /** The doors that call it themselves, before the execution starts (both are then tested `before`). */
  readonly doors?: readonly Door[];
  /** Where fledge calls it. */
  readonly calledBy: string;
}

export const OPERATIONS: readonly OperationRow[] = [
  // Lambda: fledge's own registry adapter (shared/adapters/lambda-registry.ts).
  { service: 'lambda', operation: 'GetFunctionConfiguration', scenario: 'approved', timings: ['before'], calledBy: 'prepare, publish (settling), verify (readiness)' },
  { service: 'lambda', operation: 'UpdateFunctionConfiguration', scenario: 'approved', timings: ['before'], calledBy: 'publish (the spec has configuration)' },
  { service: 'lambda', operation: 'UpdateFunctionCode', scenario: 'approved', timings: ['before'], calledBy: 'publish' },
  { service: 'lambda', operation: 'PublishVersion', scenario: 'approved', timings: ['before'], calledBy: 'publish' },
  { service: 'lambda', operation: 'GetAlias', scenario: 'approved', timings: ['before', 'during'], calledBy: 'prepare (snapshot), traffic, check (drift), promote, the API' },
  { service: 'lambda', operation: 'UpdateAlias', scenario: 'approved', timings: ['before', 'during'], calledBy: 'traffic (50%), promote (100%)' },
  { service: 'lambda', operation: 'Invoke', scenario: 'approved', timings: ['before', 'during'], calledBy: 'verify (smoke test); also every task Step Functions invokes, and the traffic' },
  { service: 'lambda', operation: 'ListAliases', scenario: 'approved', timings: ['before', 'during'], calledBy: 'prepare (the caller audit), promote (cleanup.keepVersions)' },
  { service: 'lambda', operation: 'ListVersionsByFunction', scenario: 'approved', timings: ['before', 'during'], calledBy: 'prepare (the caller audit), promote (cleanup.keepVersions)' },
  { service: 'lambda', operation: 'ListEventSourceMappings', scenario: 'approved', timings: ['before'], calledBy: 'prepare (the caller audit)' },
  { service: 'lambda', operation: 'GetPolicy', scenario: 'approved', timings: ['before'], calledBy: 'prepare (the caller audit: the function, each alias, each version)' },
  { service: 'lambda', operation: 'ListFunctionUrlConfigs', scenario: 'approved', timings: ['before'], calledBy: 'prepare (the caller audit)' },
  { service: 'lambda', operation: 'DeleteFunction', scenario: 'approved', timings: ['during'], calledBy: 'promote (cleanup deletes version 1)' },
  { service: 'lambda', operation: 'CreateFunction', scenario: 'newFunction', timings: ['before'], calledBy: 'prepare (the function does not exist)' },
  { service: 'lambda', operation: 'CreateAlias', scenario: 'newFunction', timings: ['before'], calledBy: 'promote (the alias does not exist)' },
  { service: 'lambda', operation: 'DeleteAlias', scenario: 'newAlias', timings: ['before'], calledBy: 'rollback (the alias did not exist before)' },
  // DynamoDB: the deployments table (shared/adapters/dynamodb-store.ts), through lib-dynamodb.
  { service: 'dynamodb', operation: 'GetItem', scenario: 'approved', timings: ['before', 'during'], doors: ['drop', 'api'], calledBy: 'every task, the doors, the API' },
  { service: 'dynamodb', operation: 'PutItem', scenario: 'approved', timings: ['before', 'during'], doors: ['drop', 'api'], calledBy: 'the doors (record), prepare (lock), every event' },
  { service: 'dynamodb', operation: 'UpdateItem', scenario: 'approved', timings: ['before', 'during'], doors: ['drop', 'api'], calledBy: 'the doors (execution ARN), every status and alias change, approvals' },
  { service: 'dynamodb', operation: 'DeleteItem', scenario: 'approved', timings: ['during'], calledBy: 'the ending (lock release)' },
  { service: 'dynamodb', operation: 'Query', scenario: 'approved', timings: ['during'], calledBy: 'promote (cleanup reads the function\'s deployments), the API\'s history' },
  // CloudWatch (shared/adapters/cloudwatch-health.ts).
  { service: 'monitoring', operation: 'PutMetricAlarm', scenario: 'approved', timings: ['before'], calledBy: 'publish (the error-rate alarm on the new version)' },
  { service: 'monitoring', operation: 'DescribeAlarms', scenario: 'approved', timings: ['before', 'during'], calledBy: 'verify, check' },
  { service: 'monitoring', operation: 'GetMetricData', scenario: 'approved', timings: ['before', 'during'], calledBy: 'check (error rate, evidence)' },
  { service: 'monitoring', operation: 'DeleteAlarms', scenario: 'approved', timings: ['during'], calledBy: 'the ending' },
  // SNS (shared/adapters/sns-notifier.ts).
  { service: 'sns', operation: 'Publish', scenario: 'approved', timings: ['before'], calledBy: 'approval (the request)' },
  { service: 'sns', operation: 'Publish', scenario: 'rejected', timings: ['during'], calledBy: 'rollback (the outcome notification)' },
  // EventBridge (shared/adapters/eventbridge-channel.ts): every event of a deployment; a failing bus is recorded, never fatal.
  { service: 'events', operation: 'PutEvents', scenario: 'approved', timings: ['before', 'during'], calledBy: 'prepare (started), traffic (weight, the approval decision, promoted), approval (the request)' },
  // S3 (shared/adapters/s3-artifacts.ts): only the doors read the bucket.
  { service: 's3', operation: 'GetObject', scenario: 'approved', timings: ['before'], doors: ['drop'], calledBy: 'the S3 drop (reads the spec)' },
  { service: 's3', operation: 'HeadObject', scenario: 'approved', timings: ['before'], doors: ['drop', 'api'], calledBy: 'the doors (the artifact exists, its size)' },
  { service: 's3', operation: 'GetBucketLocation', scenario: 'approved', timings: ['before'], doors: ['drop', 'api'], calledBy: 'the doors (the artifact\'s region)' },
  // Step Functions (shared/adapters/sfn-orchestrator.ts).
  { service: 'states', operation: 'StartExecution', scenario: 'approved', timings: ['before'], doors: ['drop', 'api'], calledBy: 'the doors' },
  { service: 'states', operation: 'DescribeExecution', scenario: 'approved', timings: ['before', 'during'], calledBy: 'the sweeper (is the execution still running?), a retried start at the doors' },
  { service: 'states', operation: 'SendTaskSuccess', scenario: 'approved', timings: ['during'], calledBy: 'the API (approve)' },
  { service: 'states', operation: 'SendTaskFailure', scenario: 'rejected', timings: ['during'], calledBy: 'the API (reject)' },
];

/**
 * What the static analysis finds and the matrix leaves out, with the reason. `ssm:GetParameter`
 * reads the approval-signing secret on AWS; local mode keeps that secret in its data directory,
 * and the embedded AWS has no Systems Manager.
 */
export const NOT_IN_MATRIX: readonly { readonly service: string; readonly operation: string; readonly reason: string }[] = [
  {
    service: 'ssm',
    operation: 'GetParameter',
    reason: 'the signing secrets, the outgoing notification webhooks and the GitHub token: read once per cold start on AWS; local mode keeps them itself (no SSM in the embedded AWS); an unreadable list is a notificationFailed event (test/engine/notification-kinds.test.ts)',
  },
  { service: 'sts', operation: 'AssumeRole', reason: 'only a wave run (a spec with targets) assumes roles, and the matrix scenarios deploy in fledge\'s own account; a refused AssumeRole is proved by test/engine/waves.test.ts (refused before anything moves), a throttled one is TransientAwsError (sts-targets.ts)' },
  {
    service: 'states',
    operation: 'StopExecution',
    reason:
      'the alarm abort stops the execution after its rollback, best-effort (a failure leaves the execution to find the record ended at its next task); no scenario fires an alarm, so a fault here is never reached — test/engine/alarm-abort.test.ts covers the abort',
  },
  // Provisioned concurrency (docs/engine.md#provisioned-concurrency): no scenario's function has PC, so no fault here is reached yet.
  ...['GetProvisionedConcurrencyConfig', 'PutProvisionedConcurrencyConfig', 'DeleteProvisionedConcurrencyConfig'].map((operation) => ({
    service: 'lambda',
    operation,
    reason: 'provisioned-concurrency-aware shifting: no scenario of the matrix configures PC (a scenario with PC is still to come); test/engine/provisioned-concurrency.test.ts covers the calls, rollback and the allocation that never becomes READY',
  })),
];

/** lib-dynamodb's document commands are DynamoDB's item operations on the wire. */
const DOCUMENT_COMMANDS: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
};

const SERVICE_OF_PACKAGE: Readonly<Record<string, string>> = {
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-cloudwatch': 'monitoring',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-sts': 'sts',
};

/** The service (signing name) and wire operation of an SDK call found by the static analysis. */
export function wireOperation(call: { readonly pkg: string; readonly operation: string }): { service: string; operation: string } {
  const service = SERVICE_OF_PACKAGE[call.pkg];
  if (!service) throw new Error(`the fault matrix does not know the SDK package ${call.pkg} (add it to SERVICE_OF_PACKAGE and the table)`);
  const operation = call.pkg === '@aws-sdk/lib-dynamodb' ? (DOCUMENT_COMMANDS[call.operation] ?? call.operation) : call.operation;
  return { service, operation };
}
