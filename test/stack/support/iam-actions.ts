import type { SdkCall } from './sdk-calls';

/** IAM service prefix of each SDK v3 client package fledge uses. */
const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-eventbridge': 'events',
  '@aws-sdk/client-sts': 'sts',
};

/** Operations whose IAM action is not `<prefix>:<Operation>` (Service Authorization Reference). */
const RENAMED: Readonly<Record<string, readonly string[]>> = {
  'lambda Invoke': ['lambda:InvokeFunction'],
  // lib-dynamodb's document commands are the item operations under other names.
  'dynamodb Put': ['dynamodb:PutItem'],
  'dynamodb Get': ['dynamodb:GetItem'],
  'dynamodb Update': ['dynamodb:UpdateItem'],
  'dynamodb Delete': ['dynamodb:DeleteItem'],
  'dynamodb BatchGet': ['dynamodb:BatchGetItem'],
  'dynamodb BatchWrite': ['dynamodb:BatchWriteItem'],
  'dynamodb TransactGet': ['dynamodb:TransactGetItems'],
  'dynamodb TransactWrite': ['dynamodb:TransactWriteItems'],
  // The artifacts bucket is versioned: reads may name a version (VersionId → GetObjectVersion).
  's3 GetObject': ['s3:GetObject', 's3:GetObjectVersion'],
  's3 HeadObject': ['s3:GetObject', 's3:GetObjectVersion'],
  's3 ListObjectsV2': ['s3:ListBucket'],
  's3 HeadBucket': ['s3:ListBucket'],
  's3 CopyObject': ['s3:GetObject', 's3:PutObject'],
};

/**
 * Permissions an operation needs beyond its own action, as AWS documents them:
 * - Lambda fetches code with the caller's permissions (CreateFunction, UpdateFunctionCode): a zip
 *   from S3 (S3Bucket/S3Key; S3ObjectVersion needs GetObjectVersion), an image from ECR
 *   (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer), and every layer (lambda:GetLayerVersion;
 *   CreateFunction and UpdateFunctionConfiguration with Layers).
 * - Reading an object without s3:ListBucket on its bucket turns a missing key into 403
 *   AccessDenied instead of 404: fledge must tell "missing" from "denied" (GetObject, HeadObject,
 *   and Lambda's own GetObject of a zip).
 * - Setting a function's execution role passes it: iam:PassRole (CreateFunction; UpdateFunctionConfiguration with Role).
 * - CreateFunction with Tags (fledge tags what it creates fledge:managed=true) needs lambda:TagResource.
 * - PutMetricAlarm with Tags needs cloudwatch:TagResource.
 */
const FETCH_CODE = ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
const IMPLIED: Readonly<Record<string, readonly string[]>> = {
  'lambda:CreateFunction': ['iam:PassRole', ...FETCH_CODE, 'lambda:GetLayerVersion', 'lambda:TagResource'],
  'lambda:UpdateFunctionCode': FETCH_CODE,
  'lambda:UpdateFunctionConfiguration': ['iam:PassRole', 'lambda:GetLayerVersion'],
  's3:GetObject': ['s3:ListBucket'],
  'cloudwatch:PutMetricAlarm': ['cloudwatch:TagResource'],
};

/** What every function does without an SDK call: write its own logs. */
export const LOGGING_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;

/** The IAM actions an SDK operation needs, itself and the implied ones. */
export function actionsFor(call: SdkCall): string[] {
  const prefix = SERVICE_PREFIX[call.pkg];
  if (!prefix) throw new Error(`${call.pkg}: no IAM service prefix known; add it to test/stack/support/iam-actions.ts`);
  const own = RENAMED[`${prefix} ${call.operation}`] ?? [`${prefix}:${call.operation}`];
  return [...own, ...own.flatMap((action) => IMPLIED[action] ?? [])];
}

/**
 * Permissions that follow from a function's configuration rather than from its code: an SSM
 * parameter name under `/aws/reference/secretsmanager/` makes GetParameter read a Secrets
 * Manager secret, which Secrets Manager authorises as secretsmanager:GetSecretValue.
 */
export function actionsForEnvironment(variables: Readonly<Record<string, unknown>>): string[] {
  return Object.values(variables).some((v) => typeof v === 'string' && v.startsWith('/aws/reference/secretsmanager/')) ? ['secretsmanager:GetSecretValue'] : [];
}

/**
 * Permissions Lambda uses the function's role for: delivering a failed asynchronous event to an
 * on-failure destination (`AWS::Lambda::EventInvokeConfig`), here an SQS queue or an SNS topic.
 */
export function actionsForDestinations(destinationTypes: readonly string[]): string[] {
  return destinationTypes.map((type) => {
    if (type === 'AWS::SQS::Queue') return 'sqs:SendMessage';
    if (type === 'AWS::SNS::Topic') return 'sns:Publish';
    throw new Error(`no IAM action known for an on-failure destination of type ${type}`);
  });
}

/** Every action a function needs: its SDK operations', its configuration's, and logging; sorted, deduplicated. */
export function requiredActions(calls: readonly SdkCall[], variables: Readonly<Record<string, unknown>> = {}, destinationTypes: readonly string[] = []): string[] {
  return [...new Set([...calls.flatMap(actionsFor), ...actionsForEnvironment(variables), ...actionsForDestinations(destinationTypes), ...LOGGING_ACTIONS])].sort();
}
