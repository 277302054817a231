/**
 * A role the embedded STS lets callers assume: what a role's trust policy says, reduced to the two
 * conditions fledge's cross-account access depends on — which accounts may assume it, and the
 * external id they must present (`sts:ExternalId`).
 */
export interface RoleDefinition {
  /** `arn:aws:iam::<account>:role/<path/>name`: the account it gives credentials for. */
  readonly roleArn: string;
  /** Accounts whose callers the trust policy allows (`Principal: {AWS: arn:aws:iam::<account>:root}`). */
  readonly trustedAccounts: readonly string[];
  /** When set, AssumeRole must present exactly this `ExternalId` (`Condition: StringEquals sts:ExternalId`). */
  readonly externalId?: string;
  /** The role's maximum session, seconds (900–43200); default 3600. */
  readonly maxSessionSeconds?: number;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

/** The account and name of a role ARN; undefined when it is not one. */
export function parseRoleArn(arn: string): { readonly accountId: string; readonly name: string } | undefined {
  const match = ROLE_ARN.exec(arn);
  return match?.[1] && match[2] ? { accountId: match[1], name: match[2] } : undefined;
}

/** The roles the embedded STS knows, by ARN. */
export class RoleStore {
  private readonly roles = new Map<string, RoleDefinition>();

  constructor(initial: readonly RoleDefinition[] = []) {
    for (const role of initial) this.put(role);
  }

  /** Adds or replaces a role. @throws {RangeError} when the ARN is not a role's. */
  put(role: RoleDefinition): void {
    if (!parseRoleArn(role.roleArn)) throw new RangeError(`sts: '${role.roleArn}' is not a role ARN (arn:aws:iam::<12 digits>:role/<name>)`);
    this.roles.set(role.roleArn, role);
  }

  /** Removes a role (the target account deleted it). */
  delete(roleArn: string): void {
    this.roles.delete(roleArn);
  }

  get(roleArn: string): RoleDefinition | undefined {
    return this.roles.get(roleArn);
  }

  list(): readonly RoleDefinition[] {
    return [...this.roles.values()];
  }
}
