import { randomUUID } from 'node:crypto';
import type { LambdaControlPlane } from './control-plane';
import { invalidParameter, preconditionFailed, resourceConflict, validation, validationMessage } from './errors';
import { toAliasConfiguration, type AliasRecord, type FunctionRecord } from './model';
import { checkAliasName, functionArn, isVersionNumber, type FunctionReference } from './names';
import { paginate } from './paging';
import { member } from './settings';

/** The body of CreateAlias and UpdateAlias. */
export interface AliasInput {
  readonly Name?: unknown;
  readonly FunctionVersion?: unknown;
  readonly Description?: unknown;
  readonly RoutingConfig?: unknown;
  readonly RevisionId?: unknown;
}

/**
 * Alias operations of the embedded Lambda, with AWS's routing rules: at most one additional
 * version, weights in [0, 1], numbered versions only (never `$LATEST`), not the primary version
 * itself, an existing version, and the same execution role as the primary version.
 */
export class AliasOperations {
  constructor(private readonly plane: LambdaControlPlane) {}

  /** CreateAlias. */
  create(ref: FunctionReference, body: AliasInput): Record<string, unknown> {
    const name = checkAliasName(typeof body.Name === 'string' ? body.Name : undefined);
    const fn = this.unqualified(ref);
    const functionVersion = this.version(fn, body.FunctionVersion);
    const weights = this.routing(fn, functionVersion, member(body.RoutingConfig, 'AdditionalVersionWeights'));
    if (fn.aliases.has(name)) throw resourceConflict(`Alias already exists: ${functionArn(this.plane.location, fn.name, name)}`);
    const alias: AliasRecord = {
      name,
      functionVersion,
      description: description(body.Description) ?? '',
      additionalVersionWeights: weights ?? {},
      revisionId: randomUUID(),
    };
    fn.aliases.set(name, alias);
    this.plane.persist();
    return toAliasConfiguration(fn, alias, this.plane.location);
  }

  /** GetAlias. */
  get(ref: FunctionReference, name: string): Record<string, unknown> {
    const fn = this.unqualified(ref);
    return toAliasConfiguration(fn, this.plane.aliasOf(fn, name), this.plane.location);
  }

  /** UpdateAlias: every member is optional; `RoutingConfig: {}` clears the weights. */
  update(ref: FunctionReference, name: string, body: AliasInput): Record<string, unknown> {
    const fn = this.unqualified(ref);
    const alias = this.plane.aliasOf(fn, name);
    if (body.RevisionId !== undefined && body.RevisionId !== alias.revisionId) throw preconditionFailed();
    const functionVersion = body.FunctionVersion === undefined ? alias.functionVersion : this.version(fn, body.FunctionVersion);
    const weights =
      body.RoutingConfig === undefined
        ? this.routing(fn, functionVersion, alias.additionalVersionWeights)
        : this.routing(fn, functionVersion, member(body.RoutingConfig, 'AdditionalVersionWeights'));
    const newDescription = description(body.Description);
    // Applied together, after every check, so a refused update leaves the alias untouched.
    alias.functionVersion = functionVersion;
    alias.additionalVersionWeights = weights ?? {};
    if (newDescription !== undefined) alias.description = newDescription;
    alias.revisionId = randomUUID();
    this.plane.persist();
    return toAliasConfiguration(fn, alias, this.plane.location);
  }

  /** ListAliases, optionally only those pointing at one version. */
  list(ref: FunctionReference, functionVersion: string | null, marker: string | null, maxItems: string | null): Record<string, unknown> {
    const fn = this.unqualified(ref);
    const all = [...fn.aliases.values()].filter((alias) => functionVersion === null || alias.functionVersion === functionVersion).sort((a, b) => a.name.localeCompare(b.name));
    const page = paginate(all, marker, maxItems);
    return { Aliases: page.items.map((alias) => toAliasConfiguration(fn, alias, this.plane.location)), NextMarker: page.nextMarker };
  }

  /** DeleteAlias: like AWS, deleting an alias that does not exist succeeds. */
  delete(ref: FunctionReference, name: string): void {
    const fn = this.unqualified(ref);
    checkAliasName(name);
    if (!fn.aliases.delete(name)) return;
    fn.eventInvokeConfigs?.delete(name);
    fn.provisionedConcurrency?.delete(name);
    this.plane.persist();
  }

  private unqualified(ref: FunctionReference): FunctionRecord {
    return this.plane.find({ name: ref.name, qualifier: undefined });
  }

  /** A FunctionVersion member: `$LATEST` or an existing numbered version. */
  private version(fn: FunctionRecord, value: unknown): string {
    if (typeof value !== 'string' || value === '') throw validation(validationMessage(value, 'functionVersion', 'Member must not be null'));
    if (value !== '$LATEST' && !isVersionNumber(value)) {
      throw validation(validationMessage(value, 'functionVersion', 'Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)'));
    }
    this.plane.versionOf(fn, value);
    return value;
  }

  private routing(fn: FunctionRecord, primary: string, weights: unknown): Record<string, number> | undefined {
    if (weights === undefined || weights === null) return undefined;
    if (typeof weights !== 'object' || Array.isArray(weights)) {
      throw validation(validationMessage(weights, 'routingConfig.additionalVersionWeights', 'Member must be a map'));
    }
    const entries = Object.entries(weights as Record<string, unknown>);
    if (entries.length === 0) return undefined;
    if (entries.length > 1) throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
    const [version, weight] = entries[0]!;
    if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) {
      throw validation(
        validationMessage(`{${version}=${String(weight)}}`, 'routingConfig.additionalVersionWeights', 'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]'),
      );
    }
    if (version === primary) throw invalidParameter(`Invalid function version ${primary}. Function version ${primary} is already included in routing configuration.`);
    if (primary === '$LATEST') throw invalidParameter('$LATEST is not supported for an alias pointing to more than 1 version');
    if (!isVersionNumber(version)) {
      throw validation(
        validationMessage(`{${version}=${weight}}`, 'routingConfig.additionalVersionWeights', 'Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]'),
      );
    }
    const additional = this.plane.versionOf(fn, version);
    const main = this.plane.versionOf(fn, primary);
    if (additional.settings.role !== main.settings.role) throw invalidParameter('Specified versions must be associated with the same execution role');
    if ((additional.settings.deadLetterTargetArn ?? '') !== (main.settings.deadLetterTargetArn ?? '')) {
      throw invalidParameter('Specified versions must be associated with the same dead-letter queue configuration');
    }
    return { [version]: weight };
  }
}

function description(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  if (text.length > 256) throw validation(validationMessage(text, 'description', 'Member must have length less than or equal to 256'));
  return text;
}
