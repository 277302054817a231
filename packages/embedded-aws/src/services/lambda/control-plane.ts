import { createHash, randomUUID } from 'node:crypto';
import type { InProcessFunctionDefinition, S3Internal, SimClock } from '../../types';
import { pseudoCode, type CodeStore } from './code-store';
import type { ImageStandIns } from './images';
import { invalidParameter, preconditionFailed, resourceConflict, resourceNotFound, validation, validationMessage } from './errors';
import { toFunctionConfiguration, type AliasRecord, type CodeRef, type FunctionRecord, type VersionActivation, type VersionRecord, type VersionSettings } from './model';
import { checkAliasName, functionArn, isAliasName, isVersionNumber, type FunctionReference, type LambdaLocation } from './names';
import { paginate } from './paging';
import { applySettings, member, type SettingsInput } from './settings';
import { loadState, saveState } from './state-file';

/** What the control plane needs from the embedded AWS around it. */
export interface ControlPlaneOptions {
  readonly location: LambdaLocation;
  readonly clock: SimClock;
  /** Simulated ms a function stays Pending after create and InProgress after an update. */
  readonly updateDelayMs: number;
  /** Simulated ms a published version of a SnapStart function stays Pending (its snapshot); default 60000. */
  readonly snapStartDelayMs?: number;
  readonly dataDir: string | undefined;
  readonly codes: CodeStore;
  /** Container images: their digests, and the stand-ins that run them (images.ts). */
  readonly images?: ImageStandIns;
  readonly s3: () => S3Internal;
  /** Where GetFunction says the zip can be downloaded. */
  readonly codeLocation: (zipKey: string) => string;
  /** Called when a version's code or configuration changed or it was deleted: its warm environments are stale. */
  readonly onStale: (functionName: string, version?: string) => void;
}

/** The code members of CreateFunction's `Code` and of UpdateFunctionCode. */
export interface CodeInput {
  readonly ZipFile?: unknown;
  readonly S3Bucket?: unknown;
  readonly S3Key?: unknown;
  readonly S3ObjectVersion?: unknown;
  readonly ImageUri?: unknown;
}

/** Where an invocation goes: the version that runs, and the alias it came through. */
export interface InvokeTarget {
  readonly fn: FunctionRecord;
  readonly record: VersionRecord;
  readonly aliasName: string | undefined;
  /** The qualifier as the caller gave it (`undefined` for an unqualified invoke). */
  readonly qualifier: string | undefined;
}

const DEFAULT_SETTINGS: VersionSettings = {
  runtime: undefined,
  role: '',
  handler: undefined,
  description: '',
  timeout: 3,
  memorySize: 128,
  environment: {},
  architectures: ['x86_64'],
  layers: [],
  packageType: 'Zip',
  imageUri: undefined,
  deadLetterTargetArn: undefined,
};

/**
 * The embedded Lambda's control plane: functions, `$LATEST`, published versions and aliases,
 * with AWS's rules (RevisionId and CodeSha256 guards, Pending/InProgress windows, unchanged
 * publishes returning the existing version, routing rules) and AWS's errors.
 */
export class LambdaControlPlane {
  readonly functions: Map<string, FunctionRecord>;

  constructor(private readonly options: ControlPlaneOptions) {
    this.functions = options.dataDir ? loadState(options.dataDir) : new Map();
    // Pending/InProgress windows do not outlive a restart: the new simulated clock starts afresh.
    for (const fn of this.functions.values()) {
      for (const record of [fn.latest, ...fn.versions.values()]) record.busyKind = 'none';
    }
  }

  get location(): LambdaLocation {
    return this.options.location;
  }

  /** Simulated epoch ms. */
  now(): number {
    return this.options.clock.now();
  }

  /** Saves the state when the embedded AWS persists. */
  persist(): void {
    if (this.options.dataDir) saveState(this.options.dataDir, this.functions);
  }

  /** The function, or AWS's ResourceNotFoundException naming it as the caller did. */
  find(ref: FunctionReference): FunctionRecord {
    const fn = this.functions.get(ref.name);
    if (!fn) throw resourceNotFound(`Function not found: ${functionArn(this.location, ref.name, ref.qualifier)}`);
    this.settleAll(fn);
    return fn;
  }

  /**
   * Ends Pending/InProgress windows that are over; like AWS, the RevisionId changes when they do.
   * The only place a window ends: what a response reports (State, LastUpdateStatus, RevisionId)
   * is read from the settled record, never from a second reading of the clock, which under a
   * compressed time scale moves on within one request.
   */
  settleAll(fn: FunctionRecord): void {
    const now = this.options.clock.now();
    for (const record of [fn.latest, ...fn.versions.values()]) {
      if (record.busyKind !== 'none' && now >= record.busyUntil) {
        record.busyKind = 'none';
        record.revisionId = randomUUID();
      }
    }
  }

  /** The version a qualifier names (`$LATEST`, a number, or an alias's primary version). */
  versionOf(fn: FunctionRecord, qualifier: string | undefined): VersionRecord {
    if (qualifier === undefined || qualifier === '$LATEST') return fn.latest;
    if (isVersionNumber(qualifier)) {
      const record = fn.versions.get(qualifier);
      if (!record) throw resourceNotFound(`Function not found: ${functionArn(this.location, fn.name, qualifier)}`);
      return record;
    }
    const alias = fn.aliases.get(qualifier);
    if (!alias) throw resourceNotFound(`Function not found: ${functionArn(this.location, fn.name, qualifier)}`);
    return this.versionOf(fn, alias.functionVersion);
  }

  /**
   * FunctionConfiguration of a version, in AWS's shape. `arnQualifier` ends the FunctionArn: the
   * qualifier the caller named (an alias name, `$LATEST`), by default the version's number and
   * nothing for `$LATEST`.
   */
  configuration(fn: FunctionRecord, record: VersionRecord, arnQualifier: string | undefined = record.version === '$LATEST' ? undefined : record.version): Record<string, unknown> {
    this.settleAll(fn);
    return toFunctionConfiguration(fn, record, this.location, arnQualifier);
  }

  // ---------------------------------------------------------------- functions

  /** CreateFunction. */
  async createFunction(ref: FunctionReference, body: SettingsInput & { Code?: unknown; PackageType?: unknown; Publish?: unknown; Tags?: unknown }): Promise<Record<string, unknown>> {
    if (ref.qualifier !== undefined) throw validation(validationMessage(ref.name, 'functionName', 'Member must not include a qualifier'));
    if (body.Role === undefined) throw validation(validationMessage(null, 'role', 'Member must not be null'));
    const packageType = body.PackageType === undefined ? 'Zip' : String(body.PackageType);
    if (packageType !== 'Zip' && packageType !== 'Image') throw validation(validationMessage(packageType, 'packageType', 'Member must satisfy enum value set: [Image, Zip]'));
    const settings = { ...applySettings(DEFAULT_SETTINGS, body), packageType } as VersionSettings;
    if (packageType === 'Zip' && (settings.runtime === undefined || settings.handler === undefined)) {
      throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
    }
    const tags = tagsOf(body.Tags);
    const { code, imageUri } = await this.acquireCode(codeInput(body.Code), packageType);
    if (this.functions.has(ref.name)) throw resourceConflict(`Function already exist: ${ref.name}`);
    const now = this.options.clock.now();
    const latest: VersionRecord = {
      version: '$LATEST',
      settings: { ...settings, imageUri },
      code,
      revisionId: randomUUID(),
      lastModified: now,
      busyUntil: now + this.options.updateDelayMs,
      busyKind: 'create',
      publishedFrom: undefined,
    };
    const fn: FunctionRecord = { name: ref.name, latest, versions: new Map(), aliases: new Map(), nextVersion: 1, ...(tags ? { tags } : {}) };
    this.functions.set(ref.name, fn);
    const published = body.Publish === true ? this.publishFrom(fn, undefined) : undefined;
    this.persist();
    return this.configuration(fn, published ?? latest);
  }

  /**
   * Registers one of fledge's own handlers as a function that runs in this process: Active at
   * once, `nodejs22.x`, not persisted (its owner registers it again at every start). Registering
   * the same name again replaces the handler.
   */
  registerInProcess(definition: InProcessFunctionDefinition): void {
    const existing = this.functions.get(definition.functionName);
    if (existing && !existing.inProcess) {
      throw invalidParameter(`Function ${definition.functionName} already exists as a deployed function; an in-process function cannot replace it`);
    }
    const settings = applySettings(DEFAULT_SETTINGS, {
      Runtime: 'nodejs22.x',
      Handler: 'in-process.handler',
      Role: `arn:aws:iam::${this.location.accountId}:role/fledge-local`,
      Timeout: definition.timeout ?? 60,
      Environment: { Variables: definition.environment ?? {} },
      Description: 'fledge in-process function',
    });
    const now = this.options.clock.now();
    const latest: VersionRecord = {
      version: '$LATEST',
      settings,
      code: pseudoCode(`in-process:${definition.functionName}`),
      revisionId: randomUUID(),
      lastModified: now,
      busyUntil: now,
      busyKind: 'none',
      publishedFrom: undefined,
    };
    if (existing) {
      existing.inProcess = definition.handler;
      existing.latest = latest;
    } else {
      this.functions.set(definition.functionName, { name: definition.functionName, latest, versions: new Map(), aliases: new Map(), nextVersion: 1, inProcess: definition.handler });
    }
    this.options.onStale(definition.functionName);
  }

  /** GetFunction. */
  getFunction(ref: FunctionReference): Record<string, unknown> {
    const fn = this.find(ref);
    const record = this.versionOf(fn, ref.qualifier);
    const s = record.settings;
    const code =
      s.packageType === 'Image'
        ? { RepositoryType: 'ECR', ImageUri: s.imageUri, ResolvedImageUri: this.options.images && s.imageUri ? this.options.images.resolvedUri(s.imageUri, record.code.codeSha256) : s.imageUri }
        : { RepositoryType: 'S3', Location: this.options.codeLocation(record.code.zipKey ?? '') };
    return { Configuration: this.configuration(fn, record, ref.qualifier), Code: code, ...(fn.tags ? { Tags: { ...fn.tags } } : {}) };
  }

  /** GetFunctionConfiguration. */
  getFunctionConfiguration(ref: FunctionReference): Record<string, unknown> {
    const fn = this.find(ref);
    return this.configuration(fn, this.versionOf(fn, ref.qualifier), ref.qualifier);
  }

  /** UpdateFunctionCode: new code for `$LATEST`, optionally published at once. */
  async updateFunctionCode(ref: FunctionReference, body: CodeInput & { Publish?: unknown; DryRun?: unknown; RevisionId?: unknown; Architectures?: unknown }): Promise<Record<string, unknown>> {
    const fn = this.findLatestOnly(ref);
    if (fn.inProcess) throw invalidParameter(`Function ${fn.name} runs in process: its code is fledge's own and cannot be replaced`);
    this.guardRevision(fn.latest, body.RevisionId);
    const packageType = fn.latest.settings.packageType;
    if (packageType === 'Image' && body.ImageUri === undefined) throw invalidParameter('Please provide ImageUri when updating a function with packageType Image.');
    if (packageType === 'Zip' && body.ImageUri !== undefined) throw invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.");
    const { code, imageUri } = await this.acquireCode(body, packageType);
    const architectures = body.Architectures === undefined ? undefined : applySettings(fn.latest.settings, { Architectures: body.Architectures }).architectures;
    // Checked after the code is fetched: the window may have ended (or begun) meanwhile.
    this.settleAll(fn);
    this.guardNotBusy(fn);
    this.guardRevision(fn.latest, body.RevisionId);
    if (body.DryRun === true) return this.configuration(fn, fn.latest);
    fn.latest.code = code;
    fn.latest.settings = { ...fn.latest.settings, imageUri, ...(architectures ? { architectures } : {}) };
    this.markUpdated(fn);
    const published = body.Publish === true ? this.publishFrom(fn, undefined) : undefined;
    this.persist();
    return this.configuration(fn, published ?? fn.latest);
  }

  /** UpdateFunctionConfiguration. */
  updateFunctionConfiguration(ref: FunctionReference, body: SettingsInput & { RevisionId?: unknown }): Record<string, unknown> {
    const fn = this.findLatestOnly(ref);
    this.guardRevision(fn.latest, body.RevisionId);
    const settings = applySettings(fn.latest.settings, body);
    this.guardNotBusy(fn);
    fn.latest.settings = settings;
    this.markUpdated(fn);
    this.persist();
    return this.configuration(fn, fn.latest);
  }

  /** PublishVersion: a new immutable version, or the latest one when nothing changed since it. */
  publishVersion(ref: FunctionReference, body: { CodeSha256?: unknown; RevisionId?: unknown; Description?: unknown }): Record<string, unknown> {
    const fn = this.findLatestOnly(ref);
    this.guardRevision(fn.latest, body.RevisionId);
    if (body.CodeSha256 !== undefined && body.CodeSha256 !== fn.latest.code.codeSha256) {
      throw invalidParameter(
        `CodeSHA256 (${String(body.CodeSha256)}) is different from current CodeSHA256 in $LATEST (${fn.latest.code.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`,
      );
    }
    this.guardNotBusy(fn);
    const description = body.Description === undefined ? undefined : applySettings(fn.latest.settings, { Description: body.Description }).description;
    const record = this.publishFrom(fn, description);
    this.persist();
    return this.configuration(fn, record);
  }

  /** ListVersionsByFunction: `$LATEST` then the versions in order. */
  listVersions(ref: FunctionReference, marker: string | null, maxItems: string | null): Record<string, unknown> {
    const fn = this.find({ name: ref.name, qualifier: undefined });
    const all = [fn.latest, ...[...fn.versions.values()].sort((a, b) => Number(a.version) - Number(b.version))];
    const page = paginate(all, marker, maxItems);
    return { Versions: page.items.map((record) => this.configuration(fn, record, record.version)), NextMarker: page.nextMarker };
  }

  /** DeleteFunction: the whole function, or one version that no alias references. */
  deleteFunction(ref: FunctionReference): void {
    const fn = this.find({ name: ref.name, qualifier: undefined });
    const qualifier = ref.qualifier;
    if (qualifier === undefined) {
      this.functions.delete(fn.name);
      this.options.onStale(fn.name);
      this.persist();
      return;
    }
    if (qualifier === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    if (isAliasName(qualifier)) throw invalidParameter('Deletion of aliases is not currently supported.');
    // AWS answers 204 for a version that does not exist.
    if (!fn.versions.has(qualifier)) return;
    const referencing = [...fn.aliases.values()].filter((alias) => alias.functionVersion === qualifier || qualifier in alias.additionalVersionWeights).map((alias) => alias.name);
    if (referencing.length > 0) throw resourceConflict(`Unable to delete version because the following aliases reference it: [${referencing.join(', ')}]`);
    fn.versions.delete(qualifier);
    fn.eventInvokeConfigs?.delete(qualifier);
    fn.provisionedConcurrency?.delete(qualifier);
    this.options.onStale(fn.name, qualifier);
    this.persist();
  }

  // ---------------------------------------------------------------- invoke

  /**
   * Resolves an invocation: the version to run (for an alias, drawn by its weights, afresh for
   * every invocation) — refused while that version is still Pending.
   */
  invokeTarget(ref: FunctionReference, random: () => number = Math.random): InvokeTarget {
    const fn = this.find(ref);
    const qualifier = ref.qualifier;
    let aliasName: string | undefined;
    let version = qualifier ?? '$LATEST';
    if (qualifier !== undefined && isAliasName(qualifier)) {
      const alias = fn.aliases.get(qualifier);
      if (!alias) throw resourceNotFound(`Function not found: ${functionArn(this.location, fn.name, qualifier)}`);
      aliasName = alias.name;
      version = pickVersion(alias, random());
    }
    const record = this.versionOf(fn, version);
    if (record.busyKind === 'create') {
      throw resourceConflict('The operation cannot be performed at this time. The function is currently in the following state: Pending');
    }
    if (record.failure) {
      throw resourceConflict(`The operation cannot be performed at this time. The function is currently in the following state: Failed (${record.failure.code})`);
    }
    return { fn, record, aliasName, qualifier };
  }

  /**
   * Test hook: how versions of `functionName` published from now on come up (Pending for a while,
   * then Active or Failed), as SnapStart, images and Managed Instances make them on AWS.
   * `undefined` restores the default (Pending for `updateDelayMs`, then Active).
   */
  setVersionActivation(functionName: string, activation: VersionActivation | undefined): void {
    const fn = this.find({ name: functionName, qualifier: undefined });
    if (activation === undefined) delete fn.activation;
    else fn.activation = activation;
  }

  /** A fingerprint of a version's code and configuration: equal fingerprints run the same thing. */
  fingerprint(record: VersionRecord): string {
    return createHash('sha256').update(JSON.stringify({ s: record.settings, c: record.code.codeSha256 })).digest('hex').slice(0, 24);
  }

  // ---------------------------------------------------------------- helpers

  /** Aliases validate names and versions through the control plane too. */
  aliasOf(fn: FunctionRecord, name: string): AliasRecord {
    checkAliasName(name);
    const alias = fn.aliases.get(name);
    if (!alias) throw resourceNotFound(`Cannot find alias arn: ${functionArn(this.location, fn.name, name)}`);
    return alias;
  }

  private findLatestOnly(ref: FunctionReference): FunctionRecord {
    if (ref.qualifier !== undefined && ref.qualifier !== '$LATEST') {
      throw invalidParameter('Current operation does not support versions other than $LATEST. Please set the version to $LATEST or do not set a version');
    }
    return this.find(ref);
  }

  private guardRevision(record: VersionRecord, revisionId: unknown): void {
    if (revisionId !== undefined && revisionId !== record.revisionId) {
      throw preconditionFailed();
    }
  }

  private guardNotBusy(fn: FunctionRecord): void {
    const latest = fn.latest;
    if (latest.busyKind === 'create') {
      throw resourceConflict('The operation cannot be performed at this time. The function is currently in the following state: Pending');
    }
    if (latest.busyKind === 'update') {
      throw resourceConflict(`The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(this.location, fn.name)}`);
    }
  }

  private markUpdated(fn: FunctionRecord): void {
    const now = this.options.clock.now();
    fn.latest.revisionId = randomUUID();
    fn.latest.lastModified = now;
    fn.latest.busyKind = 'update';
    fn.latest.busyUntil = now + this.options.updateDelayMs;
    this.options.onStale(fn.name, '$LATEST');
  }

  private publishFrom(fn: FunctionRecord, description: string | undefined): VersionRecord {
    const source = this.fingerprint(fn.latest);
    const newest = [...fn.versions.values()].sort((a, b) => Number(b.version) - Number(a.version))[0];
    if (newest && newest.publishedFrom === source) return newest;
    const now = this.options.clock.now();
    const record: VersionRecord = {
      version: String(fn.nextVersion),
      settings: { ...fn.latest.settings, description: description ?? fn.latest.settings.description },
      code: fn.latest.code,
      revisionId: randomUUID(),
      lastModified: now,
      busyUntil: fn.inProcess ? now : now + (fn.activation?.pendingMs ?? (fn.latest.settings.snapStart === 'PublishedVersions' ? (this.options.snapStartDelayMs ?? 60_000) : this.options.updateDelayMs)),
      busyKind: fn.inProcess ? 'none' : 'create',
      publishedFrom: source,
      ...(fn.activation?.failure ? { failure: fn.activation.failure } : {}),
    };
    fn.nextVersion += 1;
    fn.versions.set(record.version, record);
    return record;
  }

  private async acquireCode(input: CodeInput, packageType: 'Zip' | 'Image'): Promise<{ code: CodeRef; imageUri: string | undefined }> {
    if (packageType === 'Image') {
      if (typeof input.ImageUri !== 'string' || input.ImageUri === '') throw invalidParameter('ImageUri must be specified for functions with packageType Image.');
      // CodeSha256 of an image function is the image's digest.
      return { code: this.options.images?.code(input.ImageUri) ?? pseudoCode(input.ImageUri), imageUri: input.ImageUri };
    }
    if (input.ImageUri !== undefined) throw invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.");
    if (typeof input.ZipFile === 'string') {
      return { code: this.options.codes.put(Buffer.from(input.ZipFile, 'base64')), imageUri: undefined };
    }
    if (typeof input.S3Bucket === 'string' && typeof input.S3Key === 'string') {
      const version = typeof input.S3ObjectVersion === 'string' ? input.S3ObjectVersion : undefined;
      let zip: Buffer;
      try {
        zip = await this.options.s3().getObject(input.S3Bucket, input.S3Key, version);
      } catch (error) {
        throw invalidParameter(s3ErrorMessage(error), { cause: error });
      }
      return { code: this.options.codes.put(zip), imageUri: undefined };
    }
    throw invalidParameter('Please provide a source for function code.');
  }
}

/** Draws the version an alias invocation runs: the additional version with its weight, else the primary. */
export function pickVersion(alias: AliasRecord, draw: number): string {
  for (const [version, weight] of Object.entries(alias.additionalVersionWeights)) {
    if (draw < weight) return version;
  }
  return alias.functionVersion;
}

function s3ErrorMessage(error: unknown): string {
  const e = error as { name?: string; Code?: string; code?: string; message?: string };
  const code = e.Code ?? e.code ?? e.name ?? '';
  if (/NoSuchBucket/.test(code) || /NoSuchBucket|bucket does not exist/i.test(e.message ?? '')) {
    return 'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist';
  }
  if (/NoSuchKey/.test(code) || /NoSuchKey|key does not exist/i.test(e.message ?? '')) {
    return 'Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.';
  }
  return `Error occurred while GetObject. ${e.message ?? String(error)}`;
}

/** CreateFunction's `Tags`: a map of at most 50 string values, keys 1–128 and values 0–256 characters, as Lambda validates them. */
function tagsOf(value: unknown): Readonly<Record<string, string>> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter('Tags must be a map of tag keys to values.');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) throw invalidParameter('A function can have at most 50 tags.');
  for (const [key, tag] of entries) {
    if (key.length < 1 || key.length > 128 || typeof tag !== 'string' || tag.length > 256) throw invalidParameter(`The tag ${JSON.stringify(key)} is not valid: keys have 1-128 characters, values 0-256.`);
  }
  return entries.length > 0 ? Object.fromEntries(entries as [string, string][]) : undefined;
}

function codeInput(code: unknown): CodeInput {
  const keys = ['ZipFile', 'S3Bucket', 'S3Key', 'S3ObjectVersion', 'ImageUri'] as const;
  return Object.fromEntries(keys.map((key) => [key, member(code, key)]));
}
