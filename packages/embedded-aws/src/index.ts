/**
 * The embedded AWS: S3, DynamoDB, Lambda, CloudWatch, SNS and Step Functions behind one local
 * HTTP endpoint that the unmodified AWS SDK v3 talks to, on a simulated clock, with a control API
 * for faults and inspection. It knows nothing of fledge (README.md).
 */
export { startLocalAws, type LocalAws, type ServiceFactory, type StartHooks } from './server';
export type {
  AsyncEventSource,
  AwsService,
  EventsInternal,
  FaultInjector,
  FaultRule,
  InProcessFunctionDefinition,
  InProcessHandler,
  InvokeOutcome,
  LambdaInternal,
  LocalAwsOptions,
  LocalContext,
  MetricDatumInternal,
  MetricsInternal,
  S3Internal,
  ServiceRegistry,
  SimClock,
  SnsInternal,
} from './types';
export { ControlApiError, LocalAwsError, LocalAwsStartError } from './errors';
export { LocalStateError } from './state-file';
export { createSimClock } from './clock';
export { clearFaults, getClock, getHealth, getLog, injectFault, inspect, listFaults, type FaultRequest } from './control-client';
export { simulatedTimeRetryStrategy, type SimulatedTimeRetryStrategy } from './sdk-retry';

// The services, for an embedder that reaches past the AWS API (tests, local mode's wiring).
export type { CloudWatchService } from './services/cloudwatch/service';
export type { EventBridgeService } from './services/eventbridge/service';
export type { LambdaService } from './services/lambda';
export type { StatusChangeSubscription, StepFunctionsInternal } from './services/stepfunctions';
export type { StsService } from './services/sts/service';
export type { CloudFormationService, StackDefinition } from './services/cloudformation/service';
export type { RoleDefinition } from './services/sts/roles';
export type { PartitionKey } from './partitions';

// The events the services deliver to functions, shaped as AWS shapes them: for contract tests of
// the handlers that read them.
export { s3EventRecord, type ObjectEvent } from './services/s3/event-records';
export { lambdaEvent, type Links, type Notification } from './services/sns/messages';
export type { Subscription } from './services/sns/store';
export { statusChangeEvent } from './services/stepfunctions/status-events';
export type { ExecutionRecord, ExecutionStatus } from './services/stepfunctions/model';
