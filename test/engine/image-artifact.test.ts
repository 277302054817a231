import { CreateAliasCommand, CreateFunctionCommand, GetFunctionCommand, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LambdaService } from '@fledge-local/embedded-aws';
import { functionZip } from '../support/zip';
import { aliasOf, deploymentId, guardAliases, historyOf, kinds, ROLE, settled, spec, startDeployment, startEngine, trafficUntilEnd, USER_TIMEOUT, userCode, type EngineWorld } from '../support/engine';

const REPOSITORY = '000000000000.dkr.ecr.us-east-1.amazonaws.com/orders';
const CANARY = { kind: 'canary' as const, steps: [{ type: 'setWeight' as const, percent: 10 }, { type: 'pause' as const, duration: 120 }] };

describe('container-image artifacts, on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);
  const images = () => world.aws.service<LambdaService>('lambda');

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('publishes an image deployment with the image digest as its CodeSha256 and shifts the alias to it', async () => {
    // Prepare: an image function (v1 behind alias live); v1 and v2 run from local stand-ins.
    const name = touch('image-fn');
    const v1 = images().registerImage(`${REPOSITORY}:v1`, Buffer.from(functionZip(userCode('v1'))), 'index.handler');
    const v2 = images().registerImage(`${REPOSITORY}:v2`, Buffer.from(functionZip(userCode('v2'))), 'index.handler');
    await world.lambda.send(new CreateFunctionCommand({ FunctionName: name, PackageType: 'Image', Code: { ImageUri: `${REPOSITORY}:v1` }, Role: ROLE, Timeout: USER_TIMEOUT }));
    await settled(world, name);
    await world.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await world.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
    const id = deploymentId('image');

    // Act: a canary of the v2 image, with traffic through the alias all along.
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY, { artifact: { kind: 'image', imageUri: `${REPOSITORY}:v2` } }), artifact: { imageUri: `${REPOSITORY}:v2` } });
    const { status, byVersion } = await trafficUntilEnd(world, name, executionArn);

    // Assess: v2 served part of the canary and all of it after; its code is the v2 image's digest.
    expect(status).toBe('SUCCEEDED');
    expect(byVersion['2']).toBeGreaterThan(0);
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    const published = (await historyOf(world, id)).find((event) => event.kind === 'published');
    expect(published?.data).toMatchObject({ version: '2', codeSha256: v2.digest, previousVersion: '1' });
    const version2 = await world.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: '2' }));
    expect(version2.Configuration).toMatchObject({ PackageType: 'Image', CodeSha256: v2.digest });
    expect(version2.Code).toMatchObject({ ImageUri: `${REPOSITORY}:v2`, ResolvedImageUri: `${REPOSITORY}@sha256:${v2.digest}` });
    expect(v2.digest).not.toBe(v1.digest);
    expect(kinds(await historyOf(world, id))).toEqual(expect.arrayContaining(['started', 'published', 'weight', 'promoted']));
  });

  it('takes the digest of a digest-pinned image URI as its CodeSha256', async () => {
    // Prepare
    const name = 'image-digest-fn';
    const digest = 'a'.repeat(64);

    // Act
    const created = await world.lambda.send(new CreateFunctionCommand({ FunctionName: name, PackageType: 'Image', Code: { ImageUri: `${REPOSITORY}@sha256:${digest}` }, Role: ROLE }));

    // Assess
    expect(created.CodeSha256).toBe(digest);
  });
});
