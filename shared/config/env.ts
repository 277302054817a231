import { ConfigurationError } from '../domain/deployment/errors';
import { STAGE_NAME } from '../domain/deployment/version-alarm';

/** The stage when `FLEDGE_STAGE` is not set: serverless.yml's default stage. */
export const DEFAULT_STAGE = 'dev';

/** What fledge's functions read from their environment. */
export interface EngineConfig {
  /** AWS region of the control plane (set by Lambda). */
  readonly region?: string;
  /** The deployments table (`FLEDGE_TABLE_NAME`). */
  readonly tableName: string;
  /** SNS topic for rollback, drift and failure notifications (`FLEDGE_NOTIFICATION_TOPIC_ARN`). */
  readonly notificationTopicArn: string;
  /** SNS topic for approval requests (`FLEDGE_APPROVAL_TOPIC_ARN`); the notification topic when unset. */
  readonly approvalTopicArn?: string;
  /** The deployment state machine (`FLEDGE_STATE_MACHINE_ARN`): needed by starters and controls only. */
  readonly stateMachineArn?: string;
  /**
   * The stack's stage (`FLEDGE_STAGE`, set by serverless.yml to `${sls:stage}`): scopes the names of
   * the alarms fledge creates. Absent when unset; {@link stageOf} supplies the default.
   */
  readonly stage?: string;
  /** The SSM parameter of the webhook signing secret (`FLEDGE_WEBHOOK_SECRET_PARAMETER`): the functions that call webhooks. */
  readonly webhookSecretParameter?: string;
}

/** The result of reading the environment: checked once, reported at first use. */
export type ConfigResult = { readonly ok: true; readonly config: EngineConfig } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Reads and checks fledge's environment. Handler modules call this once at load; a problem is
 * reported when the function is first invoked (importing a handler module for its factory —
 * tests, local mode — must not need a Lambda environment).
 */
export function readEngineConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const arn = (name: string, value: string | undefined, service: string): void => {
    if (value && !new RegExp(`^arn:aws[\\w-]*:${service}:`).test(value)) problems.push(`${name} must be an ${service} ARN, got "${value}"`);
  };
  const tableName = required('FLEDGE_TABLE_NAME');
  const notificationTopicArn = required('FLEDGE_NOTIFICATION_TOPIC_ARN');
  const approvalTopicArn = env.FLEDGE_APPROVAL_TOPIC_ARN?.trim() || undefined;
  const stateMachineArn = env.FLEDGE_STATE_MACHINE_ARN?.trim() || undefined;
  const stage = env.FLEDGE_STAGE?.trim() || undefined;
  const webhookSecretParameter = env.FLEDGE_WEBHOOK_SECRET_PARAMETER?.trim() || undefined;
  if (stage !== undefined && !STAGE_NAME.test(stage)) problems.push(`FLEDGE_STAGE must be 1-64 letters, digits, "-" or "_", got "${stage}"`);
  arn('FLEDGE_NOTIFICATION_TOPIC_ARN', notificationTopicArn, 'sns');
  arn('FLEDGE_APPROVAL_TOPIC_ARN', approvalTopicArn, 'sns');
  arn('FLEDGE_STATE_MACHINE_ARN', stateMachineArn, 'states');
  if (problems.length > 0) return { ok: false, problems };
  const region = env.AWS_REGION?.trim() || undefined;
  return {
    ok: true,
    config: {
      tableName,
      notificationTopicArn,
      ...(region ? { region } : {}),
      ...(approvalTopicArn ? { approvalTopicArn } : {}),
      ...(stateMachineArn ? { stateMachineArn } : {}),
      ...(stage ? { stage } : {}),
      ...(webhookSecretParameter ? { webhookSecretParameter } : {}),
    },
  };
}

/** The stage fledge runs as: `FLEDGE_STAGE`, else {@link DEFAULT_STAGE}. */
export function stageOf(config: EngineConfig): string {
  return config.stage ?? DEFAULT_STAGE;
}

/** The config, or the {@link ConfigurationError} that names every problem. */
export function requireConfig(result: ConfigResult): EngineConfig {
  if (!result.ok) throw new ConfigurationError(`fledge is misconfigured: ${result.problems.join('; ')}`);
  return result.config;
}
