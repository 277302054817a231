import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createSlackNotifier } from '../../functions/slack-notifier';
import { SlackWebhook } from '../../shared/adapters/slack-webhook';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { deploymentId, executionEnd, existingFunction, guardAliases, recordStatus, spec, startDeployment, uploadArtifact, userCode } from '../support/engine';
import { eventually } from '../support/local-aws';
import { startInterfaces, type InterfaceWorld } from '../api/world';
import { expectWellFormedBlockKit } from './block-kit';

/** A local HTTP server standing in for Slack's incoming webhook: records every JSON body it gets. */
async function startSlackStandIn(): Promise<{ url: string; received: unknown[]; contentTypes: string[]; server: Server }> {
  const received: unknown[] = [];
  const contentTypes: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      contentTypes.push(request.headers['content-type'] ?? '');
      try {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } catch {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXX`, received, contentTypes, server };
}

describe('the Slack notifier', () => {
  let world: InterfaceWorld;
  let slack: Awaited<ReturnType<typeof startSlackStandIn>>;
  const touch = guardAliases(() => world);
  const open: { approvalId: string; executionArn: string }[] = [];
  afterEach(async () => {
    for (const { approvalId, executionArn } of open.splice(0)) {
      if ((await world.plane.deps.store.getApproval(approvalId))?.status === 'PENDING') await decideApproval(world.plane.deps, { approvalId, approve: false, by: 'test cleanup' });
      await executionEnd(world, executionArn);
    }
  });

  beforeAll(async () => {
    slack = await startSlackStandIn();
    world = await startInterfaces();
    const functionName = 'fledge-slack-notifier';
    world.aws.services.lambda.registerInProcessFunction({ functionName, handler: createSlackNotifier({ slack: new SlackWebhook(async () => slack.url) }), timeout: 900 });
    const endpoint = `arn:aws:lambda:${world.aws.region}:000000000000:function:${functionName}`;
    for (const topic of [world.plane.approvalTopicArn, world.plane.notificationTopicArn]) {
      await world.plane.clients.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: endpoint }));
    }
  });
  afterAll(async () => {
    await world?.stop();
    await new Promise((resolve) => slack?.server.close(resolve));
  });

  it('posts a well-formed Block Kit approval request with Approve and Reject link buttons', async () => {
    // Prepare
    const name = touch('slack-fn');
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const id = deploymentId(name);
    const steps = [{ type: 'setWeight', percent: 10 }, { type: 'approval', timeout: 3600, message: 'ship it? <!channel> & *bold*' }, { type: 'setWeight', percent: 50 }] as const;
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'canary', steps: [...steps] }), artifact, startedBy: 'ci@example.com' });
    const record = await recordStatus(world, id, 'AWAITING_APPROVAL');
    open.push({ approvalId: record.approvalId!, executionArn });

    // Act
    const message = await eventually(() => slack.received.find((m) => JSON.stringify(m).includes(id)) as { text: string; blocks: Record<string, unknown>[] } | undefined, { what: 'the Slack message' });

    // Assess
    expectWellFormedBlockKit(message);
    expect(slack.contentTypes[0]).toMatch(/^application\/json/);
    expect(message.blocks.map((block) => block['type'])).toEqual(['header', 'section', 'section', 'actions', 'context']);
    expect(JSON.stringify(message.blocks[0])).toContain(`Approve ${name}:live?`);
    expect(JSON.stringify(message.blocks[2])).toContain('ship it? &lt;!channel&gt; &amp; *bold*');
    const buttons = (message.blocks[3] as { elements: { text: { text: string }; url: string; style: string }[] }).elements;
    expect(buttons.map((b) => [b.text.text, b.style])).toEqual([['Approve…', 'primary'], ['Reject…', 'danger']]);
    expect(buttons[0]!.url).toMatch(new RegExp(`^${world.api.url}/approvals/.+\\?sig=[A-Za-z0-9_-]{43}&exp=\\d+&intent=approve$`));
    const page = await fetch(buttons[0]!.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`${name}:live`);
  });

  it('posts the rollback that follows a rejection', async () => {
    // Prepare
    const name = touch('slack-rollback-fn');
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const id = deploymentId(name);
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'approval', timeout: 3600 }, { type: 'setWeight', percent: 50 }] }), artifact });
    const record = await recordStatus(world, id, 'AWAITING_APPROVAL');

    // Act
    await decideApproval(world.plane.deps, { approvalId: record.approvalId!, approve: false, by: 'bob@example.com' });
    await executionEnd(world, executionArn);

    // Assess
    const message = await eventually(() => slack.received.find((m) => JSON.stringify(m).includes(id) && JSON.stringify(m).includes('Rolled back')) as { blocks: unknown[] } | undefined, { what: 'the rollback message' });
    expectWellFormedBlockKit(message);
    expect(JSON.stringify(message)).toContain('rejected by bob@example.com');
    expect(JSON.stringify(message)).not.toContain('"actions"');
  });
});
