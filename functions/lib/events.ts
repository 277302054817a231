import type { S3Event, SnsEvent } from '@aws-lambda-powertools/parser/types';
import * as z from 'zod/mini';
import { InvalidTaskInputError } from '../../shared/model/engine-errors';
import { DEPLOYMENT_ID } from '../../shared/domain/deployment/input';
import type { AlarmStateChange } from '../../shared/domain/deployment/abort';
import type { AbnormalEnd } from '../../shared/domain/deployment/safety-net';
import { formatPath } from '../../shared/domain/spec/problems';
import type { DroppedObject } from '../../shared/domain/starter/s3-drop';

/*
 * The AWS events fledge's functions are subscribed to, checked at the handler boundary with zod.
 * Each schema names the fields its handler reads, typed as Powertools Parser types them (the
 * type checks below hold it to that), and leaves the fields it does not read unchecked: refusing
 * a whole event over a field nobody reads would lose it — Powertools' S3 record, for one, accepts
 * only an IPv4 `sourceIPAddress`, and S3 reports an IPv6 uploader's address there. A replayed
 * event (`aws lambda invoke` with the failed-events queue's payload) and a hand-written one with
 * just these fields are read alike. A malformed event is refused with `fledge.InvalidInput`
 * naming where it is wrong.
 *
 * Not Powertools' schemas themselves: they import zod as one namespace object, which puts all of
 * zod (every locale included, ~450 KB minified) into each bundle and adds ~20 ms to a cold start.
 * Written here with `zod/mini`, a bundle takes only the few parts it uses (~20 KB), which matters
 * to the Slack notifier and the safety net, the functions that load no other zod (CONTRIBUTING.md).
 */

/** An S3 event notification, as far as the S3 trigger reads it. */
const S3DropEvent = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      awsRegion: z.optional(z.string()),
      userIdentity: z.optional(z.object({ principalId: z.string() })),
      s3: z.object({
        bucket: z.object({ name: z.string() }),
        object: z.object({ key: z.string(), versionId: z.optional(z.string()), eTag: z.optional(z.string()) }),
      }),
    }),
  ),
});

/** An SNS→Lambda event, as far as the Slack notifier reads it: each message's id and attributes. */
const NotificationEvent = z.object({
  Records: z.array(
    z.object({
      Sns: z.object({
        MessageId: z.string(),
        MessageAttributes: z.optional(z.record(z.string(), z.object({ Type: z.string(), Value: z.string() }))),
      }),
    }),
  ),
});

/**
 * EventBridge's "Step Functions Execution Status Change", as far as the safety net reads it: the
 * detail's status and execution name. An event that says it is from another source is refused.
 */
const StatusChangeEvent = z.object({
  source: z.optional(z.literal('aws.states')),
  'detail-type': z.optional(z.literal('Step Functions Execution Status Change')),
  detail: z.object({ status: z.string(), name: z.optional(z.string()) }),
});

/**
 * EventBridge's "CloudWatch Alarm State Change", as far as the alarm abort reads it: the alarm's
 * name, its new state and when it changed. An event that says it is from another source is refused.
 */
const AlarmStateChangeEvent = z.object({
  source: z.optional(z.literal('aws.cloudwatch')),
  'detail-type': z.optional(z.literal('CloudWatch Alarm State Change')),
  time: z.optional(z.string()),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  detail: z.object({ alarmName: z.string(), state: z.object({ value: z.string(), timestamp: z.optional(z.string()) }) }),
});

/**
 * Compile-time: every event Powertools' schema accepts is one these accept — they only leave
 * fields out. (Powertools types an EventBridge event's detail as `unknown`, so the status change
 * has nothing to be held to there; test/trigger/events.test.ts runs the embedded AWS's events
 * through both.)
 */
type Accepts<Ours, Theirs extends Ours> = Theirs;
export type _S3EventsRead = Accepts<z.input<typeof S3DropEvent>, S3Event>;
export type _SnsEventsRead = Accepts<z.input<typeof NotificationEvent>, SnsEvent>;

/** What the Slack notifier reads of an SNS event. */
export type NotificationRecords = z.infer<typeof NotificationEvent>;

/**
 * The objects of an S3 event notification, keys decoded: they arrive form-URL-encoded (`+` is a
 * space). A record that cannot be read is an error naming it.
 */
export function parseS3Event(event: unknown): DroppedObject[] {
  const { Records } = check(S3DropEvent, event, 'the S3 trigger expects an S3 event notification');
  return Records.map((record, index) => {
    const encoded = record.s3.object.key;
    let key: string;
    try {
      key = decodeURIComponent(encoded.replace(/\+/g, ' '));
    } catch (error) {
      throw new InvalidTaskInputError(`S3 event record ${index}: the key "${encoded}" is not valid URL encoding`, { cause: error });
    }
    const { versionId, eTag } = record.s3.object;
    const principal = record.userIdentity?.principalId;
    return {
      eventName: record.eventName,
      bucket: record.s3.bucket.name,
      key,
      ...(versionId ? { versionId } : {}),
      ...(eTag ? { eTag } : {}),
      ...(record.awsRegion ? { region: record.awsRegion } : {}),
      ...(principal ? { principal } : {}),
    };
  });
}

/** The records of an SNS→Lambda event, checked. */
export function parseSnsEvent(event: unknown): NotificationRecords {
  return check(NotificationEvent, event, 'the Slack notifier expects an SNS event');
}

/**
 * The EventBridge "Step Functions Execution Status Change" event. Returns `undefined` for
 * events the safety net does not act on (other statuses).
 */
export function parseStatusChangeEvent(event: unknown): { deploymentId: string; executionStatus: AbnormalEnd } | undefined {
  const { detail } = check(StatusChangeEvent, event, 'the safety net expects an EventBridge Step Functions execution status change');
  const { status, name } = detail;
  if (status !== 'FAILED' && status !== 'TIMED_OUT' && status !== 'ABORTED') return undefined;
  if (name === undefined || !DEPLOYMENT_ID.test(name)) throw new InvalidTaskInputError('execution status change without a valid execution name (detail.name must be a deployment id)');
  return { deploymentId: name, executionStatus: status };
}

/**
 * The EventBridge "CloudWatch Alarm State Change" event: the alarm, its new state and when it
 * changed (CloudWatch writes `2019-10-02T17:04:40.985+0000`; the event's `time` when absent).
 */
export function parseAlarmStateChangeEvent(event: unknown): AlarmStateChange {
  const { detail, time, account, region } = check(AlarmStateChangeEvent, event, 'the alarm abort expects an EventBridge CloudWatch alarm state change');
  const stamp = detail.state.timestamp ?? time;
  const at = stamp === undefined ? Number.NaN : Date.parse(stamp.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return { alarmName: detail.alarmName, state: detail.state.value, ...(Number.isFinite(at) ? { at } : {}), ...(account === undefined ? {} : { account }), ...(region === undefined ? {} : { region }) };
}

/** The first problems named, then how many more. */
const MAX_ISSUES = 3;

/** `schema`'s reading of `event`, or `fledge.InvalidInput` saying `what` was expected and where the event differs. */
function check<T extends z.ZodMiniType>(schema: T, event: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const listed = issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = formatPath(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol'));
    return `${path || 'the event'}: ${describe(issue, valueAt(event, issue.path))}`;
  });
  const more = issues.length > MAX_ISSUES ? `; and ${issues.length - MAX_ISSUES} more` : '';
  throw new InvalidTaskInputError(`${what}: ${listed.join('; ')}${more}`, { cause: parsed.error });
}

/** An issue in words (zod/mini carries no messages of its own); never the offending value itself. */
function describe(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${kindOf(value)}`;
  if (issue.code === 'invalid_value') return `expected ${issue.values.map((value) => JSON.stringify(value)).join(' or ')}`;
  return issue.message;
}

/** What the event holds at `path` (zod's issues carry no input unless asked to). */
function valueAt(event: unknown, path: readonly PropertyKey[]): unknown {
  let value = event;
  for (const segment of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  return value;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
