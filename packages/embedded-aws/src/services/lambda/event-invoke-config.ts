import type { LambdaControlPlane } from './control-plane';
import { invalidParameter, resourceNotFound, validation, validationMessage } from './errors';
import type { EventInvokeConfigRecord, FunctionRecord } from './model';
import { functionArn, type FunctionReference } from './names';
import { paginate } from './paging';
import { member } from './settings';

/** The body of PutFunctionEventInvokeConfig and UpdateFunctionEventInvokeConfig. */
export interface EventInvokeConfigInput {
  readonly MaximumRetryAttempts?: unknown;
  readonly MaximumEventAgeInSeconds?: unknown;
  readonly DestinationConfig?: unknown;
}

/** AWS's pattern for a destination: an ARN of any service, or empty (no destination). */
const DESTINATION_ARN = /^$|^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;
/** The services Lambda sends records to; S3 buckets only on failure. */
const DESTINATION_SERVICES = new Set(['lambda', 'sqs', 'sns', 'events', 's3']);

/**
 * Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s): per qualifier (`$LATEST` for the
 * unqualified function, a version or an alias), the retry settings and destinations of the
 * function's asynchronous invocations, with AWS's limits: MaximumRetryAttempts 0–2,
 * MaximumEventAgeInSeconds 60–21600, destinations that are ARNs of a Lambda function, SQS queue,
 * SNS topic, EventBridge event bus or (on failure) S3 bucket.
 */
export class EventInvokeConfigOperations {
  constructor(private readonly plane: LambdaControlPlane) {}

  /** PutFunctionEventInvokeConfig: replaces the whole configuration. */
  put(ref: FunctionReference, body: EventInvokeConfigInput): Record<string, unknown> {
    const { fn, qualifier } = this.target(ref);
    const config = { ...parse(body), lastModified: this.plane.now() };
    this.store(fn, qualifier, config);
    return this.view(fn, qualifier, config);
  }

  /** UpdateFunctionEventInvokeConfig: changes only the members given. */
  update(ref: FunctionReference, body: EventInvokeConfigInput): Record<string, unknown> {
    const { fn, qualifier } = this.target(ref);
    const existing = fn.eventInvokeConfigs?.get(qualifier);
    if (!existing) throw notConfigured(this.plane, fn, qualifier);
    const changes = parse(body);
    const config: EventInvokeConfigRecord = {
      ...existing,
      ...(body.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: changes.maximumRetryAttempts } : {}),
      ...(body.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeInSeconds: changes.maximumEventAgeInSeconds } : {}),
      ...(member(body.DestinationConfig, 'OnSuccess') !== undefined ? { onSuccess: changes.onSuccess } : {}),
      ...(member(body.DestinationConfig, 'OnFailure') !== undefined ? { onFailure: changes.onFailure } : {}),
      lastModified: this.plane.now(),
    };
    this.store(fn, qualifier, config);
    return this.view(fn, qualifier, config);
  }

  get(ref: FunctionReference): Record<string, unknown> {
    const { fn, qualifier } = this.target(ref);
    const config = fn.eventInvokeConfigs?.get(qualifier);
    if (!config) throw notConfigured(this.plane, fn, qualifier);
    return this.view(fn, qualifier, config);
  }

  /** DeleteFunctionEventInvokeConfig: ResourceNotFoundException when there is none, as on AWS. */
  delete(ref: FunctionReference): void {
    const { fn, qualifier } = this.target(ref);
    if (!fn.eventInvokeConfigs?.delete(qualifier)) throw notConfigured(this.plane, fn, qualifier);
    this.plane.persist();
  }

  list(ref: FunctionReference, marker: string | null, maxItems: string | null): Record<string, unknown> {
    if (ref.qualifier !== undefined) throw invalidParameter('ListFunctionEventInvokeConfigs does not take a qualifier');
    const fn = this.plane.find(ref);
    const all = [...(fn.eventInvokeConfigs ?? new Map<string, EventInvokeConfigRecord>()).entries()].sort(([a], [b]) => a.localeCompare(b));
    const page = paginate(all, marker, maxItems);
    return { FunctionEventInvokeConfigs: page.items.map(([qualifier, config]) => this.view(fn, qualifier, config)), NextMarker: page.nextMarker };
  }

  /** The function and the qualifier the configuration belongs to, which must exist. */
  private target(ref: FunctionReference): { fn: FunctionRecord; qualifier: string } {
    const fn = this.plane.find(ref);
    const qualifier = ref.qualifier ?? '$LATEST';
    this.plane.versionOf(fn, qualifier);
    return { fn, qualifier };
  }

  private store(fn: FunctionRecord, qualifier: string, config: EventInvokeConfigRecord): void {
    fn.eventInvokeConfigs ??= new Map();
    fn.eventInvokeConfigs.set(qualifier, config);
    this.plane.persist();
  }

  private view(fn: FunctionRecord, qualifier: string, config: EventInvokeConfigRecord): Record<string, unknown> {
    return {
      LastModified: config.lastModified / 1000,
      FunctionArn: functionArn(this.plane.location, fn.name, qualifier),
      MaximumRetryAttempts: config.maximumRetryAttempts,
      MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds,
      DestinationConfig: {
        OnSuccess: config.onSuccess === undefined ? {} : { Destination: config.onSuccess },
        OnFailure: config.onFailure === undefined ? {} : { Destination: config.onFailure },
      },
    };
  }
}

function notConfigured(plane: LambdaControlPlane, fn: FunctionRecord, qualifier: string) {
  return resourceNotFound(`The function ${functionArn(plane.location, fn.name, qualifier)} doesn't have an EventInvokeConfig`);
}

/** Checks every member before anything is stored, naming the member and its limit. */
function parse(body: EventInvokeConfigInput): Omit<EventInvokeConfigRecord, 'lastModified'> {
  const retries = integer(body.MaximumRetryAttempts, 'maximumRetryAttempts', 0, 2);
  const age = integer(body.MaximumEventAgeInSeconds, 'maximumEventAgeInSeconds', 60, 21_600);
  const onSuccess = destination(member(member(body.DestinationConfig, 'OnSuccess'), 'Destination'), 'OnSuccess');
  const onFailure = destination(member(member(body.DestinationConfig, 'OnFailure'), 'Destination'), 'OnFailure');
  return {
    ...(retries !== undefined ? { maximumRetryAttempts: retries } : {}),
    ...(age !== undefined ? { maximumEventAgeInSeconds: age } : {}),
    ...(onSuccess ? { onSuccess } : {}),
    ...(onFailure ? { onFailure } : {}),
  };
}

function integer(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validation(validationMessage(value, name, 'Member must be an integer'));
  if (value < min) throw validation(validationMessage(value, name, `Member must have value greater than or equal to ${min}`));
  if (value > max) throw validation(validationMessage(value, name, `Member must have value less than or equal to ${max}`));
  return value;
}

function destination(value: unknown, which: 'OnSuccess' | 'OnFailure'): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > 350 || !DESTINATION_ARN.test(value)) {
    throw validation(validationMessage(value, `destinationConfig.${which[0]!.toLowerCase()}${which.slice(1)}.destination`, 'Member must satisfy regular expression pattern: ^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*) and have length less than or equal to 350'));
  }
  const service = value.split(':')[2] ?? '';
  if (!DESTINATION_SERVICES.has(service) || (service === 's3' && which === 'OnSuccess')) {
    throw invalidParameter(`DestinationConfig.${which}.Destination: ${value} is not a Lambda function, SQS queue, SNS topic, EventBridge event bus${which === 'OnFailure' ? ' or S3 bucket' : ''} ARN`);
  }
  return value;
}
