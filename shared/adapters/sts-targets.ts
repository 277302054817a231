import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { TargetAccessDeniedError } from '../model/engine-errors';
import type { TargetSpec } from '../model/spec';
import type { TargetAccess, TargetPorts } from '../ports/targets';
import { isTransient, sdkError, translate } from './aws-errors';

/** Temporary credentials as the SDK's clients take them. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** A credentials provider: the SDK calls it again when the credentials it returned are about to expire. */
export type CredentialsProvider = () => Promise<TemporaryCredentials>;

/** Builds the ports of one target from its region and a provider of its credentials (the composition root's factory). */
export type TargetPortsBuilder = (region: string, credentials: CredentialsProvider) => TargetPorts;

/** The role session name fledge's calls appear under in the target's CloudTrail. */
const SESSION_NAME = 'fledge';

/**
 * {@link TargetAccess} over STS `AssumeRole`: one set of ports per target (role, external id,
 * region), whose clients get their credentials from assuming the role; the SDK asks again shortly
 * before they expire, so a week-long deployment keeps working.
 */
export class StsTargetAccess implements TargetAccess {
  private readonly built = new Map<string, TargetPorts>();

  constructor(
    private readonly sts: STSClient,
    private readonly build?: TargetPortsBuilder,
  ) {}

  async verify(target: TargetSpec): Promise<void> {
    await this.assume(target);
  }

  portsFor(target: TargetSpec): TargetPorts {
    const key = `${target.roleArn}\u0000${target.externalId ?? ''}\u0000${target.region}`;
    let ports = this.built.get(key);
    if (ports === undefined) {
      if (this.build === undefined) throw new Error('StsTargetAccess: built without ports (credentials only)');
      ports = this.build(target.region, () => this.assume(target));
      this.built.set(key, ports);
    }
    return ports;
  }

  /** A provider of the target's credentials, for clients of the target's account and region (the SDK memoises it until they near expiry). */
  credentialsFor(target: TargetSpec): CredentialsProvider {
    return () => this.assume(target);
  }

  private async assume(target: TargetSpec): Promise<TemporaryCredentials> {
    try {
      const answer = await this.sts.send(new AssumeRoleCommand({ RoleArn: target.roleArn, RoleSessionName: SESSION_NAME, ...(target.externalId !== undefined && { ExternalId: target.externalId }) }));
      const c = answer.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey) throw new TargetAccessDeniedError(`target ${target.id}: STS returned no credentials for ${target.roleArn}`);
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, ...(c.SessionToken !== undefined && { sessionToken: c.SessionToken }), ...(c.Expiration !== undefined && { expiration: c.Expiration }) };
    } catch (error) {
      if (error instanceof TargetAccessDeniedError || isTransient(error)) throw translate(error, `assume role ${target.roleArn} for target ${target.id}`);
      const e = sdkError(error);
      throw new TargetAccessDeniedError(
        `target ${target.id} (account ${target.accountId}, ${target.region}): fledge cannot assume ${target.roleArn}${target.externalId === undefined ? '' : ' with the spec\'s external id'}: ${e.name}: ${e.message}`,
        { cause: error },
      );
    }
  }
}
