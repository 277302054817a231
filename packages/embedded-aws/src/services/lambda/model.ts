import type { InProcessHandler } from '../../types';
import { functionArn, type LambdaLocation } from './names';

/** The configuration a version snapshots: what PublishVersion copies from `$LATEST`. */
export interface VersionSettings {
  readonly runtime: string | undefined;
  readonly role: string;
  readonly handler: string | undefined;
  readonly description: string;
  /** Seconds. */
  readonly timeout: number;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly architectures: readonly string[];
  readonly layers: readonly string[];
  readonly packageType: 'Zip' | 'Image';
  readonly imageUri: string | undefined;
  readonly deadLetterTargetArn: string | undefined;
  /** `SnapStart.ApplyOn`: `PublishedVersions` takes a snapshot of every version published; absent: `None`. */
  readonly snapStart?: 'PublishedVersions';
}

/** The code a version runs: a zip (by its sha256), an image reference, or an in-process handler. */
export interface CodeRef {
  /** Base64 sha256 of the zip (or of the image URI / in-process name), as Lambda reports it. */
  readonly codeSha256: string;
  readonly codeSize: number;
  /** Hex sha256 naming the stored zip; absent for images and in-process functions. */
  readonly zipKey: string | undefined;
}

/** `$LATEST` or one published version of a function. */
export interface VersionRecord {
  readonly version: string;
  settings: VersionSettings;
  code: CodeRef;
  revisionId: string;
  /** Simulated epoch ms of the last change, rendered as LastModified. */
  lastModified: number;
  /** Simulated epoch ms until which the version is Pending (create) or InProgress (update). */
  busyUntil: number;
  /** What the busy period is: creation (State Pending) or an update (LastUpdateStatus InProgress). */
  busyKind: 'create' | 'update' | 'none';
  /**
   * For published versions: the fingerprint of `$LATEST` (code and configuration) it was
   * published from, so a publish with nothing changed since finds the version it would duplicate.
   */
  publishedFrom: string | undefined;
  /**
   * For published versions that fail to come up (a SnapStart snapshot or an image that cannot be
   * prepared): State `Failed` with this reason once the Pending window ends.
   */
  failure?: VersionFailure;
}

/** Why a published version ended in State `Failed`, as Lambda's StateReason / StateReasonCode. */
export interface VersionFailure {
  readonly reason: string;
  readonly code: string;
}

/**
 * How versions published from now on come up (a test hook, {@link LambdaInternal.setVersionActivation}):
 * Pending for `pendingMs` of simulated time — SnapStart snapshots, container images and Lambda
 * Managed Instances take minutes on AWS — then Active, or Failed with `failure`.
 */
export interface VersionActivation {
  readonly pendingMs: number;
  readonly failure?: VersionFailure;
}

/** An alias: a name pointing at a version, with at most one additional weighted version. */
export interface AliasRecord {
  readonly name: string;
  functionVersion: string;
  description: string;
  /** version → weight in [0, 1]; empty when the alias routes to one version. */
  additionalVersionWeights: Record<string, number>;
  revisionId: string;
}

/** How Lambda handles the asynchronous invocations of one qualifier (PutFunctionEventInvokeConfig). */
export interface EventInvokeConfigRecord {
  /** 0–2; AWS's default (2) when absent. */
  readonly maximumRetryAttempts?: number;
  /** 60–21600; AWS's default (21600) when absent. */
  readonly maximumEventAgeInSeconds?: number;
  readonly onSuccess?: string;
  readonly onFailure?: string;
  /** Simulated epoch ms. */
  readonly lastModified: number;
}

/**
 * One provisioned concurrency configuration (PutProvisionedConcurrencyConfig) on a version or an
 * alias. Its allocation is IN_PROGRESS until `readyAt` (simulated ms), then READY — or FAILED
 * with `failure` when the activation says so.
 */
export interface ProvisionedConcurrencyRecord {
  requested: number;
  /** Simulated epoch ms of the last Put. */
  lastModified: number;
  /** Simulated epoch ms at which the allocation is complete; `null` never (a test's stuck allocation). */
  readyAt: number | null;
  failure?: string;
  /** What stays allocated while a changed amount is IN_PROGRESS: Lambda scales a READY allocation, it does not drop it. */
  warm?: number;
  /**
   * For an alias's configuration: the routing (primary version and weights) it was last allocated
   * for, and the versions holding a warm share of it. When the alias's routing changes Lambda
   * reallocates the split: the versions that had no share are cold until the allocation is READY.
   */
  routing?: string;
  warmVersions?: string[];
}

/**
 * How provisioned concurrency put on a function from now on comes up (a test hook,
 * {@link LambdaService.setProvisionedConcurrencyActivation}): READY after `readyMs` of simulated
 * time, never (`readyMs: null`), or FAILED with `failure` (Lambda's StatusReason).
 */
export interface ProvisionedConcurrencyActivation {
  readonly readyMs: number | null;
  readonly failure?: string;
}

/** A function: `$LATEST`, its published versions and its aliases. */
export interface FunctionRecord {
  readonly name: string;
  latest: VersionRecord;
  readonly versions: Map<string, VersionRecord>;
  readonly aliases: Map<string, AliasRecord>;
  /** By qualifier (`$LATEST` for the unqualified function, a version, an alias); absent until one is put. */
  eventInvokeConfigs?: Map<string, EventInvokeConfigRecord>;
  /** Provisioned concurrency configurations by qualifier (a version number or an alias name); absent until one is put. */
  provisionedConcurrency?: Map<string, ProvisionedConcurrencyRecord>;
  /** How provisioned concurrency put from now on comes up (a test hook); default READY after `provisionedConcurrencyDelayMs`. Not persisted. */
  provisionedConcurrencyActivation?: ProvisionedConcurrencyActivation;
  nextVersion: number;
  /** The function's tags (CreateFunction's `Tags`), as GetFunction returns them. */
  tags?: Readonly<Record<string, string>>;
  /** Set for fledge's own handlers registered to run in this process. */
  inProcess?: InProcessHandler;
  /** How versions published from now on come up; default Pending for `updateDelayMs`, then Active. Not persisted. */
  activation?: VersionActivation;
}

/** Renders LastModified the way Lambda does: `2026-01-31T12:34:56.789+0000`. */
export function lastModifiedText(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

/**
 * The FunctionConfiguration shape of one version, as AWS returns it; the FunctionArn ends in
 * `:<arnQualifier>` when one is given (a version, `$LATEST`, or the alias the caller named).
 * State and LastUpdateStatus come from `busyKind` alone, never from the clock: the window ends
 * when the control plane settles it, which is also when the RevisionId changes, so an answer
 * never says "Successful" with a RevisionId the next call refuses.
 */
export function toFunctionConfiguration(fn: FunctionRecord, record: VersionRecord, where: LambdaLocation, arnQualifier: string | undefined): Record<string, unknown> {
  const s = record.settings;
  const busy = record.busyKind !== 'none';
  const out: Record<string, unknown> = {
    FunctionName: fn.name,
    FunctionArn: functionArn(where, fn.name, arnQualifier),
    Runtime: s.runtime,
    Role: s.role,
    Handler: s.handler,
    CodeSize: record.code.codeSize,
    Description: s.description,
    Timeout: s.timeout,
    MemorySize: s.memorySize,
    LastModified: lastModifiedText(record.lastModified),
    CodeSha256: record.code.codeSha256,
    Version: record.version,
    Environment: { Variables: { ...s.environment } },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: record.revisionId,
    Layers: s.layers.length > 0 ? s.layers.map((Arn) => ({ Arn, CodeSize: 0 })) : undefined,
    PackageType: s.packageType,
    Architectures: [...s.architectures],
    EphemeralStorage: { Size: 512 },
    // OptimizationStatus is On for the published versions of a SnapStart function: they run from the snapshot.
    SnapStart: s.snapStart ? { ApplyOn: s.snapStart, OptimizationStatus: record.version === '$LATEST' ? 'Off' : 'On' } : { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
    DeadLetterConfig: s.deadLetterTargetArn ? { TargetArn: s.deadLetterTargetArn } : undefined,
  };
  if (busy && record.busyKind === 'create') {
    Object.assign(out, { State: 'Pending', StateReason: 'The function is being created.', StateReasonCode: 'Creating' });
    // A published version being prepared (its SnapStart snapshot, an image) is also an update in progress.
    if (record.version !== '$LATEST') Object.assign(out, { LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being created.', LastUpdateStatusReasonCode: 'Creating' });
  } else if (record.failure) {
    Object.assign(out, {
      State: 'Failed',
      StateReason: record.failure.reason,
      StateReasonCode: record.failure.code,
      LastUpdateStatus: 'Failed',
      LastUpdateStatusReason: record.failure.reason,
      LastUpdateStatusReasonCode: record.failure.code,
    });
  } else {
    out.State = 'Active';
    if (busy && record.busyKind === 'update') {
      Object.assign(out, { LastUpdateStatus: 'InProgress', LastUpdateStatusReason: 'The function is being created.', LastUpdateStatusReasonCode: 'Creating' });
    } else {
      out.LastUpdateStatus = 'Successful';
    }
  }
  return out;
}

/** The AliasConfiguration shape AWS returns. */
export function toAliasConfiguration(fn: FunctionRecord, alias: AliasRecord, where: LambdaLocation): Record<string, unknown> {
  const routed = Object.keys(alias.additionalVersionWeights).length > 0;
  return {
    AliasArn: functionArn(where, fn.name, alias.name),
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    RoutingConfig: routed ? { AdditionalVersionWeights: { ...alias.additionalVersionWeights } } : undefined,
    RevisionId: alias.revisionId,
  };
}
