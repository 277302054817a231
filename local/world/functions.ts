import { CreateAliasCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, PublishVersionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { eventually, functionZip } from '@fledge-local/embedded-aws/testing';
import type { FledgeWorld } from './world';

/**
 * A user function's timeout, in seconds: user code runs at real speed while time is compressed
 * (docs/local.md, Time), and Lambda's default 3 s would be 15 real ms at the tests' scale, less
 * than a cold start.
 */
export const USER_TIMEOUT = 900;

/** Waits until `$LATEST` of `name` is Active with no update in progress. */
export async function settled(world: { readonly lambda: LambdaClient }, name: string, timeoutMs?: number): Promise<void> {
  await eventually(async () => {
    const config = await world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    return config.State === 'Active' && config.LastUpdateStatus !== 'InProgress' ? true : undefined;
  }, { ...(timeoutMs === undefined ? {} : { timeoutMs }), what: `${name} to settle` });
}

/**
 * Creates `name` from `files` with `role`, publishes it as version 1 behind `alias`: the state
 * before a deployment.
 */
export async function existingFunction(world: { readonly lambda: LambdaClient }, name: string, files: Readonly<Record<string, string>>, options: { readonly role: string; readonly alias?: string; readonly settleTimeoutMs?: number }): Promise<void> {
  await world.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: options.role, Timeout: USER_TIMEOUT, Code: { ZipFile: functionZip(files) } }));
  await settled(world, name, options.settleTimeoutMs);
  const version = await world.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  await world.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: options.alias ?? 'live', FunctionVersion: version.Version! }));
}

/** Uploads a zip of `files` to fledge's artifacts bucket and returns its location. */
export async function uploadArtifact(world: Pick<FledgeWorld, 'plane'>, key: string, files: Readonly<Record<string, string>>): Promise<{ bucket: string; key: string }> {
  await world.plane.clients.s3.send(new PutObjectCommand({ Bucket: world.plane.bucket, Key: key, Body: functionZip(files) }));
  return { bucket: world.plane.bucket, key };
}
