/**
 * The AWS actions each of the engine's functions may call, for issue 6's one-role-per-function
 * stack. `test/engine/permissions.test.ts` records every call each function makes while running
 * deployments on the embedded AWS and fails when one is missing here, so this list cannot fall
 * behind the code. Resources: the deployments table and its indexes, the fledge topics, the
 * functions fledge may deploy (the allow-list), their hooks, and `fledge-*` alarms.
 */
export const ENGINE_PERMISSIONS = {
  // CreateFunction and UpdateFunctionCode fetch the code with the caller's permissions (the zip,
  // ListBucket for a clear NoSuchKey, an image, layers); CreateFunction tags what it creates.
  prepare: [
    'dynamodb:PutItem',
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'lambda:GetFunctionConfiguration',
    'lambda:GetAlias',
    'lambda:CreateFunction',
    'lambda:TagResource',
    'lambda:GetLayerVersion',
    'iam:PassRole',
    's3:GetObject',
    's3:GetObjectVersion',
    's3:ListBucket',
    'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer',
  ],
  publish: [
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    'lambda:GetFunctionConfiguration',
    'lambda:UpdateFunctionConfiguration',
    'lambda:UpdateFunctionCode',
    'lambda:PublishVersion',
    'lambda:GetLayerVersion',
    'iam:PassRole',
    's3:GetObject',
    's3:GetObjectVersion',
    's3:ListBucket',
    'ecr:BatchGetImage',
    'ecr:GetDownloadUrlForLayer',
    'cloudwatch:PutMetricAlarm',
    'cloudwatch:TagResource',
  ],
  verify: ['dynamodb:GetItem', 'dynamodb:PutItem', 'lambda:GetFunctionConfiguration', 'lambda:InvokeFunction', 'cloudwatch:DescribeAlarms'],
  traffic: [
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    'dynamodb:DeleteItem',
    'dynamodb:Query',
    'lambda:GetAlias',
    'lambda:UpdateAlias',
    'lambda:CreateAlias',
    'lambda:DeleteAlias',
    'lambda:ListAliases',
    'lambda:ListVersionsByFunction',
    'lambda:DeleteFunction',
    'lambda:InvokeFunction',
    'cloudwatch:DeleteAlarms',
    'sns:Publish',
  ],
  check: ['dynamodb:GetItem', 'dynamodb:PutItem', 'lambda:GetAlias', 'cloudwatch:DescribeAlarms', 'cloudwatch:GetMetricData'],
  approval: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem', 'sns:Publish'],
  record: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'lambda:GetAlias', 'cloudwatch:DeleteAlarms', 'sns:Publish'],
  'safety-net': [
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    'dynamodb:DeleteItem',
    'lambda:GetAlias',
    'lambda:UpdateAlias',
    'lambda:DeleteAlias',
    'cloudwatch:DeleteAlarms',
    'sns:Publish',
  ],
  sweeper: [
    'dynamodb:GetItem',
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    'dynamodb:DeleteItem',
    'dynamodb:Query',
    'lambda:GetAlias',
    'lambda:UpdateAlias',
    'lambda:DeleteAlias',
    'cloudwatch:DeleteAlarms',
    'sns:Publish',
    'states:DescribeExecution',
  ],
} as const satisfies Record<string, readonly string[]>;

/** The engine's function names without the stack prefix. */
export type EngineFunction = keyof typeof ENGINE_PERMISSIONS;

/** SDK client → IAM service prefix. */
const SERVICE_PREFIX: Readonly<Record<string, string>> = { Lambda: 'lambda', CloudWatch: 'cloudwatch', DynamoDB: 'dynamodb', SNS: 'sns', SFN: 'states', S3: 's3' };

/** Commands whose IAM action is named differently. */
const ACTION_OF: Readonly<Record<string, string>> = { 'lambda:Invoke': 'lambda:InvokeFunction', 'dynamodb:Put': 'dynamodb:PutItem', 'dynamodb:Get': 'dynamodb:GetItem', 'dynamodb:Update': 'dynamodb:UpdateItem', 'dynamodb:Delete': 'dynamodb:DeleteItem' };

/** The IAM action of an SDK command sent by a client of `clientName` (`LambdaClient` + `InvokeCommand` → `lambda:InvokeFunction`). */
export function iamActionOf(clientName: string, commandName: string): string {
  const prefix = SERVICE_PREFIX[clientName.replace(/Client$/, '')] ?? clientName.toLowerCase();
  const action = `${prefix}:${commandName.replace(/Command$/, '')}`;
  return ACTION_OF[action] ?? action;
}
