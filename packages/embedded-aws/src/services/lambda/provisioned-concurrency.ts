import { invalidParameter, LambdaApiError, resourceConflict, resourceNotFound, validation, validationMessage } from './errors';
import type { LambdaControlPlane } from './control-plane';
import { lastModifiedText, type AliasRecord, type FunctionRecord, type ProvisionedConcurrencyActivation, type ProvisionedConcurrencyRecord } from './model';
import { functionArn, isAliasName, isVersionNumber, type FunctionReference } from './names';
import { paginate } from './paging';

/** The account's concurrency, as GetAccountSettings reports it on a fresh account. */
export interface AccountConcurrency {
  /** ConcurrentExecutions: the Region's quota (AWS's default 1,000). */
  readonly limit: number;
  /** What must stay unreserved for functions without reserved concurrency (AWS: 100 on a default account). */
  readonly minimumUnreserved: number;
}

/** How one invocation ran, for the provisioned concurrency metrics; undefined when no PC is in play. */
export type ProvisionedUse = 'provisioned' | 'spillover' | undefined;

/** 404: the qualifier has no provisioned concurrency configuration (Get). */
const configNotFound = (): LambdaApiError =>
  new LambdaApiError('ProvisionedConcurrencyConfigNotFoundException', 404, 'No Provisioned Concurrency Config found for this function', { Type: 'User', Message: 'No Provisioned Concurrency Config found for this function' });

// terraform-provider-aws#24957 (hashicorp/terraform#24957) quotes this message; the Lambda developer
// guide: "you can't manage provisioned concurrency settings on the alias while the routing configuration is in place".
const WEIGHTED_ALIAS = 'Alias with weights can not be used with Provisioned Concurrency';

/**
 * Provisioned concurrency (Put/Get/Delete/ListProvisionedConcurrencyConfigs) with the rules of the
 * Lambda developer guide ("Configuring provisioned concurrency"):
 * - on a published version or an alias, never on `$LATEST` (InvalidParameterValueException);
 * - each version has at most one configuration, on the version itself or on one alias that points
 *   to it (a second one: ResourceConflictException);
 * - an alias's configuration cannot be put or deleted while the alias has a routing configuration;
 *   an alias that has PC may get weights, and Lambda then splits the alias's PC between its two
 *   versions: a version that had no share is cold until the split is allocated again;
 * - the allocation is IN_PROGRESS for a while, then READY (or FAILED, a test's activation);
 * - PC counts against the account's concurrency, which must keep `minimumUnreserved` unreserved.
 */
export class ProvisionedConcurrencyOperations {
  constructor(
    private readonly plane: LambdaControlPlane,
    private readonly settings: { readonly delayMs: number; readonly account: AccountConcurrency },
  ) {}

  /** PutProvisionedConcurrencyConfig (202). */
  put(ref: FunctionReference, body: Record<string, unknown>): Record<string, unknown> {
    const { fn, qualifier } = this.target(ref);
    const requested = body.ProvisionedConcurrentExecutions;
    if (typeof requested !== 'number' || !Number.isInteger(requested)) throw validation(validationMessage(requested, 'provisionedConcurrentExecutions', 'Member must not be null'));
    if (requested < 1) throw validation(validationMessage(requested, 'provisionedConcurrentExecutions', 'Member must have value greater than or equal to 1'));
    const alias = isAliasName(qualifier) ? this.plane.aliasOf(fn, qualifier) : undefined;
    if (alias && Object.values(alias.additionalVersionWeights).some((w) => w > 0)) throw invalidParameter(WEIGHTED_ALIAS);
    this.guardOneConfigPerVersion(fn, qualifier, alias);
    const others = this.allocatedElsewhere(fn.name, qualifier);
    const unreserved = this.settings.account.limit - others - requested;
    if (unreserved < this.settings.account.minimumUnreserved) {
      throw invalidParameter(`Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${this.settings.account.minimumUnreserved}].`);
    }
    const now = this.plane.now();
    const activation: ProvisionedConcurrencyActivation = fn.provisionedConcurrencyActivation ?? { readyMs: this.settings.delayMs };
    const before = fn.provisionedConcurrency?.get(qualifier);
    const warm = before ? Math.min(requested, this.allocated(fn, qualifier, before)) : 0;
    const record: ProvisionedConcurrencyRecord = {
      requested,
      ...(warm > 0 && !alias ? { warm } : {}),
      lastModified: now,
      readyAt: activation.readyMs === null ? null : now + activation.readyMs,
      ...(activation.failure === undefined ? {} : { failure: activation.failure }),
      ...(alias ? { routing: routingKey(alias), warmVersions: [] } : {}),
    };
    (fn.provisionedConcurrency ??= new Map()).set(qualifier, record);
    this.plane.persist();
    return this.render(fn, qualifier, record, false);
  }

  /** GetProvisionedConcurrencyConfig. */
  get(ref: FunctionReference): Record<string, unknown> {
    const { fn, qualifier } = this.target(ref);
    const record = fn.provisionedConcurrency?.get(qualifier);
    if (!record) throw configNotFound();
    return this.render(fn, qualifier, record, false);
  }

  /** DeleteProvisionedConcurrencyConfig (204). */
  delete(ref: FunctionReference): void {
    const { fn, qualifier } = this.target(ref);
    if (!fn.provisionedConcurrency?.has(qualifier)) throw resourceNotFound('No Provisioned Concurrency Config found for this function');
    const alias = isAliasName(qualifier) ? fn.aliases.get(qualifier) : undefined;
    if (alias && Object.values(alias.additionalVersionWeights).some((w) => w > 0)) throw invalidParameter(WEIGHTED_ALIAS);
    fn.provisionedConcurrency.delete(qualifier);
    this.plane.persist();
  }

  /** ListProvisionedConcurrencyConfigs (`?List=ALL`). */
  list(ref: FunctionReference, marker: string | null, maxItems: string | null): Record<string, unknown> {
    const fn = this.plane.find({ name: ref.name, qualifier: undefined });
    const all = [...(fn.provisionedConcurrency ?? new Map<string, ProvisionedConcurrencyRecord>())].sort(([a], [b]) => a.localeCompare(b));
    const page = paginate(all, marker, maxItems);
    return { ProvisionedConcurrencyConfigs: page.items.map(([qualifier, record]) => this.render(fn, qualifier, record, true)), NextMarker: page.nextMarker };
  }

  /**
   * Whether an invocation of `version` (through `aliasName`, if any) runs on provisioned
   * concurrency, spills over to on-demand instances, or has no PC in play. Through an alias, PC is
   * in play when the alias or any version it routes to has a configuration: then a version without
   * READY PC of its own (or a warm share of the alias's) is spillover. `inFlight` is how many
   * invocations of that version already run.
   */
  use(fn: FunctionRecord, aliasName: string | undefined, version: string, inFlight: number): ProvisionedUse {
    const configs = fn.provisionedConcurrency;
    if (!configs || configs.size === 0) return undefined;
    const alias = aliasName === undefined ? undefined : fn.aliases.get(aliasName);
    const own = configs.get(version);
    const ownReady = own !== undefined ? this.allocated(fn, version, own) : 0;
    if (alias) {
      const aliasConfig = configs.get(alias.name);
      const routed = [alias.functionVersion, ...Object.keys(alias.additionalVersionWeights)];
      if (!aliasConfig && !routed.some((v) => configs.has(v))) return undefined;
      const share = aliasConfig ? this.warmShare(fn, alias, aliasConfig, version) : 0;
      return inFlight < ownReady + share ? 'provisioned' : 'spillover';
    }
    if (!own) return undefined;
    return inFlight < ownReady ? 'provisioned' : 'spillover';
  }

  /** A test hook: how provisioned concurrency put on `functionName` from now on comes up; `undefined` restores the default. */
  setActivation(functionName: string, activation: ProvisionedConcurrencyActivation | undefined): void {
    const fn = this.plane.find({ name: functionName, qualifier: undefined });
    if (activation === undefined) delete fn.provisionedConcurrencyActivation;
    else fn.provisionedConcurrencyActivation = activation;
  }

  private target(ref: FunctionReference): { fn: FunctionRecord; qualifier: string } {
    const qualifier = ref.qualifier;
    if (qualifier === undefined || qualifier === '') throw validation(validationMessage(qualifier, 'qualifier', 'Member must not be null'));
    const fn = this.plane.find({ name: ref.name, qualifier: undefined });
    if (qualifier === '$LATEST') throw invalidParameter('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
    if (isVersionNumber(qualifier)) this.plane.versionOf(fn, qualifier);
    else this.plane.aliasOf(fn, qualifier);
    return { fn, qualifier };
  }

  /** Each version has one configuration at most: on itself, or on one alias that points to it. */
  private guardOneConfigPerVersion(fn: FunctionRecord, qualifier: string, alias: AliasRecord | undefined): void {
    const configs = fn.provisionedConcurrency;
    if (!configs) return;
    const versions = alias ? [alias.functionVersion] : [qualifier];
    for (const version of versions) {
      if (alias && configs.has(version)) throw resourceConflict(`Version ${version} already has a provisioned concurrency configuration; alias ${alias.name} cannot allocate provisioned concurrency for it.`);
      for (const other of fn.aliases.values()) {
        if (other.name === qualifier || !configs.has(other.name)) continue;
        if (other.functionVersion === version || version in other.additionalVersionWeights) {
          throw resourceConflict(`Alias ${other.name} already allocates provisioned concurrency for version ${version}.`);
        }
      }
    }
  }

  /** Provisioned concurrency requested by every configuration of the account but `qualifier`'s of `functionName`. */
  private allocatedElsewhere(functionName: string, qualifier: string): number {
    let total = 0;
    for (const fn of this.plane.functions.values()) {
      for (const [q, record] of fn.provisionedConcurrency ?? []) if (!(fn.name === functionName && q === qualifier)) total += record.requested;
    }
    return total;
  }

  /** The allocation's status now; an alias's configuration is reallocated when its routing changed. */
  private status(fn: FunctionRecord, qualifier: string, record: ProvisionedConcurrencyRecord): 'IN_PROGRESS' | 'READY' | 'FAILED' {
    const now = this.plane.now();
    const alias = isAliasName(qualifier) ? fn.aliases.get(qualifier) : undefined;
    if (alias && record.routing !== routingKey(alias)) {
      // Lambda moves the alias's PC to the versions it now routes to: the ones without a share are cold meanwhile.
      const wasReady = record.readyAt !== null && now >= record.readyAt && record.failure === undefined;
      if (wasReady) record.warmVersions = warmSet(record.requested, JSON.parse(record.routing ?? '{}') as RoutingShape);
      record.routing = routingKey(alias);
      if (record.readyAt !== null) record.readyAt = now + (fn.provisionedConcurrencyActivation?.readyMs ?? this.settings.delayMs);
      this.plane.persist();
    }
    if (record.readyAt !== null && now >= record.readyAt) return record.failure === undefined ? 'READY' : 'FAILED';
    return 'IN_PROGRESS';
  }

  /** The part of an alias's PC that serves `version` now: its share by weight once READY, or while reallocating a share it already had. */
  private warmShare(fn: FunctionRecord, alias: AliasRecord, record: ProvisionedConcurrencyRecord, version: string): number {
    const status = this.status(fn, alias.name, record);
    const share = shareOf(alias, record.requested, version);
    if (status === 'READY') return share;
    if (status === 'IN_PROGRESS' && (record.warmVersions ?? []).includes(version)) return share;
    return 0;
  }

  /** What is allocated now: all of it once READY; while a changed amount is IN_PROGRESS, what was READY before. */
  private allocated(fn: FunctionRecord, qualifier: string, record: ProvisionedConcurrencyRecord): number {
    const status = this.status(fn, qualifier, record);
    return status === 'READY' ? record.requested : status === 'IN_PROGRESS' ? (record.warm ?? 0) : 0;
  }

  private render(fn: FunctionRecord, qualifier: string, record: ProvisionedConcurrencyRecord, withArn: boolean): Record<string, unknown> {
    const status = this.status(fn, qualifier, record);
    const allocated = this.allocated(fn, qualifier, record);
    return {
      ...(withArn ? { FunctionArn: functionArn(this.plane.location, fn.name, qualifier) } : {}),
      RequestedProvisionedConcurrentExecutions: record.requested,
      AllocatedProvisionedConcurrentExecutions: allocated,
      AvailableProvisionedConcurrentExecutions: allocated,
      Status: status,
      ...(status === 'FAILED' ? { StatusReason: record.failure } : {}),
      LastModified: lastModifiedText(record.lastModified),
    };
  }
}

interface RoutingShape {
  readonly v?: string;
  readonly w?: Record<string, number>;
}

function routingKey(alias: AliasRecord): string {
  return JSON.stringify({ v: alias.functionVersion, w: alias.additionalVersionWeights });
}

/** A version's share of an alias's PC, split by weight (at least one instance for a version with weight). */
function shareOf(alias: { readonly functionVersion: string; readonly additionalVersionWeights: Record<string, number> }, requested: number, version: string): number {
  const extra = Object.values(alias.additionalVersionWeights).reduce((sum, w) => sum + w, 0);
  const weight = version === alias.functionVersion ? 1 - extra : (alias.additionalVersionWeights[version] ?? 0);
  if (weight <= 0) return 0;
  return Math.max(1, Math.round(requested * weight));
}

/** The versions that held a share of the alias's PC under a former routing. */
function warmSet(requested: number, former: RoutingShape): string[] {
  if (former.v === undefined) return [];
  const routing = { functionVersion: former.v, additionalVersionWeights: former.w ?? {} };
  return [former.v, ...Object.keys(routing.additionalVersionWeights)].filter((v) => shareOf(routing, requested, v) > 0);
}
