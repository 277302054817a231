import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RoleDefinition } from './services/sts/roles';

/**
 * Simulated time for the embedded AWS. With `timeScale` 0.01 one simulated second lasts 10 ms
 * of real time. Everything time-based in every service (Wait states, task timeouts, alarm
 * periods and evaluation, metric timestamps, function timeouts, LastUpdateStatus delays) goes
 * through this clock so a 5-minute bake can take 3 real seconds.
 */
export interface SimClock {
  /** Real milliseconds per simulated millisecond (1 = real time). */
  readonly timeScale: number;
  /** Current simulated time, epoch milliseconds. */
  now(): number;
  /** Resolves after `simulatedMs` of simulated time; rejects with the signal's reason when aborted. */
  sleep(simulatedMs: number, signal?: AbortSignal): Promise<void>;
  /** Real milliseconds that `simulatedMs` of simulated time lasts. */
  toRealMs(simulatedMs: number): number;
}

/** A fault injected through the control API, consumed by the service whose operation matches. */
export interface FaultRule {
  readonly service: string;
  /** Operation name as AWS spells it (`UpdateAlias`), or `*` for any. */
  readonly operation: string;
  /** `throttle` and `serverError` are rendered with each service's own error names. */
  readonly kind: 'throttle' | 'serverError' | 'error' | 'latency';
  readonly code?: string;
  readonly status?: number;
  readonly message?: string;
  readonly latencyMs?: number;
  /** How many matching calls it affects; it is removed when used up. */
  remaining: number;
}

export interface FaultInjector {
  add(rule: Omit<FaultRule, 'remaining'> & { count: number }): void;
  /** Consumes one use of the first rule matching, or returns undefined. */
  take(service: string, operation: string): FaultRule | undefined;
  clear(): void;
  list(): readonly FaultRule[];
}

/** Outcome of invoking a function in the embedded Lambda. */
export interface InvokeOutcome {
  readonly statusCode: number;
  readonly payload: Buffer;
  /** Set when the function failed: `Unhandled` (threw, timed out) or `Handled`. */
  readonly functionError?: string;
  readonly executedVersion: string;
  readonly logTail?: string;
}

/** A handler that runs inside the embedded AWS process (fledge's own functions in local mode). */
export type InProcessHandler = (event: unknown, context: { functionName: string; awsRequestId: string; getRemainingTimeInMillis(): number }) => Promise<unknown>;

export interface InProcessFunctionDefinition {
  readonly functionName: string;
  readonly handler: InProcessHandler;
  /** Seconds; default 60. */
  readonly timeout?: number;
  readonly environment?: Record<string, string>;
}

/** AWS services that invoke functions asynchronously and retry a refused Invoke call themselves (`events` is EventBridge). */
export type AsyncEventSource = 's3' | 'sns' | 'events' | 'lambda';

/** What the Lambda service offers the other services (S3 notifications, SNS, Step Functions tasks). */
export interface LambdaInternal {
  /**
   * Invokes a function. With `invocationType: 'Event'` and a `source`, it behaves as that AWS
   * event source does: the event is journaled at once (it survives a restart), a refused Invoke
   * is retried with the source's policy, and the promise settles when Lambda took the event
   * (202) or the source gave up (rejects). Without a source, refusals reject at once.
   */
  invoke(functionNameOrArn: string, payload: string | Buffer, options?: { qualifier?: string; invocationType?: 'RequestResponse' | 'Event'; source?: AsyncEventSource }): Promise<InvokeOutcome>;
  registerInProcessFunction(definition: InProcessFunctionDefinition): void;
}

export interface MetricDatumInternal {
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Simulated epoch milliseconds. */
  readonly timestamp: number;
  readonly value: number;
  readonly unit?: string;
}

/** What CloudWatch offers the other services (Lambda emits its AWS/Lambda metrics here). */
export interface MetricsInternal {
  put(namespace: string, datums: readonly MetricDatumInternal[]): void;
}

/** What S3 offers the other services (Lambda reads code zips from it). */
export interface S3Internal {
  getObject(bucket: string, key: string, versionId?: string): Promise<Buffer>;
}

/** What SNS offers the other services (CloudWatch alarm actions publish here). */
export interface SnsInternal {
  /** Publishes to a topic as the Publish API does; resolves to the MessageId. Rejects when the topic does not exist. */
  publish(input: { readonly topicArn: string; readonly message: string; readonly subject?: string }): Promise<string>;
}

/** What EventBridge offers the other services (CloudWatch emits its alarm state changes here). */
export interface EventsInternal {
  /**
   * Puts an AWS service's event on the default bus (as AWS does, not through PutEvents, which
   * refuses `aws.*` sources) and delivers it to the matching rules' targets asynchronously.
   * `time` is epoch ms, default now. Returns the event's id.
   */
  putEvent(input: { readonly source: string; readonly detailType: string; readonly detail: unknown; readonly resources: readonly string[]; readonly time?: number }): string;
}

/** Late-bound access to sibling services: a service looks them up when it needs them, not at construction. */
export interface ServiceRegistry {
  readonly lambda: LambdaInternal;
  readonly metrics: MetricsInternal;
  readonly s3: S3Internal;
  /** Undefined when the embedded AWS runs without SNS. */
  readonly sns?: SnsInternal;
  /** Undefined when the embedded AWS runs without EventBridge. */
  readonly events?: EventsInternal;
}

/** Options of {@link startLocalAws}, visible to every service through {@link LocalContext.options}. */
export interface LocalAwsOptions {
  /** Edge port on loopback; 0 picks a free one. Default 4566. */
  readonly port?: number;
  /** Interface to listen on. Default 127.0.0.1: the embedded AWS has no authentication. */
  readonly host?: string;
  /** Directory for state kept across restarts; in memory when absent. */
  readonly dataDir?: string;
  /** Real ms per simulated ms; 0.01 makes one simulated second last 10 ms. Default 1. */
  readonly timeScale?: number;
  readonly region?: string;
  readonly log?: (message: string) => void;
  /**
   * Escapes a log line (a multi-line message keeps its line breaks) before it is appended to
   * `<dataDir>/embedded-aws.log`. Lines carry user text (function output, error messages): pass
   * an escaper of control characters so the file cannot act on a terminal that prints it.
   * Without one, lines are written as they are.
   */
  readonly escapeLogLine?: (line: string) => string;
  // Service-specific tunables: each service adds an optional sub-object of its own here.
  /**
   * Embedded Lambda: Pending/InProgress window in simulated ms (default 500), warm environments per version (default 4), real ms an idle environment stays warm (default 300000), simulated ms a published version of a SnapStart function stays Pending (default 60000),
   * simulated ms provisioned concurrency stays IN_PROGRESS (default 60000), the account's concurrency quota (default 1000) and what must stay unreserved (default 100).
   */
  readonly lambda?: {
    readonly updateDelayMs?: number;
    readonly maxEnvironmentsPerVersion?: number;
    readonly idleTimeoutMs?: number;
    readonly snapStartDelayMs?: number;
    readonly provisionedConcurrencyDelayMs?: number;
    readonly concurrentExecutions?: number;
    readonly minimumUnreservedConcurrency?: number;
  };
  /** Embedded CloudWatch: how often alarms are evaluated and how long datapoints are kept, in simulated seconds. */
  readonly cloudwatch?: { readonly evaluationIntervalSeconds?: number; readonly metricRetentionSeconds?: number };
  /** Embedded SNS: attempts per http/https delivery (default 3) and the real-ms timeout of one http attempt (default 5000). Lambda subscriptions follow SNS's own policy for AWS-managed endpoints. */
  readonly sns?: { readonly httpAttempts?: number; readonly httpTimeoutMs?: number };
  /** Embedded STS: the roles callers may assume (their account, the accounts their trust policy allows, the external id it requires). */
  readonly sts?: { readonly roles?: readonly RoleDefinition[] };
  /** Embedded Step Functions: functions to deliver "Step Functions Execution Status Change" events to, as an EventBridge rule would. */
  readonly stepFunctions?: { readonly statusChangeSubscriptions?: readonly { readonly functionName: string; readonly statuses?: readonly ('RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED')[]; readonly stateMachineArn?: string }[] };
}

/** Everything a service gets from the embedded AWS it runs in. */
export interface LocalContext {
  readonly options: LocalAwsOptions;
  readonly region: string;
  readonly accountId: string;
  readonly clock: SimClock;
  readonly faults: FaultInjector;
  readonly services: ServiceRegistry;
  /** Where the service keeps state across restarts; undefined means in memory only. */
  readonly dataDir: string | undefined;
  /** Base URL of the edge endpoint, e.g. http://127.0.0.1:4566 */
  readonly endpoint: () => string;
  readonly log: (message: string) => void;
}

/**
 * One AWS service behind the edge endpoint. The edge routes a request to the service whose
 * `signingName` matches the SigV4 credential scope of the request.
 */
export interface AwsService {
  /** SigV4 signing name: s3, dynamodb, lambda, monitoring, sns, states. */
  readonly signingName: string;
  /** The API this service offers its siblings (LambdaInternal, MetricsInternal, S3Internal), if any. */
  readonly internal?: unknown;
  handle(request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void>;
  /** Read-only state for tests and the demo, served at GET /_fledge/<signingName>/<path>. */
  inspect?(path: string, query: URLSearchParams): Promise<unknown> | unknown;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}
