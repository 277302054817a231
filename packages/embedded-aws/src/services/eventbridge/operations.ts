import { randomUUID } from 'node:crypto';
import type { LocalContext } from '../../types';
import { EventBridgeApiError, resourceNotFound, validationError } from './errors';
import { matches, parseEventPattern } from './pattern';
import type { Rule, RuleStore, Target } from './store';

export type Json = Record<string, unknown>;

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;

/** An event as EventBridge delivers it to a target. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601 to the second, as EventBridge writes it (`2019-10-02T17:04:40Z`). */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** How many put events {@link EventBridgeOperations.received} keeps: the newest. */
const RECEIVED_LIMIT = 1000;

/** The embedded EventBridge's operations on the default event bus. */
export class EventBridgeOperations {
  /**
   * The custom events PutEvents accepted, oldest first (the newest {@link RECEIVED_LIMIT}), as
   * `GET /_fledge/events/events` shows them: what a catch-all rule on the bus would see.
   */
  readonly received: BusEvent[] = [];

  constructor(
    private readonly context: LocalContext,
    private readonly rules: RuleStore,
  ) {}

  PutRule(input: Json): Json {
    const name = ruleName(input, 'Name');
    busName(input);
    if (input.ScheduleExpression !== undefined) throw validationError('ScheduleExpression is not supported by the embedded EventBridge; give an EventPattern.');
    const pattern = optionalString(input, 'EventPattern');
    if (pattern === undefined) throw validationError('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    parseEventPattern(pattern);
    const state = optionalString(input, 'State') ?? 'ENABLED';
    if (state !== 'ENABLED' && state !== 'DISABLED') throw validationError(`1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`);
    const description = optionalString(input, 'Description');
    const arn = `arn:aws:events:${this.context.region}:${this.context.accountId}:rule/${name}`;
    const existing = this.rules.get(name);
    this.rules.put({ name, arn, eventPattern: pattern, state, ...(description === undefined ? {} : { description }), targets: existing?.targets ?? [] });
    return { RuleArn: arn };
  }

  DescribeRule(input: Json): Json {
    const rule = this.rule(ruleName(input, 'Name'));
    return { Name: rule.name, Arn: rule.arn, EventPattern: rule.eventPattern, State: rule.state, ...(rule.description === undefined ? {} : { Description: rule.description }), EventBusName: 'default', CreatedBy: this.context.accountId };
  }

  ListRules(input: Json): Json {
    busName(input);
    const prefix = optionalString(input, 'NamePrefix') ?? '';
    return { Rules: this.rules.all().filter((rule) => rule.name.startsWith(prefix)).map((rule) => ({ Name: rule.name, Arn: rule.arn, EventPattern: rule.eventPattern, State: rule.state, EventBusName: 'default' })) };
  }

  DeleteRule(input: Json): Json {
    const name = ruleName(input, 'Name');
    const rule = this.rules.get(name);
    if (!rule) return {};
    if (rule.targets.length > 0) throw validationError('Rule can\'t be deleted since it has targets.');
    this.rules.delete(name);
    return {};
  }

  PutTargets(input: Json): Json {
    const rule = this.rule(ruleName(input, 'Rule'));
    const targets = input.Targets;
    if (!Array.isArray(targets) || targets.length < 1 || targets.length > 10) throw validationError('1 validation error detected: Value at \'targets\' failed to satisfy constraint: Member must have length between 1 and 10');
    const read: Target[] = targets.map((target: unknown, index) => {
      const t = (target ?? {}) as Json;
      const id = t.Id;
      if (typeof id !== 'string' || !TARGET_ID.test(id)) throw validationError(`1 validation error detected: Value at 'targets.${index + 1}.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
      if (typeof t.Arn !== 'string' || t.Arn === '') throw validationError(`1 validation error detected: Value at 'targets.${index + 1}.member.arn' failed to satisfy constraint: Member must not be null`);
      if (t.Input !== undefined) {
        if (typeof t.Input !== 'string') throw validationError(`Targets[${index}].Input must be a string of JSON.`);
        try {
          JSON.parse(t.Input);
        } catch {
          throw validationError(`Target ${id}: Input is not valid JSON text.`);
        }
      }
      return { Id: id, Arn: t.Arn, ...(typeof t.Input === 'string' ? { Input: t.Input } : {}) };
    });
    const kept = rule.targets.filter((old) => !read.some((target) => target.Id === old.Id));
    if (kept.length + read.length > 5) throw new EventBridgeApiError('LimitExceededException', 400, `The requested resource exceeds the maximum number allowed (5 targets per rule): rule ${rule.name}.`);
    rule.targets = [...kept, ...read];
    this.rules.save();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  RemoveTargets(input: Json): Json {
    const rule = this.rule(ruleName(input, 'Rule'));
    const ids = input.Ids;
    if (!Array.isArray(ids) || ids.length < 1 || ids.some((id) => typeof id !== 'string')) throw validationError('1 validation error detected: Value at \'ids\' failed to satisfy constraint: Member must have length between 1 and 100');
    rule.targets = rule.targets.filter((target) => !ids.includes(target.Id));
    this.rules.save();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  ListTargetsByRule(input: Json): Json {
    return { Targets: this.rule(ruleName(input, 'Rule')).targets };
  }

  /** Custom events from a client: sources beginning `aws.` are AWS's own and refused per entry, as on AWS. */
  PutEvents(input: Json): Json {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) throw validationError('1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length between 1 and 10');
    let failed = 0;
    const results = entries.map((entry: unknown) => {
      const e = (entry ?? {}) as Json;
      const source = e.Source;
      const detailType = e.DetailType;
      const detail = e.Detail;
      if (typeof source !== 'string' || typeof detailType !== 'string' || typeof detail !== 'string') {
        failed += 1;
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required.' };
      }
      if (source.startsWith('aws.')) {
        failed += 1;
        return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(detail);
      } catch {
        failed += 1;
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const resources = Array.isArray(e.Resources) ? (e.Resources.filter((r) => typeof r === 'string') as string[]) : [];
      const event = this.event({ source, detailType, detail: parsed, resources, ...(typeof e.Time === 'number' ? { time: e.Time * 1000 } : {}) });
      this.received.push(event);
      if (this.received.length > RECEIVED_LIMIT) this.received.splice(0, this.received.length - RECEIVED_LIMIT);
      this.publish(event);
      return { EventId: event.id };
    });
    return { FailedEntryCount: failed, Entries: results };
  }

  /** An event of this account and region, stamped now (or at `time`, epoch ms). */
  event(input: { source: string; detailType: string; detail: unknown; resources: readonly string[]; time?: number }): BusEvent {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': input.detailType,
      source: input.source,
      account: this.context.accountId,
      time: new Date(input.time ?? this.context.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.context.region,
      resources: input.resources,
      detail: input.detail,
    };
  }

  /**
   * Hands `event` to the targets of every enabled rule it matches, asynchronously: a Lambda target
   * gets it through the embedded Lambda's queue with EventBridge's retry policy (the event is
   * journaled at once; a refused Invoke is retried for up to 24 hours, 185 times). Other target
   * kinds have nothing to deliver to here and are logged.
   */
  publish(event: BusEvent): void {
    for (const rule of this.rules.all()) {
      if (rule.state !== 'ENABLED' || !matches(parseEventPattern(rule.eventPattern), event)) continue;
      for (const target of rule.targets) {
        if (!target.Arn.startsWith('arn:aws:lambda:')) {
          this.context.log(`events: rule ${rule.name}: target ${target.Id} (${target.Arn}) is not a Lambda function; the embedded EventBridge skips it`);
          continue;
        }
        const payload = target.Input ?? JSON.stringify(event);
        this.context.services.lambda.invoke(target.Arn, payload, { invocationType: 'Event', source: 'events' }).catch((error: unknown) => {
          this.context.log(`events: rule ${rule.name}: event ${event.id} was not delivered to ${target.Arn}: ${error instanceof Error ? error.message : String(error)}`);
        });
      }
    }
  }

  private rule(name: string): Rule {
    const rule = this.rules.get(name);
    if (!rule) throw resourceNotFound(`Rule ${name} does not exist on EventBus default.`);
    return rule;
  }
}

function optionalString(input: Json, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must be a string`);
  return value;
}

function ruleName(input: Json, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined) throw validationError(`1 validation error detected: Value null at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`);
  if (!RULE_NAME.test(value)) throw validationError(`1 validation error detected: Value '${value}' at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
  return value;
}

/** Only the default bus exists here. */
function busName(input: Json): void {
  const bus = optionalString(input, 'EventBusName');
  if (bus !== undefined && bus !== 'default' && !bus.endsWith(':event-bus/default')) throw resourceNotFound(`Event bus ${bus} does not exist.`);
}
