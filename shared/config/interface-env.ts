import { ConfigurationError } from '../model/engine-errors';
import { homeOfArn, type Home } from '../domain/spec/names';

/**
 * What the functions people talk to (the API, the approval pages, the S3 trigger, the Slack
 * notifier) read from their environment. Each reads the variables it needs; a missing one is
 * reported at the first invocation with every problem named, so importing a handler module
 * for its factory (tests, local mode) needs no Lambda environment.
 */
export interface InterfaceConfig {
  /** `FLEDGE_TABLE_NAME`. */
  readonly tableName?: string;
  /** `FLEDGE_STATE_MACHINE_ARN`: the API and the S3 trigger start executions of it. */
  readonly stateMachineArn?: string;
  /** `FLEDGE_NOTIFICATION_TOPIC_ARN`: refusals (REJECTED deployments) are announced there. */
  readonly notificationTopicArn?: string;
  /** `FLEDGE_APPROVAL_SECRET_PARAMETER`: SSM SecureString holding the approval-link signing secret. */
  readonly approvalSecretParameter?: string;
  /** `FLEDGE_API_URL`: the public base URL of fledge's HTTP API, under which approval links point. */
  readonly apiUrl?: string;
  /** `FLEDGE_SLACK_WEBHOOK_PARAMETER`: SSM SecureString holding the Slack incoming-webhook URL. */
  readonly slackWebhookParameter?: string;
  /** `FLEDGE_ARTIFACTS_BUCKET`: the bucket specs and zips are dropped into. */
  readonly artifactsBucket?: string;
  /** `AWS_REGION`, set by Lambda. */
  readonly region?: string;
}

/** Names of the variables, by field. */
const VARIABLES: Record<keyof InterfaceConfig, string> = {
  tableName: 'FLEDGE_TABLE_NAME',
  stateMachineArn: 'FLEDGE_STATE_MACHINE_ARN',
  notificationTopicArn: 'FLEDGE_NOTIFICATION_TOPIC_ARN',
  approvalSecretParameter: 'FLEDGE_APPROVAL_SECRET_PARAMETER',
  apiUrl: 'FLEDGE_API_URL',
  slackWebhookParameter: 'FLEDGE_SLACK_WEBHOOK_PARAMETER',
  artifactsBucket: 'FLEDGE_ARTIFACTS_BUCKET',
  region: 'AWS_REGION',
};

/** Reads every known variable once (at module load). */
export function readInterfaceConfig(env: Readonly<Record<string, string | undefined>>): InterfaceConfig {
  const config: Record<string, string> = {};
  for (const [field, variable] of Object.entries(VARIABLES)) {
    const value = env[variable]?.trim();
    if (value) config[field] = value;
  }
  return config as InterfaceConfig;
}

/**
 * The fields a function needs, or a {@link ConfigurationError} naming each missing variable.
 * Checks ARNs' shapes so a swapped value fails clearly rather than at the first AWS call.
 */
export function requireInterfaceConfig<K extends keyof InterfaceConfig>(config: InterfaceConfig, keys: readonly K[]): Required<Pick<InterfaceConfig, K>> {
  const problems: string[] = [];
  for (const key of keys) if (!config[key]) problems.push(`${VARIABLES[key]} is not set`);
  if (config.stateMachineArn && keys.includes('stateMachineArn' as K) && !/^arn:aws[\w-]*:states:/.test(config.stateMachineArn)) {
    problems.push(`FLEDGE_STATE_MACHINE_ARN must be a states ARN, got "${config.stateMachineArn}"`);
  }
  if (config.notificationTopicArn && keys.includes('notificationTopicArn' as K) && !/^arn:aws[\w-]*:sns:/.test(config.notificationTopicArn)) {
    problems.push(`FLEDGE_NOTIFICATION_TOPIC_ARN must be an sns ARN, got "${config.notificationTopicArn}"`);
  }
  // A link under a bad base would be mailed out and fail in a person's browser: refuse it here.
  if (config.apiUrl && keys.includes('apiUrl' as K) && !isHttpUrl(config.apiUrl)) {
    problems.push(`FLEDGE_API_URL must be an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com, got "${config.apiUrl}"`);
  }
  if (problems.length > 0) throw new ConfigurationError(`fledge is misconfigured: ${problems.join('; ')}`);
  return config as Required<Pick<InterfaceConfig, K>>;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/**
 * Where fledge runs (partition, region, account), read from its state machine's ARN: the only
 * place a spec's function and hooks may be. Every starter is configured with that ARN.
 */
export function controlPlaneHome(stateMachineArn: string): Home {
  const home = homeOfArn(stateMachineArn);
  if (home === undefined) throw new ConfigurationError(`FLEDGE_STATE_MACHINE_ARN must be a states ARN with a region and an account, got "${stateMachineArn}"`);
  return home;
}
