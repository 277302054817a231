import { fledgeFunctionNamed } from '../own-functions';
import type { FunctionRef } from '../../model/spec';
import { quote } from './problems';

/** Outcome of a naming check: the parsed value, or a message saying what is wrong. */
export type NameResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
// Lambda's pattern for a full function ARN, qualifier optional; the partition is checked against the region below.
const FUNCTION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z]{2,4}(?:-[a-z]+)+-\d+):(\d{12}):function:([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9$_-]+))?$/;
const ALIAS = /^(?![0-9]+$)[a-zA-Z0-9_-]{1,128}$/;

/** Where fledge runs, or where an ARN points: the only coordinates that tell two functions of one name apart. */
export interface Home {
  /** `aws`, `aws-cn`, `aws-us-gov`, … */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** A function ARN taken apart. */
interface FunctionArn extends Home {
  readonly name: string;
  readonly qualifier?: string;
}

/** AWS partitions by region prefix; any other region is in `aws`. */
const PARTITIONS: readonly (readonly [RegExp, string])[] = [
  [/^cn-/, 'aws-cn'],
  [/^us-gov-/, 'aws-us-gov'],
  [/^us-iso-/, 'aws-iso'],
  [/^us-isob-/, 'aws-iso-b'],
  [/^eu-isoe-/, 'aws-iso-e'],
  [/^us-isof-/, 'aws-iso-f'],
  [/^eusc-/, 'aws-eusc'],
];

/** The partition a region belongs to (`cn-north-1` → `aws-cn`). */
export function partitionOf(region: string): string {
  return PARTITIONS.find(([prefix]) => prefix.test(region))?.[1] ?? 'aws';
}

/** Reads a function ARN; a message when it is malformed or its partition does not hold its region. */
function readFunctionArn(text: string): NameResult<FunctionArn> {
  const match = FUNCTION_ARN.exec(text);
  if (match === null) {
    return { ok: false, message: `${quote(text)} is not a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)` };
  }
  const [, partition, region, accountId, name, qualifier] = match as unknown as [string, string, string, string, string, string | undefined];
  if (partitionOf(region) !== partition) {
    return { ok: false, message: `${quote(text)} names region ${region} in partition "${partition}", but ${region} is in "${partitionOf(region)}"` };
  }
  if (name.length > 64) return { ok: false, message: 'the function name in the ARN is longer than 64 characters' };
  return { ok: true, value: { partition, region, accountId, name, ...(qualifier !== undefined && { qualifier }) } };
}

/** Refuses the functions of fledge itself, by name or ARN, in any stage: fledge never deploys, reconfigures or invokes itself. */
function notFledge(name: string, written: string): string | undefined {
  const own = fledgeFunctionNamed(name);
  if (own === undefined) return undefined;
  const where = own.stage === undefined ? 'in local mode' : `of stage "${own.stage}"`;
  return `${quote(written)} is fledge's own ${own.fn} function (${where}): fledge never deploys, reconfigures or invokes itself`;
}

/**
 * Reads the deployment target: a function name or a full function ARN, never qualified (the spec's
 * `alias` says which alias moves; a version or `$LATEST` cannot be a target), and never one of
 * fledge's own functions.
 */
export function parseFunctionRef(text: string): NameResult<FunctionRef> {
  if (text.startsWith('arn:')) {
    const arn = readFunctionArn(text);
    if (!arn.ok) return arn;
    const { name, region, accountId, qualifier } = arn.value;
    if (qualifier !== undefined) {
      return {
        ok: false,
        message: `the function ARN must not carry a qualifier (${quote(`:${qualifier}`)}): name the function here and the alias in "alias"`,
      };
    }
    const own = notFledge(name, text);
    if (own !== undefined) return { ok: false, message: own };
    return { ok: true, value: { name, arn: text, region, accountId } };
  }
  if (text.includes(':')) {
    return {
      ok: false,
      message: `${quote(text)} is neither a function name nor a full ARN: qualifiers (":live", ":$LATEST") and partial ARNs are not accepted`,
    };
  }
  if (!FUNCTION_NAME.test(text)) {
    return { ok: false, message: `${quote(text)} is not a Lambda function name: 1-64 letters, digits, "-" or "_"` };
  }
  const own = notFledge(text, text);
  if (own !== undefined) return { ok: false, message: own };
  return { ok: true, value: { name: text } };
}

/**
 * Where a function ARN points (`arn:aws:lambda:eu-west-1:123456789012:function:x` → aws,
 * eu-west-1, 123456789012); undefined for a plain name, which is in fledge's own account and region.
 */
export function homeOfFunction(text: string): Home | undefined {
  const arn = text.startsWith('arn:') ? readFunctionArn(text) : undefined;
  return arn?.ok ? { partition: arn.value.partition, region: arn.value.region, accountId: arn.value.accountId } : undefined;
}

/**
 * Where fledge itself runs, read from one of its own ARNs (the state machine's, which its
 * starters are configured with): `arn:aws:states:us-east-1:123456789012:stateMachine:…`.
 */
export function homeOfArn(arn: string): Home | undefined {
  const match = /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]+):(\d{12}):/.exec(arn);
  return match === null ? undefined : { partition: match[1]!, region: match[2]!, accountId: match[3]! };
}

/** Checks an alias name against Lambda's rules; `$LATEST` and version numbers are refused with a reason. */
export function checkAliasName(text: string): NameResult<string> {
  if (text === '$LATEST') return { ok: false, message: '"$LATEST" is not an alias and can never be a deployment target' };
  if (/^[0-9]+$/.test(text)) return { ok: false, message: `${quote(text)} is a version number, not an alias name` };
  if (!ALIAS.test(text)) return { ok: false, message: `${quote(text)} is not a Lambda alias name: 1-128 letters, digits, "-" or "_"` };
  return { ok: true, value: text };
}

/**
 * Checks a function invoked by fledge (a hook): a name, a name with a qualifier (`fn:live`), or an ARN
 * with an optional qualifier; never one of fledge's own functions.
 */
export function checkInvocableFunction(text: string): NameResult<string> {
  let name: string;
  if (text.startsWith('arn:')) {
    const arn = readFunctionArn(text);
    if (!arn.ok) return arn;
    name = arn.value.name;
  } else if (/^[a-zA-Z0-9_-]{1,64}(?::[a-zA-Z0-9$_-]{1,128})?$/.test(text)) {
    name = text.split(':')[0]!;
  } else {
    return { ok: false, message: `${quote(text)} is not a Lambda function name, name:qualifier or function ARN` };
  }
  const own = notFledge(name, text);
  return own === undefined ? { ok: true, value: text } : { ok: false, message: own };
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_BUCKET_RESERVED = /^(?:xn--|sthree-|amzn-s3-demo-)|(?:-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/;
/** The longest S3 object key, in UTF-8 bytes. */
export const MAX_S3_KEY_BYTES = 1024;

/** Checks a general purpose bucket name against S3's naming rules. */
export function checkS3Bucket(name: string): NameResult<string> {
  if (name.length > 63 || !S3_BUCKET.test(name) || name.includes('..') || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(name) || S3_BUCKET_RESERVED.test(name)) {
    const shown = name.length > 63 ? `${name.slice(0, 63)}…` : name;
    return { ok: false, message: `"${shown}" is not an S3 bucket name: 3-63 lowercase letters, digits, "." or "-", starting and ending with a letter or digit, not an IP address` };
  }
  return { ok: true, value: name };
}

/**
 * Checks an S3 object key: 1-1024 bytes of UTF-8 (S3's limit), without control characters (S3
 * stores them, but they break its XML listings and every log line that shows the key).
 */
export function checkS3Key(key: string): NameResult<string> {
  if (key === '') return { ok: false, message: 'the S3 object key is empty' };
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_S3_KEY_BYTES) return { ok: false, message: `the S3 object key has ${bytes} bytes; S3 keys are at most ${MAX_S3_KEY_BYTES} bytes (UTF-8)` };
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\x00-\x1f\x7f]|\p{Cs}/u.test(key)) return { ok: false, message: 'the S3 object key holds a control character or broken Unicode' };
  return { ok: true, value: key };
}

/** A zip location: `s3://bucket/key`, or a key relative to the spec's own S3 folder. */
export function parseZipLocation(text: string): NameResult<{ bucket?: string; key: string }> {
  if (text.startsWith('s3://')) {
    const rest = text.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? '' : rest.slice(slash + 1);
    const bucketCheck = checkS3Bucket(bucket);
    if (!bucketCheck.ok) return bucketCheck;
    if (key === '') return { ok: false, message: `${quote(text)} names a bucket but no object key (s3://bucket/path/to/function.zip)` };
    const keyCheck = checkS3Key(key);
    if (!keyCheck.ok) return keyCheck;
    return { ok: true, value: { bucket, key } };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return { ok: false, message: `${quote(text)} is not an s3:// location; write s3://bucket/key or a path relative to the spec` };
  }
  if (text.startsWith('/')) return { ok: false, message: `${quote(text)} starts with "/": a relative zip path is relative to the spec's folder` };
  if (text.split('/').some((part) => part === '..' || part === '.')) {
    return { ok: false, message: `${quote(text)} contains "." or ".." segments: a relative zip path stays inside the spec's folder` };
  }
  const keyCheck = checkS3Key(text);
  if (!keyCheck.ok) return { ok: false, message: keyCheck.message.replace('the S3 object key', 'the zip path') };
  return { ok: true, value: { key: text } };
}

// <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>(:tag | @sha256:digest)
const IMAGE_URI =
  /^\d{12}\.dkr\.ecr\.[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d\.amazonaws\.com(?:\.cn)?\/[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/;

/** Checks an ECR image URI; a tag or digest is required so that what is deployed is what was reviewed. */
export function checkImageUri(text: string): NameResult<string> {
  if (IMAGE_URI.test(text)) return { ok: true, value: text };
  if (/^\d{12}\.dkr\.ecr\.[^/]+\/[^:@]+$/.test(text)) {
    return { ok: false, message: `${quote(text)} has no tag or digest: add ":<tag>" or "@sha256:<digest>"` };
  }
  return { ok: false, message: `${quote(text)} is not an ECR image URI (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>)` };
}

const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** Checks an IAM role ARN (the function's execution role). */
export function checkRoleArn(text: string): NameResult<string> {
  if (ROLE_ARN.test(text)) return { ok: true, value: text };
  return { ok: false, message: `${quote(text)} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)` };
}

const SQS_QUEUE_ARN = /^arn:aws[a-zA-Z-]*:sqs:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:([a-zA-Z0-9_.-]{1,80})$/;
const SNS_TOPIC_ARN = /^arn:aws[a-zA-Z-]*:sns:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:([a-zA-Z0-9_.-]{1,256})$/;

/**
 * Checks a dead-letter target for asynchronous invocations: a standard SQS queue or SNS topic ARN
 * (Lambda refuses FIFO ones as dead-letter targets).
 */
export function checkDeadLetterTarget(text: string): NameResult<string> {
  const name = SQS_QUEUE_ARN.exec(text)?.[1] ?? SNS_TOPIC_ARN.exec(text)?.[1];
  if (name === undefined) {
    return { ok: false, message: `"${text}" is not an SQS queue or SNS topic ARN (arn:aws:sqs:<region>:<account>:<queue> or arn:aws:sns:<region>:<account>:<topic>)` };
  }
  if (name.endsWith('.fifo')) return { ok: false, message: `"${text}" is a FIFO ${text.includes(':sqs:') ? 'queue' : 'topic'}: Lambda takes only standard ones as dead-letter targets` };
  if (!/^[a-zA-Z0-9_-]+$/.test(name)) return { ok: false, message: `"${name}" is not a queue or topic name: letters, digits, "-" or "_"` };
  return { ok: true, value: text };
}

const LAYER_VERSION_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d:\d{12}:layer:[a-zA-Z0-9_-]{1,140}:[0-9]+$/;

/** Checks a layer version ARN; the version number is required (a layer without one cannot be attached). */
export function checkLayerArn(text: string): NameResult<string> {
  if (LAYER_VERSION_ARN.test(text)) return { ok: true, value: text };
  return { ok: false, message: `${quote(text)} is not a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>)` };
}

/**
 * Runtimes Lambda accepts for new deployments at the time of writing. Deprecated runtimes are left out on
 * purpose: Lambda blocks updates to them. A runtime missing here is a one-line addition.
 */
export const LAMBDA_RUNTIMES = [
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'java11',
  'java17',
  'java21',
  'java25',
  'dotnet8',
  'dotnet10',
  'ruby3.3',
  'ruby3.4',
  'provided.al2',
  'provided.al2023',
] as const;

/** Environment variable names Lambda reserves; setting one fails the configuration update. */
export const RESERVED_ENVIRONMENT_KEYS = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
] as const;
