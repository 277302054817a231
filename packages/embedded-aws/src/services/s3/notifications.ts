import { randomUUID } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { LocalAwsError } from '../../errors';
import { escapeXml } from '../../protocol/errors';

/** A key filter rule of a notification configuration: S3 allows one prefix and one suffix. */
export interface KeyFilterRule {
  readonly name: 'prefix' | 'suffix';
  readonly value: string;
}

/** One destination of a bucket's notification configuration. */
export interface NotificationTarget {
  readonly id: string;
  /** `lambda` targets are delivered; `topic` and `queue` targets are stored and returned only. */
  readonly kind: 'lambda' | 'topic' | 'queue';
  readonly arn: string;
  /** e.g. `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`. */
  readonly events: readonly string[];
  readonly filterRules: readonly KeyFilterRule[];
}

/** A bucket's notification configuration as fledge keeps it. */
export interface NotificationConfiguration {
  readonly targets: readonly NotificationTarget[];
  /** Whether `<EventBridgeConfiguration/>` was set (stored, not delivered). */
  readonly eventBridge: boolean;
}

/** A notification configuration S3 would refuse: rendered as `InvalidArgument` or `MalformedXML`. */
export class NotificationConfigurationError extends LocalAwsError {
  override readonly name = 'NotificationConfigurationError';
  constructor(readonly code: 'InvalidArgument' | 'MalformedXML', message: string) {
    super(message);
  }
}

const validEvents = new Set([
  's3:ObjectCreated:*', 's3:ObjectCreated:Put', 's3:ObjectCreated:Post', 's3:ObjectCreated:Copy', 's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*', 's3:ObjectRemoved:Delete', 's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*', 's3:ObjectRestore:Post', 's3:ObjectRestore:Completed', 's3:ObjectRestore:Delete',
  's3:ObjectTagging:*', 's3:ObjectTagging:Put', 's3:ObjectTagging:Delete', 's3:ObjectAcl:Put',
  's3:ReducedRedundancyLostObject', 's3:Replication:*', 's3:LifecycleExpiration:*', 's3:LifecycleTransition', 's3:IntelligentTiering',
]);

// The REST API names Lambda destinations CloudFunctionConfiguration/CloudFunction (the SDK's LambdaFunctionConfigurations).
const elements = [
  { element: 'CloudFunctionConfiguration', arnElement: 'CloudFunction', kind: 'lambda' },
  { element: 'TopicConfiguration', arnElement: 'Topic', kind: 'topic' },
  { element: 'QueueConfiguration', arnElement: 'Queue', kind: 'queue' },
] as const;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => ['CloudFunctionConfiguration', 'TopicConfiguration', 'QueueConfiguration', 'Event', 'FilterRule'].includes(name),
});

/** Parses and validates a `PutBucketNotificationConfiguration` body the way S3 does. */
export function parseNotificationConfiguration(xml: string): NotificationConfiguration {
  if (xml.trim() === '' || XMLValidator.validate(xml) !== true) {
    throw new NotificationConfigurationError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  const document = parser.parse(xml) as Record<string, unknown>;
  const root = document.NotificationConfiguration;
  if (root === undefined) throw new NotificationConfigurationError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema: expected <NotificationConfiguration>');
  const config = (typeof root === 'object' && root !== null ? root : {}) as Record<string, unknown>;
  const targets: NotificationTarget[] = [];
  for (const { element, arnElement, kind } of elements) {
    for (const entry of (config[element] as Record<string, unknown>[] | undefined) ?? []) {
      const arn = String(entry[arnElement] ?? '');
      if (!arn) throw new NotificationConfigurationError('InvalidArgument', `${element} needs a ${arnElement} ARN`);
      const events = ((entry.Event as unknown[] | undefined) ?? []).map(String);
      if (events.length === 0) throw new NotificationConfigurationError('InvalidArgument', `${element} for ${arn} needs at least one Event`);
      for (const event of events) if (!validEvents.has(event)) throw new NotificationConfigurationError('InvalidArgument', `The event is not supported for notifications: ${event}`);
      const rawRules = (((entry.Filter as Record<string, unknown> | undefined)?.S3Key as Record<string, unknown> | undefined)?.FilterRule as Record<string, unknown>[] | undefined) ?? [];
      const filterRules = rawRules.map((rule): KeyFilterRule => {
        const name = String(rule.Name ?? '').toLowerCase();
        if (name !== 'prefix' && name !== 'suffix') throw new NotificationConfigurationError('InvalidArgument', `FilterRule name must be either prefix or suffix, got '${String(rule.Name ?? '')}'`);
        return { name, value: String(rule.Value ?? '') };
      });
      for (const name of ['prefix', 'suffix'] as const) {
        if (filterRules.filter((rule) => rule.name === name).length > 1) throw new NotificationConfigurationError('InvalidArgument', `Cannot specify more than one ${name} rule in a filter.`);
      }
      const id = entry.Id === undefined || entry.Id === '' ? randomUUID() : String(entry.Id);
      targets.push({ id, kind, arn, events, filterRules });
    }
  }
  const ids = new Set<string>();
  for (const target of targets) {
    if (ids.has(target.id)) throw new NotificationConfigurationError('InvalidArgument', `Configuration id '${target.id}' is used more than once`);
    ids.add(target.id);
  }
  return { targets, eventBridge: 'EventBridgeConfiguration' in config };
}

/** The `GetBucketNotificationConfiguration` response body for a configuration. */
export function notificationConfigurationXml(config: NotificationConfiguration | undefined): string {
  const parts: string[] = [];
  for (const target of config?.targets ?? []) {
    const { element, arnElement } = elements.find((e) => e.kind === target.kind) as (typeof elements)[number];
    const filter = target.filterRules.length === 0 ? '' :
      `<Filter><S3Key>${target.filterRules.map((rule) => `<FilterRule><Name>${rule.name}</Name><Value>${escapeXml(rule.value)}</Value></FilterRule>`).join('')}</S3Key></Filter>`;
    parts.push(`<${element}><Id>${escapeXml(target.id)}</Id><${arnElement}>${escapeXml(target.arn)}</${arnElement}>${target.events.map((event) => `<Event>${escapeXml(event)}</Event>`).join('')}${filter}</${element}>`);
  }
  if (config?.eventBridge) parts.push('<EventBridgeConfiguration></EventBridgeConfiguration>');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</NotificationConfiguration>`;
}

/** Whether a configured event pattern (`s3:ObjectCreated:*`) covers an event (`ObjectCreated:Put`). */
export function eventMatches(pattern: string, eventName: string): boolean {
  const name = pattern.replace(/^s3:/, '');
  return name.endsWith(':*') ? eventName.startsWith(name.slice(0, -1)) : name === eventName;
}

/** Whether a (decoded) object key passes a target's prefix and suffix rules. */
export function keyMatches(rules: readonly KeyFilterRule[], key: string): boolean {
  return rules.every((rule) => (rule.name === 'prefix' ? key.startsWith(rule.value) : key.endsWith(rule.value)));
}
