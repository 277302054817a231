import { ENGINE_FUNCTIONS, type EngineFunction } from './engine-functions';

export type { EngineFunction } from './engine-functions';

/**
 * The AWS actions each of the engine's functions may call (issue 6's one role per function),
 * read from the one table of engine functions (functions/engine-functions.ts).
 * `test/engine/permissions.test.ts` records every call each function makes while running
 * deployments on the embedded AWS and fails when one is missing, so this list cannot fall
 * behind the code. Resources: the deployments table and its indexes, the fledge topics, the
 * functions fledge may deploy (the allow-list), their hooks, and `fledge-*` alarms.
 */
export const ENGINE_PERMISSIONS = Object.fromEntries(Object.entries(ENGINE_FUNCTIONS).map(([fn, spec]) => [fn, spec.actions])) as {
  readonly [F in EngineFunction]: (typeof ENGINE_FUNCTIONS)[F]['actions'];
};

/** SDK client → IAM service prefix. */
const SERVICE_PREFIX: Readonly<Record<string, string>> = { Lambda: 'lambda', CloudWatch: 'cloudwatch', DynamoDB: 'dynamodb', SNS: 'sns', SFN: 'states', S3: 's3', EventBridge: 'events', STS: 'sts' };

/** Commands whose IAM action is named differently. */
const ACTION_OF: Readonly<Record<string, string>> = { 'lambda:Invoke': 'lambda:InvokeFunction', 'dynamodb:Put': 'dynamodb:PutItem', 'dynamodb:Get': 'dynamodb:GetItem', 'dynamodb:Update': 'dynamodb:UpdateItem', 'dynamodb:Delete': 'dynamodb:DeleteItem' };

/** The IAM action of an SDK command sent by a client of `clientName` (`LambdaClient` + `InvokeCommand` → `lambda:InvokeFunction`). */
export function iamActionOf(clientName: string, commandName: string): string {
  const prefix = SERVICE_PREFIX[clientName.replace(/Client$/, '')] ?? clientName.toLowerCase();
  const action = `${prefix}:${commandName.replace(/Command$/, '')}`;
  return ACTION_OF[action] ?? action;
}
