import { CreateFunctionCommand, GetFunctionConfigurationCommand, ListVersionsByFunctionCommand, PublishVersionCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactLocation } from '../../shared/model/deployment';
import type { ArtifactSpec } from '../../shared/model/spec';
import { aliasOf, deploymentId, ROLE, executionEnd, existingFunction, guardAliases, historyOf, settled, spec, startDeployment, startEngine, TIMED_PAUSES, userCode, type EngineWorld } from '../support/engine';
import { functionZip } from '../support/zip';

// Issue 18: a spec may shift traffic to a version SAM, CDK, Terraform or the Serverless Framework
// already published (`artifact: { version: 42 }` or `{ fromLatest: true }`), and fledge must then
// change nothing but the alias: no code, no configuration, no new version.

describe('adopting a version another tool published, on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** What another tool does: new code and configuration on $LATEST, then PublishVersion. */
  async function otherToolPublishes(name: string, tag: string): Promise<string> {
    await world.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: `release ${tag}`, Environment: { Variables: { RELEASE: tag } } }));
    await settled(world, name);
    await world.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: functionZip(userCode(tag)) }));
    await settled(world, name);
    return (await world.lambda.send(new PublishVersionCommand({ FunctionName: name }))).Version!;
  }

  /** Everything about the function that fledge must leave alone: $LATEST's code and configuration, and the versions. */
  async function functionFacts(name: string): Promise<{ latest: FunctionConfiguration; versions: string[] }> {
    const { $metadata: _, ...latest } = await world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    const listed = await world.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
    return { latest, versions: (listed.Versions ?? []).map((version) => `${version.Version}:${version.CodeSha256}:${version.LastModified}`) };
  }

  async function adopt(name: string, label: string, artifact: ArtifactSpec, location: ArtifactLocation): Promise<{ id: string; status: string }> {
    const id = deploymentId(label);
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 20 }, { type: 'pause', duration: 60 }] }, { health: TIMED_PAUSES, artifact }),
      artifact: location,
    });
    return { id, status: await executionEnd(world, executionArn) };
  }

  it('shifts the alias to artifact.version through a canary without changing code, configuration or versions', async () => {
    // Prepare: v1 behind live (fledge's world), then another tool publishes v2 and v3.
    const name = touch('adopt-version-fn');
    await existingFunction(world, name);
    const two = await otherToolPublishes(name, 'v2');
    await otherToolPublishes(name, 'v3');
    const before = await functionFacts(name);

    // Act: adopt version 2, not the newest.
    const { id, status } = await adopt(name, 'adopt-version', { kind: 'published', version: two }, { publishedVersion: two });

    // Assess
    expect(status).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '2', weights: {} });
    expect(await functionFacts(name)).toEqual(before);
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record).toMatchObject({ status: 'SUCCEEDED', newVersion: '2' });
    const published = (await historyOf(world, id)).find((event) => event.kind === 'published');
    expect(published?.message).toMatch(/adopted version 2 of adopt-version-fn, already published: no code or configuration changed/);
    expect(published?.data).toMatchObject({ adopted: true, version: '2', previousVersion: '1' });
    expect((await historyOf(world, id)).filter((event) => event.kind === 'weight').map((event) => event.data)).toEqual([expect.objectContaining({ percent: 20, version: '2' })]);
  });

  it('resolves fromLatest to the highest published version when the deployment starts, and records it', async () => {
    // Prepare
    const name = touch('adopt-latest-fn');
    await existingFunction(world, name);
    await otherToolPublishes(name, 'v2');
    const three = await otherToolPublishes(name, 'v3');
    const before = await functionFacts(name);

    // Act
    const { id, status } = await adopt(name, 'adopt-latest', { kind: 'fromLatest' }, { fromLatest: true });

    // Assess
    expect(three).toBe('3');
    expect(status).toBe('SUCCEEDED');
    expect(await aliasOf(world, name)).toMatchObject({ version: '3', weights: {} });
    expect(await functionFacts(name)).toEqual(before);
    expect(await world.plane.deps.store.getDeployment(id)).toMatchObject({ status: 'SUCCEEDED', newVersion: '3', artifact: { publishedVersion: '3' } });
  });

  it('refuses a version that does not exist before anything moves: REJECTED, alias and function untouched', async () => {
    // Prepare
    const name = touch('adopt-missing-fn');
    await existingFunction(world, name);
    await otherToolPublishes(name, 'v2');
    const before = await functionFacts(name);
    const alias = await aliasOf(world, name);

    // Act
    const { id, status } = await adopt(name, 'adopt-missing', { kind: 'published', version: '9' }, { publishedVersion: '9' });

    // Assess: the execution fails (it was refused), the record says why.
    expect(status).toBe('FAILED');
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('REJECTED');
    expect(record?.reason).toMatch(/function adopt-missing-fn has no version 9 \(artifact\.version\)/);
    expect(await aliasOf(world, name)).toEqual(alias);
    expect(await functionFacts(name)).toEqual(before);
    expect((await historyOf(world, id)).map((event) => event.kind)).not.toContain('weight');
  });

  it('refuses fromLatest on a function that has published no version, and on a function that does not exist', async () => {
    // Prepare: a function created, never published.
    const bare = touchless('adopt-bare-fn');
    await world.lambda.send(new CreateFunctionCommand({ FunctionName: bare, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: functionZip(userCode('v1')) } }));
    await settled(world, bare);
    const absent = 'adopt-absent-fn';

    // Act
    const unpublished = await adopt(bare, 'adopt-bare', { kind: 'fromLatest' }, { fromLatest: true });
    const missing = await adopt(absent, 'adopt-absent', { kind: 'fromLatest' }, { fromLatest: true });

    // Assess
    for (const { status } of [unpublished, missing]) expect(status).toBe('FAILED');
    const records = await Promise.all([unpublished.id, missing.id].map((id) => world.plane.deps.store.getDeployment(id)));
    expect(records.map((record) => record?.status)).toEqual(['REJECTED', 'REJECTED']);
    expect(records[0]?.reason).toMatch(/function adopt-bare-fn has no published version \(artifact\.fromLatest\): publish one first/);
    expect(records[1]?.reason).toMatch(/function adopt-absent-fn does not exist: adopting a published version \(artifact\.fromLatest\)/);
    expect((await world.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: bare }))).Versions?.map((version) => version.Version)).toEqual(['$LATEST']);
    await expect(world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: absent }))).rejects.toThrow();
  });
});

/** A function without an alias: nothing for the alias guard to check. */
function touchless(name: string): string {
  return name;
}
