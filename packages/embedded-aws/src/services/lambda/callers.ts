import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { LocalStateError, readJsonState, writeJsonState } from '../../state-file';
import type { LambdaControlPlane } from './control-plane';
import { invalidParameter, preconditionFailed, resourceConflict, resourceNotFound, validation, validationMessage } from './errors';
import type { FunctionRecord } from './model';
import { functionArn, isVersionNumber, parseFunctionName, type FunctionReference } from './names';
import { paginate } from './paging';

/** An event source mapping: a poller that invokes `functionName` (with its qualifier, if any) with batches from `eventSourceArn`. */
export interface EventSourceMappingRecord {
  readonly uuid: string;
  readonly eventSourceArn: string;
  readonly functionName: string;
  /** The qualifier the mapping invokes; absent: the unqualified function (`$LATEST`). */
  readonly qualifier: string | undefined;
  readonly batchSize: number;
  enabled: boolean;
  /** Simulated epoch ms. */
  lastModified: number;
}

/** One statement of a function's (or a qualifier's) resource-based policy, as AddPermission was given it. */
export interface PermissionRecord {
  readonly sid: string;
  readonly action: string;
  readonly principal: string;
  readonly sourceArn: string | undefined;
  readonly sourceAccount: string | undefined;
  readonly functionUrlAuthType: string | undefined;
}

/** A function URL: an HTTPS endpoint invoking the unqualified function or one alias. */
export interface FunctionUrlRecord {
  readonly functionName: string;
  /** `$LATEST`, an alias name, or absent for the unqualified function. */
  readonly qualifier: string | undefined;
  readonly urlId: string;
  readonly authType: string;
  readonly invokeMode: string;
  readonly creationTime: number;
}

interface StoredCallers {
  readonly format: number;
  readonly mappings: EventSourceMappingRecord[];
  /** [function name, qualifier or '' for the function's own policy, statements]. */
  readonly policies: [string, string, PermissionRecord[]][];
  readonly urls: FunctionUrlRecord[];
}

const FORMAT = 1;
const EVENT_SOURCE_ARN = /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;
const STATEMENT_ID = /^([a-zA-Z0-9-_.]+)$/;
const URL_QUALIFIER = /^(\$LATEST|(?!\d+$)[a-zA-Z0-9-_]+)$/;

/**
 * Who invokes a function besides direct callers: event source mappings
 * (Create/Get/List/DeleteEventSourceMapping), resource-based policy statements
 * (AddPermission/GetPolicy/RemovePermission, each on the function or one qualifier) and function
 * URLs (Create/Get/List/DeleteFunctionUrlConfig). The embedded Lambda stores them with AWS's
 * rules and errors; it does not poll the event sources nor serve the URLs (the embedded AWS has
 * no SQS, Kinesis or HTTP front door): they exist so that a tool can read who would invoke what.
 * Persisted under `<dataDir>/lambda/callers.json`.
 */
export class CallerOperations {
  private readonly mappings = new Map<string, EventSourceMappingRecord>();
  /** `<function>\u0000<qualifier or ''>` → statements. */
  private readonly policies = new Map<string, PermissionRecord[]>();
  /** `<function>\u0000<qualifier or ''>` → URL. */
  private readonly urls = new Map<string, FunctionUrlRecord>();

  constructor(
    private readonly plane: LambdaControlPlane,
    private readonly dataDir: string | undefined,
  ) {
    if (dataDir) this.load(dataDir);
  }

  // ------------------------------------------------------------ event source mappings

  /** CreateEventSourceMapping: 202, State `Creating`. */
  createEventSourceMapping(body: Record<string, unknown>): Record<string, unknown> {
    const source = body.EventSourceArn;
    if (typeof source !== 'string' || !EVENT_SOURCE_ARN.test(source)) {
      throw validation(validationMessage(source, 'eventSourceArn', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)'));
    }
    const ref = parseFunctionName(typeof body.FunctionName === 'string' ? body.FunctionName : undefined, undefined, this.plane.location);
    const { fn } = this.existing(ref);
    const batchSize = body.BatchSize === undefined ? 10 : body.BatchSize;
    if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      throw validation(validationMessage(batchSize, 'batchSize', 'Member must have value between 1 and 10000'));
    }
    const clash = [...this.mappings.values()].find((m) => m.eventSourceArn === source && m.functionName === fn.name && m.qualifier === ref.qualifier);
    if (clash) throw resourceConflict(`The event source arn (" ${source} ") and function (" ${fn.name} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${clash.uuid}`);
    const record: EventSourceMappingRecord = {
      uuid: randomUUID(),
      eventSourceArn: source,
      functionName: fn.name,
      qualifier: ref.qualifier,
      batchSize,
      enabled: body.Enabled !== false,
      lastModified: this.plane.now(),
    };
    this.mappings.set(record.uuid, record);
    this.persist();
    return { ...this.mappingView(record), State: 'Creating' };
  }

  /**
   * ListEventSourceMappings. A `FunctionName` without qualifier lists the mappings of the function
   * whatever qualifier they invoke; with one (`fn:live`, `fn:3`), only that qualifier's.
   */
  listEventSourceMappings(query: URLSearchParams): Record<string, unknown> {
    const source = query.get('EventSourceArn');
    const name = query.get('FunctionName');
    const ref = name === null ? undefined : parseFunctionName(name, undefined, this.plane.location);
    const all = [...this.mappings.values()]
      .filter((m) => source === null || m.eventSourceArn === source)
      .filter((m) => ref === undefined || (m.functionName === ref.name && (ref.qualifier === undefined || m.qualifier === ref.qualifier)))
      .sort((a, b) => a.lastModified - b.lastModified || a.uuid.localeCompare(b.uuid));
    const page = paginate(all, query.get('Marker'), query.get('MaxItems'));
    return { EventSourceMappings: page.items.map((m) => this.mappingView(m)), NextMarker: page.nextMarker };
  }

  /** GetEventSourceMapping. */
  getEventSourceMapping(uuid: string): Record<string, unknown> {
    return this.mappingView(this.mapping(uuid));
  }

  /** DeleteEventSourceMapping: 202, State `Deleting`. */
  deleteEventSourceMapping(uuid: string): Record<string, unknown> {
    const record = this.mapping(uuid);
    this.mappings.delete(uuid);
    this.persist();
    return { ...this.mappingView(record), State: 'Deleting' };
  }

  // ------------------------------------------------------------ resource-based policy

  /** AddPermission: one statement on the function (no qualifier) or on one version or alias; never on `$LATEST`. */
  addPermission(ref: FunctionReference, body: Record<string, unknown>): Record<string, unknown> {
    const sid = body.StatementId;
    if (typeof sid !== 'string' || sid.length < 1 || sid.length > 100 || !STATEMENT_ID.test(sid)) {
      throw validation(validationMessage(sid, 'statementId', 'Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+)'));
    }
    const action = body.Action;
    if (typeof action !== 'string' || !/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/.test(action)) {
      throw validation(validationMessage(action, 'action', 'Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])'));
    }
    const principal = body.Principal;
    if (typeof principal !== 'string' || !/^[^\s]+$/.test(principal)) throw validation(validationMessage(principal, 'principal', 'Member must satisfy regular expression pattern: [^\\s]+'));
    if (ref.qualifier === '$LATEST') throw invalidParameter('We currently do not support adding policies for $LATEST.');
    const { fn } = this.existing(ref);
    const key = policyKey(fn.name, ref.qualifier);
    if (body.RevisionId !== undefined && body.RevisionId !== this.plane.versionOf(fn, ref.qualifier).revisionId) {
      throw preconditionFailed();
    }
    const statements = this.policies.get(key) ?? [];
    if (statements.some((s) => s.sid === sid)) {
      throw resourceConflict(`The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
    }
    const record: PermissionRecord = {
      sid,
      action,
      principal,
      sourceArn: typeof body.SourceArn === 'string' ? body.SourceArn : undefined,
      sourceAccount: typeof body.SourceAccount === 'string' ? body.SourceAccount : undefined,
      functionUrlAuthType: typeof body.FunctionUrlAuthType === 'string' ? body.FunctionUrlAuthType : undefined,
    };
    this.policies.set(key, [...statements, record]);
    this.persist();
    return { Statement: JSON.stringify(this.statementView(fn.name, ref.qualifier, record)) };
  }

  /** GetPolicy: the policy of the function or of one qualifier; ResourceNotFoundException when it has no statement. */
  getPolicy(ref: FunctionReference): Record<string, unknown> {
    const { fn } = this.existing(ref);
    const statements = this.policies.get(policyKey(fn.name, ref.qualifier)) ?? [];
    if (statements.length === 0) throw resourceNotFound('The resource you requested does not exist.');
    const policy = { Version: '2012-10-17', Id: 'default', Statement: statements.map((s) => this.statementView(fn.name, ref.qualifier, s)) };
    return { Policy: JSON.stringify(policy), RevisionId: this.plane.versionOf(fn, ref.qualifier).revisionId };
  }

  /** RemovePermission. */
  removePermission(ref: FunctionReference, sid: string): void {
    const { fn } = this.existing(ref);
    const key = policyKey(fn.name, ref.qualifier);
    const statements = this.policies.get(key) ?? [];
    if (!statements.some((s) => s.sid === sid)) throw resourceNotFound(`Statement ${sid} is not found in resource policy.`);
    const rest = statements.filter((s) => s.sid !== sid);
    if (rest.length > 0) this.policies.set(key, rest);
    else this.policies.delete(key);
    this.persist();
  }

  // ------------------------------------------------------------ function URLs

  /** CreateFunctionUrlConfig: on the unqualified function, `$LATEST` or an alias (never a version). */
  createFunctionUrlConfig(ref: FunctionReference, body: Record<string, unknown>): Record<string, unknown> {
    this.checkUrlQualifier(ref.qualifier);
    const authType = body.AuthType;
    if (authType !== 'NONE' && authType !== 'AWS_IAM') throw validation(validationMessage(authType, 'authType', 'Member must satisfy enum value set: [NONE, AWS_IAM]'));
    const invokeMode = body.InvokeMode === undefined ? 'BUFFERED' : body.InvokeMode;
    if (invokeMode !== 'BUFFERED' && invokeMode !== 'RESPONSE_STREAM') throw validation(validationMessage(invokeMode, 'invokeMode', 'Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]'));
    const { fn } = this.existing(ref);
    const key = policyKey(fn.name, ref.qualifier);
    if (this.urls.has(key)) {
      throw resourceConflict(`Failed to create function url config for [functionArn = ${functionArn(this.plane.location, fn.name, ref.qualifier)}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
    }
    const record: FunctionUrlRecord = {
      functionName: fn.name,
      qualifier: ref.qualifier,
      urlId: randomUUID().replace(/-/g, '').slice(0, 32),
      authType,
      invokeMode,
      creationTime: this.plane.now(),
    };
    this.urls.set(key, record);
    this.persist();
    return this.urlView(record);
  }

  /** GetFunctionUrlConfig. */
  getFunctionUrlConfig(ref: FunctionReference): Record<string, unknown> {
    this.checkUrlQualifier(ref.qualifier);
    const { fn } = this.existing(ref);
    const record = this.urls.get(policyKey(fn.name, ref.qualifier));
    if (!record) throw resourceNotFound('The resource you requested does not exist.');
    return this.urlView(record);
  }

  /** DeleteFunctionUrlConfig. */
  deleteFunctionUrlConfig(ref: FunctionReference): void {
    this.checkUrlQualifier(ref.qualifier);
    const { fn } = this.existing(ref);
    const key = policyKey(fn.name, ref.qualifier);
    if (!this.urls.has(key)) throw resourceNotFound('The resource you requested does not exist.');
    this.urls.delete(key);
    this.persist();
  }

  /** ListFunctionUrlConfigs: every URL of the function, whatever it invokes. */
  listFunctionUrlConfigs(ref: FunctionReference, query: URLSearchParams): Record<string, unknown> {
    const fn = this.plane.find({ name: ref.name, qualifier: undefined });
    const all = [...this.urls.values()].filter((u) => u.functionName === fn.name).sort((a, b) => a.creationTime - b.creationTime);
    const page = paginate(all, query.get('Marker'), query.get('MaxItems'));
    return { FunctionUrlConfigs: page.items.map((u) => this.urlView(u)), NextMarker: page.nextMarker };
  }

  /** Forgets everything that invokes a deleted function (or a deleted version of it). */
  forget(functionName: string, qualifier?: string): void {
    const matches = (name: string, q: string | undefined) => name === functionName && (qualifier === undefined || q === qualifier);
    for (const [uuid, m] of this.mappings) if (matches(m.functionName, m.qualifier)) this.mappings.delete(uuid);
    for (const key of [...this.policies.keys()]) {
      const [name, q] = key.split('\u0000');
      if (matches(name ?? '', q === '' ? undefined : q)) this.policies.delete(key);
    }
    for (const [key, u] of this.urls) if (matches(u.functionName, u.qualifier)) this.urls.delete(key);
    this.persist();
  }

  // ------------------------------------------------------------ helpers

  private existing(ref: FunctionReference): { fn: FunctionRecord } {
    const fn = this.plane.find({ name: ref.name, qualifier: undefined });
    // Throws AWS's ResourceNotFoundException for a version or alias that does not exist.
    if (ref.qualifier !== undefined) this.plane.versionOf(fn, ref.qualifier);
    return { fn };
  }

  private mapping(uuid: string): EventSourceMappingRecord {
    const record = this.mappings.get(uuid);
    if (!record) throw resourceNotFound(`The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${randomUUID()})`);
    return record;
  }

  private checkUrlQualifier(qualifier: string | undefined): void {
    if (qualifier !== undefined && (!URL_QUALIFIER.test(qualifier) || isVersionNumber(qualifier))) {
      throw validation(validationMessage(qualifier, 'qualifier', 'Member must satisfy regular expression pattern: (^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))'));
    }
  }

  private mappingView(m: EventSourceMappingRecord): Record<string, unknown> {
    return {
      UUID: m.uuid,
      EventSourceArn: m.eventSourceArn,
      FunctionArn: functionArn(this.plane.location, m.functionName, m.qualifier),
      BatchSize: m.batchSize,
      State: m.enabled ? 'Enabled' : 'Disabled',
      StateTransitionReason: 'USER_INITIATED',
      LastModified: m.lastModified / 1000,
    };
  }

  private statementView(functionName: string, qualifier: string | undefined, s: PermissionRecord): Record<string, unknown> {
    const principal = /^\d{12}$/.test(s.principal) ? { AWS: `arn:aws:iam::${s.principal}:root` } : s.principal.includes('.') ? { Service: s.principal } : { AWS: s.principal };
    const condition: Record<string, Record<string, string>> = {};
    if (s.sourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': s.sourceArn };
    if (s.sourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': s.sourceAccount };
    if (s.functionUrlAuthType !== undefined) condition.StringEquals = { ...condition.StringEquals, 'lambda:FunctionUrlAuthType': s.functionUrlAuthType };
    return {
      Sid: s.sid,
      Effect: 'Allow',
      Principal: principal,
      Action: s.action,
      Resource: functionArn(this.plane.location, functionName, qualifier),
      ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
    };
  }

  private urlView(u: FunctionUrlRecord): Record<string, unknown> {
    const created = new Date(u.creationTime).toISOString();
    return {
      FunctionUrl: `https://${u.urlId}.lambda-url.${this.plane.location.region}.on.aws/`,
      FunctionArn: functionArn(this.plane.location, u.functionName, u.qualifier),
      AuthType: u.authType,
      InvokeMode: u.invokeMode,
      CreationTime: created,
      LastModifiedTime: created,
    };
  }

  private persist(): void {
    if (!this.dataDir) return;
    const stored: StoredCallers = {
      format: FORMAT,
      mappings: [...this.mappings.values()],
      policies: [...this.policies].map(([key, statements]) => {
        const [name, qualifier] = key.split('\u0000');
        return [name ?? '', qualifier ?? '', statements];
      }),
      urls: [...this.urls.values()],
    };
    writeJsonState(callersFilePath(this.dataDir), stored);
  }

  private load(dataDir: string): void {
    const path = callersFilePath(dataDir);
    const stored = readJsonState<StoredCallers>(path, 'embedded Lambda');
    if (!stored) return;
    if (stored.format !== FORMAT || !Array.isArray(stored.mappings) || !Array.isArray(stored.policies) || !Array.isArray(stored.urls)) {
      throw new LocalStateError(`embedded Lambda: ${path} is not a callers file of format ${FORMAT}; fix or delete it`);
    }
    for (const m of stored.mappings) this.mappings.set(m.uuid, { ...m, qualifier: m.qualifier ?? undefined });
    for (const [name, qualifier, statements] of stored.policies) this.policies.set(policyKey(name, qualifier === '' ? undefined : qualifier), statements);
    for (const u of stored.urls) this.urls.set(policyKey(u.functionName, u.qualifier ?? undefined), { ...u, qualifier: u.qualifier ?? undefined });
  }
}

/** `<dataDir>/lambda/callers.json`. */
function callersFilePath(dataDir: string): string {
  return join(dataDir, 'lambda', 'callers.json');
}

function policyKey(functionName: string, qualifier: string | undefined): string {
  return `${functionName}\u0000${qualifier ?? ''}`;
}
