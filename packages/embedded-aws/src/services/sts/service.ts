import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { accountOfAccessKey, credentialScopeOf, temporaryAccessKey } from '../../accounts';
import type { AwsService, LocalContext } from '../../types';
import type { QueryParams, XmlValue } from '../sns/wire';
import { QueryApiError, queryHandler, type QueryOperations } from '../query-service';
import { parseRoleArn, RoleStore, type RoleDefinition } from './roles';

const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

const validation = (message: string) => new QueryApiError('ValidationError', 400, message);

/** The embedded STS as tests and embedders see it: the roles it lets callers assume. */
export interface StsService extends AwsService {
  /** Adds or replaces a role (what creating it, with its trust policy, in the target account does). */
  putRole(role: RoleDefinition): void;
  /** Deletes a role: assuming it is denied from then on. */
  deleteRole(roleArn: string): void;
}

/** Who a temporary key was issued to, for GetCallerIdentity (in memory: the key itself carries the account). */
interface Session {
  readonly arn: string;
  readonly userId: string;
}

/**
 * The embedded STS (awsQuery, signing name `sts`): `AssumeRole` against the roles of
 * `LocalAwsOptions.sts.roles` (or {@link StsService.putRole}) — the caller's account must be trusted
 * and the `ExternalId` must match, else `AccessDenied` (403) as AWS answers — returning temporary
 * credentials of the role's account, which the edge then routes to that account's partition; and
 * `GetCallerIdentity`. The secret and session token are not checked (the embedded AWS has no authentication).
 */
export function createStsService(context: LocalContext): StsService {
  const roles = new RoleStore(context.options.sts?.roles ?? []);
  const sessions = new Map<string, Session>();

  const callerOf = (request: IncomingMessage): { accountId: string; arn: string; userId: string } => {
    const accessKeyId = credentialScopeOf(request)?.accessKeyId;
    const accountId = accountOfAccessKey(accessKeyId, context.accountId);
    const session = accessKeyId === undefined ? undefined : sessions.get(accessKeyId);
    return { accountId, arn: session?.arn ?? `arn:aws:iam::${accountId}:root`, userId: session?.userId ?? accountId };
  };

  const assumeRole = (request: IncomingMessage, params: QueryParams): XmlValue => {
    const roleArn = params.get('RoleArn') ?? '';
    const sessionName = params.get('RoleSessionName') ?? '';
    const externalId = params.get('ExternalId');
    const durationText = params.get('DurationSeconds');
    if (roleArn.length < 20 || roleArn.length > 2048) throw validation(`1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048`);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw validation(`1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`);
    if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) throw validation(`1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224`);
    const duration = durationText === undefined ? 3600 : Number(durationText);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) throw validation(`1 validation error detected: Value '${durationText ?? ''}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
    const caller = callerOf(request);
    const role = roles.get(roleArn);
    const parsed = parseRoleArn(roleArn);
    // AWS answers one message whatever failed (no such role, an untrusted caller, a wrong external id): it tells nothing about the role.
    if (!role || !parsed || !role.trustedAccounts.includes(caller.accountId) || (role.externalId !== undefined && role.externalId !== externalId)) {
      throw new QueryApiError('AccessDenied', 403, `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    if (duration > (role.maxSessionSeconds ?? 3600)) throw validation(`The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`);
    const accessKeyId = temporaryAccessKey(parsed.accountId, randomBytes(4).toString('hex'));
    const roleId = `AROA${randomBytes(8).toString('hex').toUpperCase()}`;
    const arn = `arn:aws:sts::${parsed.accountId}:assumed-role/${parsed.name}/${sessionName}`;
    sessions.set(accessKeyId, { arn, userId: `${roleId}:${sessionName}` });
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: randomBytes(30).toString('base64'),
        SessionToken: randomBytes(48).toString('base64'),
        Expiration: new Date(context.clock.now() + duration * 1000).toISOString(),
      },
      AssumedRoleUser: { AssumedRoleId: `${roleId}:${sessionName}`, Arn: arn },
    };
  };

  const operations: QueryOperations = {
    AssumeRole: assumeRole,
    GetCallerIdentity: (request) => {
      const caller = callerOf(request);
      return { Arn: caller.arn, UserId: caller.userId, Account: caller.accountId };
    },
  };

  return {
    signingName: 'sts',
    putRole: (role) => roles.put(role),
    deleteRole: (roleArn) => roles.delete(roleArn),
    handle: queryHandler(context, { faultName: 'sts', xmlns: STS_XMLNS, describe: ['STS', '2011-06-15'], operations }),
    inspect(path: string) {
      if (path === 'roles') return { roles: roles.list().map(({ externalId, ...role }) => ({ ...role, externalIdRequired: externalId !== undefined })) };
      return undefined;
    },
  };
}

