import { PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHandler as createSlackNotifier } from '../../functions/slack-notifier';
import { SlackWebhook } from '../../shared/adapters/slack-webhook';
import { decideApproval } from '../../shared/domain/deployment/approval';
import { deploymentId, executionEnd, existingFunction, guardAliases, mailTo, recordStatus, spec, startDeployment, subscribeEmail, uploadArtifact, userCode } from '../support/engine';
import { eventually } from '../support/local-aws';
import { startInterfaces, type InterfaceWorld } from '../api/world';
import { unsafeLeft } from '../output/hostile';
import { expectWellFormedBlockKit } from './block-kit';
import { startSlackStandIn } from './slack-stand-in';

const APPROVER = 'approver@example.com';

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
    world.aws.services.lambda.registerInProcessFunction({ functionName, handler: createSlackNotifier({ slack: new SlackWebhook(async () => slack.url), apiUrl: world.api.url }), timeout: 900 });
    const endpoint = `arn:aws:lambda:${world.aws.region}:000000000000:function:${functionName}`;
    for (const topic of [world.plane.approvalTopicArn, world.plane.notificationTopicArn]) {
      await world.plane.clients.sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: endpoint }));
    }
    await subscribeEmail(world, world.plane.approvalTopicArn, APPROVER);
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
    // Slack hears of every event (SlackEvents defaults to all): the request is the message with buttons.
    const message = await eventually(() => slack.received.find((m) => JSON.stringify(m).includes(id) && JSON.stringify(m).includes('"actions"')) as { text: string; blocks: Record<string, unknown>[] } | undefined, { what: 'the Slack message' });

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

  it('keeps the escape sequences, forged "Approve:" line, mention and link of a spec message out of the e-mail and the Slack message', async () => {
    // Prepare
    const name = touch('slack-hostile-fn');
    await existingFunction(world, name);
    const artifact = await uploadArtifact(world, `${name}/v2.zip`, userCode('v2'));
    const id = deploymentId(name);
    const message = 'ship it\u001b[2J\u001b]52;c;ZXZpbA==\u0007\u202e\nApprove: https://evil.example/a <!channel> <https://evil.example/b|Approve>';
    const steps = [{ type: 'setWeight', percent: 10 }, { type: 'approval', timeout: 3600, message }, { type: 'setWeight', percent: 50 }] as const;
    const { executionArn } = await startDeployment(world, { deploymentId: id, spec: spec(name, { kind: 'canary', steps: [...steps] }), artifact });
    const record = await recordStatus(world, id, 'AWAITING_APPROVAL');
    open.push({ approvalId: record.approvalId!, executionArn });

    // Act
    const mail = await eventually(async () => (await mailTo(world, APPROVER)).find((m) => m.body.includes(id)), { what: 'the approval e-mail' });
    const posted = await eventually(() => slack.received.find((m) => JSON.stringify(m).includes(id) && JSON.stringify(m).includes('"actions"')) as { text: string; blocks: { type: string; text?: { text: string; verbatim?: boolean }; elements?: { url?: string }[] }[] } | undefined, { what: 'the Slack message' });

    // Assess
    const linkLines = mail.body.split('\n').filter((line) => /^(Approve|Reject):/.test(line));
    expect(linkLines).toHaveLength(2);
    for (const line of linkLines) expect(line.slice(line.indexOf(' ') + 1).startsWith(`${world.api.url}/approvals/`), line).toBe(true);
    expect(unsafeLeft(mail.body)).toEqual([]);
    expect(mail.body).toContain('ship it\\u001b[2J\\u001b]52;c;ZXZpbA==\\u0007\\u202e\\nApprove: https://evil.example/a');
    expectWellFormedBlockKit(posted);
    const said = posted.blocks[2]!.text!;
    expect(said.verbatim).toBe(true);
    expect(said.text).toContain('&lt;!channel&gt; &lt;https://evil.example/b|Approve&gt;');
    expect(unsafeLeft(said.text)).toEqual([]);
    const buttons = posted.blocks.find((block) => block.type === 'actions')!.elements!;
    for (const button of buttons) expect(button.url!.startsWith(`${world.api.url}/approvals/`)).toBe(true);
  });

  it('posts an approval request whose links are not under fledge\'s API without buttons, naming the CLI commands instead', async () => {
    // Prepare
    const id = deploymentId('slack-foreign-links');
    const facts = {
      kind: 'approvalRequested',
      deploymentId: id,
      functionName: 'orders',
      alias: 'live',
      startedBy: 'ci',
      approvalId: `${id}.a2`,
      expiresAt: Date.now() + 3_600_000,
      currentWeight: 10,
      health: 'green',
      links: { approve: 'https://evil.example/approvals/x?intent=approve', reject: `${world.api.url}.evil.example/approvals/x?intent=reject` },
    };

    // Act
    await world.plane.clients.sns.send(
      new PublishCommand({ TopicArn: world.plane.approvalTopicArn, Subject: 'fledge: approve orders:live?', Message: 'approve?', MessageAttributes: { facts: { DataType: 'String', StringValue: JSON.stringify(facts) } } }),
    );
    const posted = await eventually(() => slack.received.find((m) => JSON.stringify(m).includes(id)) as { blocks: { type: string }[] } | undefined, { what: 'the Slack message' });

    // Assess
    expectWellFormedBlockKit(posted);
    expect(posted.blocks.map((block) => block.type)).not.toContain('actions');
    expect(JSON.stringify(posted)).not.toContain('evil.example');
    expect(JSON.stringify(posted)).toContain(`fledge approve ${id}`);
  });
});
