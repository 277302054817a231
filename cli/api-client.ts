import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { SignatureV4 } from '@smithy/signature-v4';
import type { Command } from 'commander';
import type { LocalDiscovery } from '../local/discovery';
import { readConfig } from './config';
import { globals, type OutputFormat } from './globals';
import { UsageError } from './program';

/** Where the CLI's API calls go, and how the artifacts bucket is reached. */
export interface ApiTarget {
  readonly apiUrl: string;
  readonly region: string;
  /** Running local mode, when `--local`. */
  readonly local?: LocalDiscovery;
  /** The artifacts bucket (`--bucket`, `FLEDGE_ARTIFACTS_BUCKET`, `fledge configure`, or local mode's). */
  readonly bucket?: string;
}

/** Options every API command takes (`--output` and `--region` are global: cli/program.ts). */
export interface ApiOptions {
  endpoint?: string;
  local?: boolean;
  region?: string;
  bucket?: string;
  output: OutputFormat;
}

/** Adds `--endpoint` and `--local` to a command: `--endpoint` always means fledge's API. */
export function withApiOptions(command: Command): Command {
  return command
    .option('--endpoint <url>', "fledge's API base URL (default: $FLEDGE_API_URL, then `fledge configure`)")
    .option('--local', 'talk to the running `fledge local` of this project (.fledge/local.json)');
}

/**
 * The flags that point a command at the same fledge as this one (`--local`, `--endpoint …`,
 * `--profile …`, `--region …` as the user gave them), for the commands fledge suggests.
 */
export function sameTargetFlags(options: Pick<ApiOptions, 'endpoint' | 'local'>): string {
  const { profile, region } = globals();
  const quote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);
  return [
    ...(options.local ? ['--local'] : []),
    ...(options.endpoint ? ['--endpoint', quote(options.endpoint)] : []),
    ...(profile ? ['--profile', quote(profile)] : []),
    ...(region ? ['--region', quote(region)] : []),
  ]
    .map((part) => ` ${part}`)
    .join('');
}

/** No AWS credentials could be found: says where fledge looked and what to do. */
export class NoCredentialsError extends UsageError {
  constructor(cause: unknown) {
    const profile = process.env['AWS_PROFILE'];
    super(
      `no AWS credentials found${profile ? ` for profile "${profile}"` : ''}: fledge signs its calls with the standard AWS chain. ` +
        'Run `aws configure` (or `aws sso login --profile <name>`), then pass --profile <name> or set AWS_PROFILE; or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or use --local for the local mode',
      { cause },
    );
  }
}

/**
 * The region of an AWS profile in the shared config file (`$AWS_CONFIG_FILE`, else `~/.aws/config`):
 * `[default]` or `[profile name]`, key `region`.
 */
export async function profileRegion(profile: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(env['AWS_CONFIG_FILE'] || join(homedir(), '.aws', 'config'), 'utf8');
  } catch {
    return undefined;
  }
  const wanted = profile === 'default' ? ['default', 'profile default'] : [`profile ${profile}`];
  let inside = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const section = /^\[\s*(.+?)\s*\]$/.exec(line);
    if (section) inside = wanted.includes(section[1]!.replace(/\s+/g, ' '));
    else if (inside) {
      const setting = /^region\s*=\s*(\S+)$/.exec(line);
      if (setting) return setting[1];
    }
  }
  return undefined;
}

/**
 * Resolves the API target. `--local` reads the discovery file `fledge local` writes
 * (`.fledge/local.json`, or `$FLEDGE_DIR/local.json`); otherwise `--endpoint`, `$FLEDGE_API_URL`
 * or the `api` of `fledge configure`. The region: `--region`, `$AWS_REGION`, the profile's region
 * (`--profile`, `$AWS_PROFILE`, or the configured one), the configured region, the API's host name.
 */
export async function resolveTarget(options: Pick<ApiOptions, 'endpoint' | 'local' | 'region' | 'bucket'>): Promise<ApiTarget> {
  if (options.local && options.endpoint) throw new UsageError('--local and --endpoint exclude each other');
  if (options.local) {
    // Local mode's code is loaded only by the commands that use it (a chunk of its own in the bundle).
    const { findLocalMode } = await import('../local/discovery');
    const local = await findLocalMode();
    return { apiUrl: local.apiUrl, region: options.region ?? local.region, local, bucket: options.bucket ?? local.bucket };
  }
  const config = await readConfig();
  if (config.profile && !process.env['AWS_PROFILE']) process.env['AWS_PROFILE'] = config.profile;
  const apiUrl = options.endpoint ?? (process.env['FLEDGE_API_URL'] || undefined) ?? config.api;
  if (!apiUrl) throw new UsageError("no fledge API to talk to: pass --endpoint <url> (the stack's HttpApiUrl output), set FLEDGE_API_URL, run `fledge configure --api <url> --bucket <name>` once, or use --local");
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new UsageError(`--endpoint must be a URL such as https://abc123.execute-api.eu-west-1.amazonaws.com, got "${apiUrl}"`);
  }
  const region = (await awsRegion(options.region, config.region)) ?? /execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
  if (!region) throw new UsageError('no AWS region: pass --region, set AWS_REGION, give the profile a region (aws configure), or run `fledge configure --region <region>`');
  const bucket = options.bucket ?? (process.env['FLEDGE_ARTIFACTS_BUCKET'] || undefined) ?? config.bucket;
  return { apiUrl: apiUrl.replace(/\/+$/, ''), region, ...(bucket ? { bucket } : {}) };
}

/**
 * The AWS region as every command finds it: `given` (`--region`), `$AWS_REGION` or
 * `$AWS_DEFAULT_REGION`, the profile's region in the shared config file, then `configured` (the
 * region of `fledge configure`).
 */
export async function awsRegion(given: string | undefined, configured: string | undefined): Promise<string | undefined> {
  const profile = process.env['AWS_PROFILE'] || process.env['AWS_DEFAULT_PROFILE'] || 'default';
  return given ?? (process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION'] || undefined) ?? (await profileRegion(profile)) ?? configured;
}

/** Placeholder credentials for an emulator (local mode's embedded AWS), which takes any. */
export const EMULATOR_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * Credentials for an explicit AWS endpoint (`--aws-endpoint`), usually an emulator where any will
 * do: the standard chain when the environment names credentials or a profile, else placeholders.
 */
export function endpointCredentials(): (() => Promise<AwsCredentialIdentity>) | AwsCredentialIdentity {
  return process.env['AWS_ACCESS_KEY_ID'] || process.env['AWS_PROFILE'] ? awsCredentials() : EMULATOR_CREDENTIALS;
}

/** The standard AWS credential chain, loaded on first use; its "nothing found" becomes {@link NoCredentialsError}. */
export function awsCredentials(): () => Promise<AwsCredentialIdentity> {
  let provider: (() => Promise<AwsCredentialIdentity>) | undefined;
  return async () => {
    provider ??= (await import('@aws-sdk/credential-provider-node')).defaultProvider();
    try {
      return await provider();
    } catch (error) {
      if ((error as Error).name === 'CredentialsProviderError') throw new NoCredentialsError(error);
      throw error;
    }
  };
}

/** The API answered with an error (`{error: {code, message, details}}`). */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** The API's own word on whether sending the request again is right (on 503s). */
    readonly retryable?: boolean,
  ) {
    super(message);
  }
}

/** The API could not be reached at all (connection refused, reset, timed out). */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
}

const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 3;

/** SHA-256 for the signer, from node:crypto (the `Checksum` shape @smithy/signature-v4 expects). */
class Sha256 {
  private hash;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret === undefined || typeof secret === 'string' ? secret : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret);
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
}

/**
 * Calls fledge's API with SigV4-signed requests (service `execute-api`), credentials from the
 * standard AWS chain — API Gateway's IAM authoriser then knows who is calling, and fledge
 * records that principal. Local mode checks no signature; requests are signed all the same.
 */
export class ApiClient {
  private readonly signer: Promise<SignatureV4>;

  constructor(readonly target: ApiTarget) {
    const credentials = target.local ? async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }) : awsCredentials();
    // The signer is loaded with the first request: commands that call no API never load it.
    this.signer = import('@smithy/signature-v4').then(({ SignatureV4 }) => new SignatureV4({ service: 'execute-api', region: target.region, credentials, sha256: Sha256 }));
  }

  /**
   * Sends a request; returns the parsed JSON body, or throws {@link ApiRequestError}. Throttling,
   * 502/503/504 and dropped connections are retried (3 attempts, growing pauses): every fledge
   * route is safe to repeat — reads, conditional controls, and starts carry an Idempotency-Key.
   */
  async request<T = Record<string, unknown>>(method: string, path: string, options: { json?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.once<T>(method, path, options);
      } catch (error) {
        // A 503 the API marks `retryable: false` (a start it could not confirm) must not be sent again.
        const retryable = error instanceof ApiRequestError ? RETRYABLE.has(error.status) && error.retryable !== false : error instanceof ApiUnreachableError;
        if (!retryable || attempt >= MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1) * (0.5 + Math.random())));
      }
    }
  }

  private async once<T>(method: string, path: string, options: { json?: unknown; headers?: Record<string, string> }): Promise<T> {
    const url = new URL(`${this.target.apiUrl}${path}`);
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    // Signed afresh per attempt: the signature carries the time.
    const signed = await (await this.signer).sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { host: url.host, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      ...(body !== undefined ? { body } : {}),
    });
    let response: Response;
    try {
      response = await fetch(url, { method, headers: signed.headers as Record<string, string>, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new ApiUnreachableError(`cannot reach fledge's API at ${this.target.apiUrl}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`, { cause: error });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new ApiRequestError(response.status, 'NotJson', `fledge's API answered ${response.status} with a body that is not JSON (is ${this.target.apiUrl} fledge's API?)`);
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: unknown; retryable?: unknown }; message?: string }).error;
      // API Gateway's own refusals (e.g. a missing IAM permission) are {message} only.
      const message = error?.message ?? (parsed as { message?: string }).message ?? `HTTP ${response.status}`;
      throw new ApiRequestError(response.status, error?.code ?? `Http${response.status}`, message, error?.details, typeof error?.retryable === 'boolean' ? error.retryable : undefined);
    }
    return parsed as T;
  }
}
