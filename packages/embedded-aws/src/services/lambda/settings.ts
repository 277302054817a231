import { invalidParameter, validation, validationMessage } from './errors';
import type { VersionSettings } from './model';

/** Runtimes Lambda accepts for new functions and updates. */
const RUNTIMES = [
  'nodejs18.x', 'nodejs20.x', 'nodejs22.x', 'nodejs24.x',
  'python3.9', 'python3.10', 'python3.11', 'python3.12', 'python3.13', 'python3.14',
  'java11', 'java17', 'java21', 'java25', 'dotnet8', 'dotnet10', 'ruby3.2', 'ruby3.3', 'ruby3.4',
  'provided.al2', 'provided.al2023',
];
/** Runtimes past their deprecation: Lambda names them in a dedicated error. */
const DEPRECATED_RUNTIMES = [
  'nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x', 'nodejs16.x',
  'python2.7', 'python3.6', 'python3.7', 'python3.8', 'java8', 'java8.al2', 'go1.x', 'ruby2.5', 'ruby2.7',
  'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1', 'dotnet6', 'dotnet7', 'provided',
];
/** Environment variables Lambda sets itself and refuses from users. */
const RESERVED_ENVIRONMENT = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];
const ROLE = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const LAYER = /^arn:[a-zA-Z0-9-]+:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+$/;

/** The configuration members of CreateFunction and UpdateFunctionConfiguration, as sent. */
export interface SettingsInput {
  readonly Runtime?: unknown;
  readonly Role?: unknown;
  readonly Handler?: unknown;
  readonly Description?: unknown;
  readonly Timeout?: unknown;
  readonly MemorySize?: unknown;
  readonly Environment?: unknown;
  readonly Architectures?: unknown;
  readonly Layers?: unknown;
  readonly DeadLetterConfig?: unknown;
  readonly SnapStart?: unknown;
}

/**
 * Applies the members present in `input` over `base` (the defaults for a new function, the
 * current configuration for an update), validating each with AWS's error and message.
 */
export function applySettings(base: VersionSettings, input: SettingsInput): VersionSettings {
  const next: { -readonly [K in keyof VersionSettings]: VersionSettings[K] } = { ...base };
  if (input.Runtime !== undefined) next.runtime = runtime(input.Runtime);
  if (input.Role !== undefined) next.role = role(input.Role);
  if (input.Handler !== undefined) next.handler = text(input.Handler, 'handler', 128, /^[^\s]+$/, '[^\\s]+');
  if (input.Description !== undefined) next.description = text(input.Description, 'description', 256);
  if (input.Timeout !== undefined) next.timeout = integer(input.Timeout, 'timeout', 1, 900);
  if (input.MemorySize !== undefined) next.memorySize = integer(input.MemorySize, 'memorySize', 128, 10_240);
  if (input.Environment !== undefined) next.environment = environment(member(input.Environment, 'Variables'));
  if (input.Architectures !== undefined) next.architectures = architectures(input.Architectures);
  if (input.Layers !== undefined) next.layers = layers(input.Layers);
  if (input.DeadLetterConfig !== undefined) {
    const target = member(input.DeadLetterConfig, 'TargetArn');
    next.deadLetterTargetArn = typeof target === 'string' && target !== '' ? target : undefined;
  }
  if (input.SnapStart !== undefined) {
    const applyOn = member(input.SnapStart, 'ApplyOn') ?? 'None';
    if (applyOn !== 'PublishedVersions' && applyOn !== 'None') throw validation(validationMessage(applyOn, 'snapStart.applyOn', 'Member must satisfy enum value set: [PublishedVersions, None]'));
    if (applyOn === 'PublishedVersions') next.snapStart = 'PublishedVersions';
    else delete next.snapStart;
  }
  return next;
}

function runtime(value: unknown): string {
  const name = String(value);
  if (DEPRECATED_RUNTIMES.includes(name)) {
    throw invalidParameter(`The runtime parameter of ${name} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`);
  }
  if (!RUNTIMES.includes(name)) throw invalidParameter(`Value ${name} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${RUNTIMES.join(', ')}] or be a valid ARN`);
  return name;
}

function role(value: unknown): string {
  const arn = String(value);
  if (!ROLE.test(arn)) throw validation(validationMessage(arn, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+'));
  return arn;
}

function text(value: unknown, member: string, maxLength: number, pattern?: RegExp, patternText?: string): string {
  if (typeof value !== 'string') throw validation(validationMessage(value, member, 'Member must be a string'));
  if (value.length > maxLength) throw validation(validationMessage(value, member, `Member must have length less than or equal to ${maxLength}`));
  if (pattern && !pattern.test(value)) throw validation(validationMessage(value, member, `Member must satisfy regular expression pattern: ${patternText ?? pattern.source}`));
  return value;
}

function integer(value: unknown, member: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validation(validationMessage(value, member, 'Member must be an integer'));
  if (value < min) throw validation(validationMessage(value, member, `Member must have value greater than or equal to ${min}`));
  if (value > max) throw validation(validationMessage(value, member, `Member must have value less than or equal to ${max}`));
  return value;
}

function environment(variables: unknown): Record<string, string> {
  if (variables === undefined || variables === null) return {};
  if (typeof variables !== 'object' || Array.isArray(variables)) throw validation(validationMessage(variables, 'environment.variables', 'Member must be a map'));
  const entries = Object.entries(variables as Record<string, unknown>);
  const reserved = entries.map(([key]) => key).filter((key) => RESERVED_ENVIRONMENT.includes(key));
  if (reserved.length > 0) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  const result: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key)) throw validation(validationMessage(key, 'environment.variables', 'Map keys must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+'));
    result[key] = String(value);
  }
  const measured = JSON.stringify(result);
  if (Buffer.byteLength(measured) > 4096) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`);
  }
  return result;
}

function architectures(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : [String(value)];
  if (list.length !== 1) throw validation(validationMessage(`[${list.join(', ')}]`, 'architectures', 'Member must have length less than or equal to 1'));
  if (list[0] !== 'x86_64' && list[0] !== 'arm64') {
    throw validation(validationMessage(`[${list.join(', ')}]`, 'architectures', 'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]'));
  }
  return list;
}

function layers(value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : [];
  if (list.length > 5) throw invalidParameter('Cannot reference more than 5 layers.');
  for (const arn of list) {
    if (!LAYER.test(arn)) throw validation(validationMessage(`[${arn}]`, 'layers', 'Member must satisfy constraint: [Member must satisfy regular expression pattern: arn:[a-zA-Z0-9-]+:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+]'));
  }
  return list;
}

/** `value[key]` when `value` is a JSON object, else undefined: request members are untrusted JSON. */
export function member(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}
