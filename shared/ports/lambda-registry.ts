import type { FunctionConfigurationSpec } from '../model/spec';
import type { AliasRouting, AliasState, CodeArtifact } from '../model/deployment';

/** The configuration of `$LATEST` (or a version) as far as the engine cares. */
export interface FunctionState {
  readonly functionName: string;
  readonly functionArn: string;
  readonly version: string;
  /** `Pending`, `Active`, `Inactive`, `Failed`. */
  readonly state?: string;
  readonly stateReason?: string;
  /** `Successful`, `InProgress`, `Failed`. */
  readonly lastUpdateStatus?: string;
  readonly lastUpdateStatusReason?: string;
  readonly codeSha256: string;
  readonly revisionId: string;
  /** The execution role: both versions of a weighted alias must have the same. */
  readonly role?: string;
  /** The dead-letter target (SQS queue or SNS topic ARN): both versions of a weighted alias must have the same. */
  readonly deadLetterTargetArn?: string;
  /** SnapStart is on (`SnapStart.ApplyOn` = `PublishedVersions`): a published version stays Pending while Lambda takes its snapshot. */
  readonly snapStart?: boolean;
}

/** A published version. */
export interface PublishedVersion {
  readonly version: string;
  readonly codeSha256: string;
  readonly revisionId: string;
}

/** Outcome of invoking a function. */
export interface InvokeResult {
  /** The function threw (`Unhandled`) or returned an error (`Handled`). */
  readonly functionError?: string;
  readonly executedVersion?: string;
  /** The parsed JSON payload, or the raw text when it is not JSON. */
  readonly payload: unknown;
}

/** A version's or alias's provisioned concurrency configuration. */
export interface ProvisionedConcurrency {
  readonly requested: number;
  readonly allocated: number;
  /** `IN_PROGRESS` while Lambda allocates, then `READY` or `FAILED`. */
  readonly status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  /** Lambda's reason for a FAILED allocation. */
  readonly statusReason?: string;
}

/**
 * The Lambda control plane. Adapters translate service errors: throttling, 5xx and
 * "update in progress" → `TransientAwsError`; a `RevisionId` precondition failure on an alias
 * → `AliasDriftedError`; a missing function/alias → `FunctionNotFoundError` (or `undefined`
 * where the method says so).
 */
export interface LambdaRegistry {
  /** `$LATEST`, or the version `qualifier` names; `undefined` when the function (or that version) does not exist. */
  getFunction(functionName: string, qualifier?: string): Promise<FunctionState | undefined>;
  /** Creates the function with `tags` (the managed tag, so an ABAC-restricted fledge can act on it afterwards). */
  createFunction(input: { functionName: string; artifact: CodeArtifact; configuration: FunctionConfigurationSpec; tags: Readonly<Record<string, string>> }): Promise<FunctionState>;
  updateConfiguration(input: { functionName: string; configuration: FunctionConfigurationSpec; revisionId?: string }): Promise<FunctionState>;
  updateCode(input: { functionName: string; artifact: CodeArtifact; revisionId?: string }): Promise<FunctionState>;
  /** Polls until `State=Active` and `LastUpdateStatus` is no longer `InProgress`; returns the final state. */
  waitUntilSettled(functionName: string, options: { timeoutMs: number }): Promise<FunctionState>;
  /**
   * Polls one published version, on the injected clock, until its `State` is no longer `Pending`
   * (a published version is Pending while Lambda prepares it: SnapStart snapshots, images) or
   * `timeoutMs` has passed; returns its last state, `undefined` when the version does not exist.
   */
  waitForVersion(functionName: string, version: string, options: { timeoutMs: number }): Promise<FunctionState | undefined>;
  /** Publishes `$LATEST` only if it still has `codeSha256` and `revisionId`; otherwise `FunctionUpdateFailedError`. */
  publishVersion(input: { functionName: string; codeSha256: string; revisionId: string; description?: string }): Promise<PublishedVersion>;
  /** `undefined` when the alias does not exist. */
  getAlias(functionName: string, alias: string): Promise<AliasState | undefined>;
  createAlias(input: { functionName: string; alias: string; routing: AliasRouting; description?: string }): Promise<AliasState>;
  /** Fails with `AliasDriftedError` when the alias's revision is no longer `revisionId`. */
  updateAlias(input: { functionName: string; alias: string; routing: AliasRouting; revisionId: string }): Promise<AliasState>;
  /** Deletes the alias (rollback of a deployment that created it). Absent is fine. */
  deleteAlias(functionName: string, alias: string): Promise<void>;
  /** Every alias of the function with its routing. */
  listAliases(functionName: string): Promise<readonly (AliasState & { readonly name: string })[]>;
  invoke(input: { functionName: string; qualifier?: string; payload: unknown }): Promise<InvokeResult>;
  /** Numbered versions, ascending (no `$LATEST`). */
  listVersions(functionName: string): Promise<readonly string[]>;
  /** Deletes one numbered version. Absent is fine. */
  deleteVersion(functionName: string, version: string): Promise<void>;
  /** The provisioned concurrency configured on a version or an alias; `undefined` when it has none. */
  getProvisionedConcurrency(functionName: string, qualifier: string): Promise<ProvisionedConcurrency | undefined>;
  /**
   * Configures `amount` of provisioned concurrency on a version (or an alias); putting the amount
   * it already has again is harmless. What Lambda refuses for good (the account's unreserved
   * minimum, a version that already has PC through an alias, an alias with weights) is a
   * `ProvisionedConcurrencyError`.
   */
  putProvisionedConcurrency(functionName: string, qualifier: string, amount: number): Promise<ProvisionedConcurrency>;
  /** Removes the provisioned concurrency of a version (or an alias). Absent is fine. */
  deleteProvisionedConcurrency(functionName: string, qualifier: string): Promise<void>;
}
