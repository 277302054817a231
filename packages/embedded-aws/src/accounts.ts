import type { IncomingMessage } from 'node:http';

/** The account every request belongs to unless its access key says otherwise. */
export const DEFAULT_ACCOUNT_ID = '000000000000';

/**
 * Prefix of the temporary access keys the embedded STS issues. The key carries its account
 * (`ASIA` + 12 digits + 4 random characters, 20 in all as AWS's are), so the edge can tell a
 * request's account from its key alone, without state, and across restarts.
 */
const TEMPORARY_KEY = /^ASIA(\d{12})[A-Z0-9]{4}$/;

/** A temporary access key of `accountId`. */
export function temporaryAccessKey(accountId: string, random: string): string {
  return `ASIA${accountId}${random.slice(0, 4).toUpperCase().padEnd(4, 'X')}`;
}

/** The account an access key belongs to: the one a key of the embedded STS was issued for, else `defaultAccount`. */
export function accountOfAccessKey(accessKeyId: string | undefined, defaultAccount: string): string {
  const match = accessKeyId === undefined ? null : TEMPORARY_KEY.exec(accessKeyId);
  return match?.[1] ?? defaultAccount;
}

/** What a SigV4 credential scope says about a request: its access key and region (undefined when unsigned). */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly region: string;
}

/**
 * The access key and region of a request's SigV4 credential scope
 * (`Credential=AKID/20260101/eu-west-1/lambda/aws4_request`, or a presigned URL's `X-Amz-Credential`).
 */
export function credentialScopeOf(request: IncomingMessage): CredentialScope | undefined {
  const authorization = request.headers.authorization;
  const fromHeader = typeof authorization === 'string' ? /Credential=([^/]+)\/\d{8}\/([^/]+)\/[^/]+\/aws4_request/.exec(authorization) : null;
  const match = fromHeader ?? /^([^/]+)\/\d{8}\/([^/]+)\/[^/]+\/aws4_request$/.exec(new URL(request.url ?? '/', 'http://localhost').searchParams.get('X-Amz-Credential') ?? '');
  if (!match?.[1] || !match[2]) return undefined;
  return { accessKeyId: match[1], region: match[2] };
}
