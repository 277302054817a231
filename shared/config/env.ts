import { ConfigurationError } from '../model/engine-errors';
import { STAGE_NAME } from '../domain/deployment/version-alarm';
import { parseKindFilter } from '../model/notification';

/** The stage when `FLEDGE_STAGE` is not set: serverless.yml's default stage. */
export const DEFAULT_STAGE = 'dev';

/** One environment variable: its name, and what a value must be (undefined: any non-empty text). */
interface Variable {
  readonly name: string;
  /** What a good value is, for the error message (`an sns ARN`). */
  readonly is?: string;
  readonly accepts?: (value: string) => boolean;
}

const arnOf = (service: string): Variable['accepts'] => (value) => new RegExp(`^arn:aws[\\w-]*:${service}:`).test(value);
/** A parameter name, or Parameter Store's path to a Secrets Manager secret (`/aws/reference/secretsmanager/…`). */
const parameterName = (value: string): boolean => /^[\w.\-/]{1,2048}$/.test(value);

/**
 * Every environment variable fledge's functions read, in one schema: its name and what a value
 * must be. Read and checked once per cold start by {@link requireConfig}; each function asks for
 * the slice it needs (the composition root's port factories say which), and a missing or
 * malformed variable fails its first invocation naming the variable and what is wrong.
 * serverless.yml sets them: `provider.environment` for every function, the rest per function
 * (functions/engine-functions.ts for the engine's, serverless/functions.yml for the others).
 */
export const ENVIRONMENT = {
  /** AWS region of the control plane (set by Lambda). */
  region: { name: 'AWS_REGION' },
  /** The deployments table. */
  tableName: { name: 'FLEDGE_TABLE_NAME' },
  /** SNS topic for rollback, drift, refusal and failure notifications. */
  notificationTopicArn: { name: 'FLEDGE_NOTIFICATION_TOPIC_ARN', is: 'an sns ARN', accepts: arnOf('sns') },
  /** SNS topic for approval requests; the notification topic when unset. */
  approvalTopicArn: { name: 'FLEDGE_APPROVAL_TOPIC_ARN', is: 'an sns ARN', accepts: arnOf('sns') },
  /** The deployment state machine: starters start executions of it, the sweeper reads them. */
  stateMachineArn: { name: 'FLEDGE_STATE_MACHINE_ARN', is: 'a states ARN', accepts: arnOf('states') },
  /** The wave runner's state machine (state-machines/waves.asl.yml): starters start a spec with targets there. */
  wavesStateMachineArn: { name: 'FLEDGE_WAVES_STATE_MACHINE_ARN', is: 'a states ARN', accepts: arnOf('states') },
  /** The stack's stage (serverless.yml's `${sls:stage}`): scopes the names of the alarms fledge creates. */
  stage: { name: 'FLEDGE_STAGE', is: '1-64 letters, digits, "-" or "_"', accepts: (value) => STAGE_NAME.test(value) },
  /** SSM parameter holding the approval-link signing secret (also the key list cursors are sealed with). */
  approvalSecretParameter: { name: 'FLEDGE_APPROVAL_SECRET_PARAMETER', is: 'an SSM parameter name', accepts: parameterName },
  /** The public base URL of fledge's HTTP API, under which approval links point. */
  apiUrl: { name: 'FLEDGE_API_URL', is: 'an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com', accepts: (value) => isHttpUrl(value) },
  /** SSM parameter holding the signing secret of the spec's webhooks (docs/spec.md#webhooks): the functions that call them. */
  webhookSecretParameter: { name: 'FLEDGE_WEBHOOK_SECRET_PARAMETER', is: 'an SSM parameter name', accepts: parameterName },
  /** SSM SecureString holding the Slack incoming-webhook URL. */
  slackWebhookParameter: { name: 'FLEDGE_SLACK_WEBHOOK_PARAMETER', is: 'an SSM parameter name', accepts: parameterName },
  /** The bucket specs and zips are dropped into. */
  artifactsBucket: { name: 'FLEDGE_ARTIFACTS_BUCKET', is: 'an S3 bucket name', accepts: (value) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) },
  /** The EventBridge bus (name or ARN) every event is put on (docs/events.md); unset: none. */
  eventBus: { name: 'FLEDGE_EVENT_BUS', is: 'an event bus name or ARN', accepts: (value) => /^(arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/)?[\w.\-/]{1,256}$/.test(value) },
  /** Which kinds go to the bus (docs/events.md#filters); default all. */
  eventBusEvents: { name: 'FLEDGE_EVENT_BUS_EVENTS', is: 'an event filter such as "all" or "approvals,failures"', accepts: isKindFilter },
  /** SSM SecureString holding the outgoing notification webhooks, a JSON list (docs/events.md#outgoing-webhooks). */
  notificationWebhooksParameter: { name: 'FLEDGE_NOTIFICATION_WEBHOOKS_PARAMETER', is: 'an SSM parameter name', accepts: parameterName },
  /** SSM SecureString holding the GitHub token that reports deployment status (docs/events.md#github-deployment-status). */
  githubTokenParameter: { name: 'FLEDGE_GITHUB_TOKEN_PARAMETER', is: 'an SSM parameter name', accepts: parameterName },
  /** GitHub's API base (GitHub Enterprise Server: https://HOST/api/v3); default https://api.github.com. */
  githubApiUrl: { name: 'FLEDGE_GITHUB_API_URL', is: 'an http(s) URL such as https://api.github.com', accepts: (value) => isHttpUrl(value) },
  /** Which kinds set the GitHub deployment's status; default all. */
  githubEvents: { name: 'FLEDGE_GITHUB_EVENTS', is: 'an event filter such as "all" or "endings"', accepts: isKindFilter },
} as const satisfies Record<string, Variable>;

function isKindFilter(value: string): boolean {
  try {
    parseKindFilter(value, 'filter');
    return true;
  } catch {
    return false;
  }
}

/** A setting of {@link ENVIRONMENT}, by its field name. */
export type ConfigField = keyof typeof ENVIRONMENT;

/** fledge's configuration: each variable that is set. */
export type FledgeConfig = { readonly [F in ConfigField]?: string };

/** The configuration with the fields `K` guaranteed. */
export type ConfigSlice<K extends ConfigField> = FledgeConfig & { readonly [F in K]: string };

/**
 * Reads every variable of {@link ENVIRONMENT} from `env` and checks each that is set: the
 * configuration, and one problem per malformed variable (naming it, saying what it must be).
 */
export function readConfig(env: Readonly<Record<string, string | undefined>>): { readonly config: FledgeConfig; readonly problems: readonly string[] } {
  const config: Record<string, string> = {};
  const problems: string[] = [];
  for (const [field, variable] of Object.entries(ENVIRONMENT) as [ConfigField, Variable][]) {
    const value = env[variable.name]?.trim();
    if (!value) continue;
    if (variable.accepts && !variable.accepts(value)) problems.push(`${variable.name} must be ${variable.is}, got "${value}"`);
    else config[field] = value;
  }
  return { config, problems };
}

/**
 * The configuration, with `required` set: a {@link ConfigurationError} naming every problem
 * otherwise — each required variable that is not set, each variable set to a malformed value.
 */
export function requireConfig<K extends ConfigField>(env: Readonly<Record<string, string | undefined>>, required: readonly K[]): ConfigSlice<K> {
  const { config, problems } = readConfig(env);
  const missing = [...new Set(required)].filter((field) => config[field] === undefined && !problems.some((p) => p.startsWith(`${ENVIRONMENT[field].name} `)));
  const all = [...missing.map((field) => `${ENVIRONMENT[field].name} is not set`), ...problems];
  if (all.length > 0) throw new ConfigurationError(`fledge is misconfigured: ${all.join('; ')}`);
  return config as ConfigSlice<K>;
}

/** The stage fledge runs as: `FLEDGE_STAGE`, else {@link DEFAULT_STAGE}. */
export function stageOf(config: FledgeConfig): string {
  return config.stage ?? DEFAULT_STAGE;
}

// A link under a bad base would be mailed out and fail in a person's browser: refuse it here.
function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
  } catch {
    return false;
  }
}
