import { AddPermissionCommand, CreateEventSourceMappingCommand, CreateFunctionUrlConfigCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bypassingCallers, type FunctionCaller } from '../../shared/model/callers';
import {
  aliasOf,
  deploymentId,
  executionEnd,
  existingFunction,
  guardAliases,
  historyOf,
  kinds,
  spec,
  startDeployment,
  startEngine,
  uploadArtifact,
  userCode,
  type EngineWorld,
} from '../support/engine';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:orders-queue';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:orders-topic';
const CANARY = { kind: 'canary' as const, steps: [{ type: 'setWeight' as const, percent: 10 }, { type: 'pause' as const, duration: 60 }] };

/** The ways a caller can bypass the alias, each set up on an existing function (alias live → version 1). */
const BYPASSES: readonly [string, (lambda: LambdaClient, name: string) => Promise<unknown>, RegExp][] = [
  ['an SQS mapping on the unqualified function', (lambda, name) => lambda.send(new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: QUEUE })), /event source mapping [0-9a-f-]+ from arn:aws:sqs:us-east-1:000000000000:orders-queue invokes \S+ through the unqualified function \(\$LATEST\), not alias live/],
  ['an SQS mapping on $LATEST', (lambda, name) => lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${name}:$LATEST`, EventSourceArn: QUEUE })), /from arn:aws:sqs:us-east-1:000000000000:orders-queue invokes \S+ through \$LATEST, not alias live/],
  ['an SNS permission on a version', (lambda, name) => lambda.send(new AddPermissionCommand({ FunctionName: name, Qualifier: '1', StatementId: 'sns-v1', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: TOPIC })), /permission sns-v1 for sns\.amazonaws\.com \(arn:aws:sns:us-east-1:000000000000:orders-topic\) invokes \S+ through version 1, not alias live/],
  ['an API Gateway permission on the unqualified function', (lambda, name) => lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: 'apigw', Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com', SourceArn: 'arn:aws:execute-api:us-east-1:000000000000:abc123/*/POST/orders' })), /permission apigw for apigateway\.amazonaws\.com \(arn:aws:execute-api:.*\) invokes \S+ through the unqualified function/],
  ['a function URL on the unqualified function', (lambda, name) => lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE' })), /function URL https:\/\/\w+\.lambda-url\.us-east-1\.on\.aws\/ \(auth NONE\) invokes \S+ through the unqualified function/],
];

describe('the caller audit, on the embedded AWS', () => {
  let world: EngineWorld;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it.each(BYPASSES)('refuses under callers: strict, with nothing changed, %s', async (what, bypass, named) => {
    // Prepare
    const name = touch(`strict-${what.replace(/\W+/g, '-').slice(0, 40)}`);
    await existingFunction(world, name);
    await bypass(world.lambda, name);
    const before = await aliasOf(world, name);
    const id = deploymentId('strict-callers');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY, { callers: 'strict' }), artifact: await uploadArtifact(world, `strict/${id}.zip`, userCode('v2')) });

    // Assess: rejected before Publish; the alias, the versions and $LATEST's code are as they were.
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    const record = await world.plane.deps.store.getDeployment(id);
    expect(record?.status).toBe('REJECTED');
    expect(record?.reason).toMatch(/callers: strict: a caller bypasses alias \S+:live, so the canary would not see their traffic/);
    expect(record?.reason).toMatch(named);
    expect(record?.reason).toMatch(/Nothing was changed$/);
    expect(await aliasOf(world, name)).toEqual(before);
    expect(await world.plane.deps.lambda.listVersions(name)).toEqual(['1']);
    expect(kinds(await historyOf(world, id))).not.toContain('published');
  });

  it('names every bypassing caller in one refusal', async () => {
    // Prepare: a mapping on the unqualified function and a permission on version 1.
    const name = touch('strict-two-callers');
    await existingFunction(world, name);
    for (const [, bypass] of [BYPASSES[0]!, BYPASSES[2]!]) await bypass(world.lambda, name);
    const id = deploymentId('strict-two');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, CANARY, { callers: 'strict' }), artifact: await uploadArtifact(world, `strict/${id}.zip`, userCode('v2')) });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('FAILED');
    const reason = (await world.plane.deps.store.getDeployment(id))?.reason ?? '';
    expect(reason).toMatch(/2 callers bypass alias/);
    expect(reason).toMatch(BYPASSES[0]![2]);
    expect(reason).toMatch(BYPASSES[2]![2]);
  });

  it('deploys under callers: warn (the default) and records the bypassing caller in the history', async () => {
    // Prepare
    const name = touch('warn-sqs-latest');
    await existingFunction(world, name);
    await BYPASSES[0]![1](world.lambda, name);
    const id = deploymentId('warn-callers');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }), artifact: await uploadArtifact(world, `warn/${id}.zip`, userCode('v2')) });

    // Assess
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    const history = await historyOf(world, id);
    const warning = history.find((event) => event.kind === 'callers');
    expect(warning?.message).toMatch(/^a caller bypasses alias \S+:live and will not see the canary: /);
    expect(warning?.message).toMatch(BYPASSES[0]![2]);
    expect(warning?.data).toMatchObject({ bypassing: [{ kind: 'eventSourceMapping', source: QUEUE, target: 'the unqualified function ($LATEST)' }] });
    expect(kinds(history).at(-1)).toBe('promoted');
  });

  it('has nothing to say about callers that invoke an alias', async () => {
    // Prepare: a mapping, a permission and a URL, all on alias live.
    const name = touch('alias-callers');
    await existingFunction(world, name);
    await world.lambda.send(new CreateEventSourceMappingCommand({ FunctionName: `${name}:live`, EventSourceArn: QUEUE }));
    await world.lambda.send(new AddPermissionCommand({ FunctionName: name, Qualifier: 'live', StatementId: 'sns-live', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: TOPIC }));
    await world.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, Qualifier: 'live', AuthType: 'AWS_IAM' }));
    const id = deploymentId('alias-callers');

    // Act
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'allAtOnce' }, { callers: 'strict' }), artifact: await uploadArtifact(world, `alias/${id}.zip`, userCode('v2')) });

    // Assess: all three are found, none bypasses, and strict lets the deployment through.
    expect(await executionEnd(world, executionArn)).toBe('SUCCEEDED');
    const { callers } = await world.plane.deps.callers.listCallers(name, { maxVersions: 50 });
    expect(callers.map((caller) => [caller.kind, caller.qualifier])).toEqual(
      expect.arrayContaining([
        ['eventSourceMapping', 'live'],
        ['permission', 'live'],
        ['functionUrl', 'live'],
      ]),
    );
    expect(kinds(await historyOf(world, id))).not.toContain('callers');
  });
});

describe('which callers bypass an alias', () => {
  const caller = (qualifier?: string): FunctionCaller => ({ kind: 'permission', id: 's', source: 'sns.amazonaws.com', ...(qualifier === undefined ? {} : { qualifier }) });

  it('counts the unqualified function, $LATEST and any version, never an alias', () => {
    expect(bypassingCallers([caller(), caller('$LATEST'), caller('7'), caller('live'), caller('beta')]).map((b) => b.target)).toEqual(['the unqualified function ($LATEST)', '$LATEST', 'version 7']);
  });
});
