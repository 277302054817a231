import { CreateAliasCommand, CreateFunctionCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ROLE, settled, USER_TIMEOUT, userCode } from '../../support/engine';
import { functionZip } from '../../support/zip';
import type { ScenarioName } from './operations';
import { FAILING_HOOK, type ReliabilityWorld } from './world';

/** A deployment the matrix runs, with everything its assertions need to know. */
export interface Scenario {
  readonly name: ScenarioName;
  /** The final status of the deployment when nothing fails. */
  readonly baseline: 'SUCCEEDED' | 'ROLLED_BACK';
  /** The version the alias serves before (null: no alias). */
  readonly oldVersion: string | null;
  /** The version the deployment publishes. */
  readonly newVersion: string;
  /** What the person does with every approval request. */
  readonly decision?: 'approve' | 'reject';
  /** Brings the function to where the deployment starts from, and uploads the new code. */
  prepare(world: ReliabilityWorld, functionName: string): Promise<void>;
  /** The spec, the same for both doors (the zip is named by its full S3 address). */
  spec(functionName: string): string;
}

/**
 * The canary of `approved` and `rejected`: 50% for two checks, an approval, two more checks at
 * 50%, then 100%. The approval waits 30 minutes (9 real seconds): a person who cannot answer (the
 * approval's path refused) is timed out, and one who can is never, even on a machine that stalls. The error-rate floor of 2 invocations is also the evidence each pause needs
 * (the suite sends traffic while the alias is split); the smoke test, the configuration change
 * and `cleanup` make fledge call Invoke, UpdateFunctionConfiguration and the cleanup's calls.
 */
function canarySpec(functionName: string): string {
  return `version: 1
function: ${functionName}
alias: live
artifact:
  zip: ${zipUri(functionName)}
configuration:
  environment: { RELEASE: v2 }
strategy:
  canary:
    steps:
      - setWeight: 50
      - pause: 2m
      - approval: { timeout: 30m }
      - pause: 2m
health:
  errorRate: { threshold: 50, minInvocations: 2 }
  checkInterval: 1m
  smokeTest: { payload: { echo: smoke } }
timeout: 2h
cleanup: { keepVersions: 1 }
`;
}

/**
 * Where each case's new code lies: a build bucket of its own, as a CI job's. Outside fledge's
 * bucket uploading it starts nothing, and the doors meet a bucket whose region they have not
 * looked up yet (they remember regions), so every case makes them call GetBucketLocation.
 */
export function codeBucket(functionName: string): string {
  return `${functionName}-builds`;
}

function zipUri(functionName: string): string {
  return `s3://${codeBucket(functionName)}/v2.zip`;
}

async function uploadNewCode(world: ReliabilityWorld, functionName: string): Promise<void> {
  await world.s3.send(new CreateBucketCommand({ Bucket: codeBucket(functionName) }));
  await world.s3.send(new PutObjectCommand({ Bucket: codeBucket(functionName), Key: 'v2.zip', Body: functionZip(userCode('v2')) }));
}

async function createFunction(world: ReliabilityWorld, functionName: string, tag: string): Promise<void> {
  // USER_TIMEOUT: Lambda's default 3 s is a real 3 s here; a machine stalled that long would time
  // out the smoke test or the traffic, and the outcome would change for no fault of the matrix.
  await world.lambda.send(new CreateFunctionCommand({ FunctionName: functionName, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Timeout: USER_TIMEOUT, Code: { ZipFile: functionZip(userCode(tag)) } }));
  await settled(world.engine, functionName);
}

/** Version 1 (v0), version 2 (v1) behind `live`: the deployment publishes 3, and cleanup may delete 1. */
async function twoVersionsLive(world: ReliabilityWorld, functionName: string): Promise<void> {
  await createFunction(world, functionName, 'v0');
  await world.lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
  await world.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: functionZip(userCode('v1')) }));
  await settled(world.engine, functionName);
  await world.lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
  await world.lambda.send(new CreateAliasCommand({ FunctionName: functionName, Name: 'live', FunctionVersion: '2' }));
  await uploadNewCode(world, functionName);
}

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  approved: { name: 'approved', baseline: 'SUCCEEDED', oldVersion: '2', newVersion: '3', decision: 'approve', prepare: twoVersionsLive, spec: canarySpec },
  rejected: { name: 'rejected', baseline: 'ROLLED_BACK', oldVersion: '2', newVersion: '3', decision: 'reject', prepare: twoVersionsLive, spec: canarySpec },
  newFunction: {
    name: 'newFunction',
    baseline: 'SUCCEEDED',
    oldVersion: null,
    newVersion: '1',
    prepare: uploadNewCode,
    spec: (functionName) => `version: 1
function: ${functionName}
alias: live
artifact:
  zip: ${zipUri(functionName)}
configuration:
  runtime: nodejs22.x
  handler: index.handler
  role: ${ROLE}
strategy:
  preset: AllAtOnce
timeout: 2h
`,
  },
  newAlias: {
    name: 'newAlias',
    baseline: 'ROLLED_BACK',
    oldVersion: null,
    newVersion: '2',
    async prepare(world, functionName) {
      await createFunction(world, functionName, 'v1');
      await world.lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
      await uploadNewCode(world, functionName);
    },
    spec: (functionName) => `version: 1
function: ${functionName}
alias: live
artifact:
  zip: ${zipUri(functionName)}
strategy:
  preset: AllAtOnce
hooks:
  afterTraffic: ${FAILING_HOOK}
timeout: 2h
`,
  },
};
