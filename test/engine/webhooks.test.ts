import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookPoint, WebhookSpec, WebhooksSpec } from '../../shared/model/webhooks';
import { verifyWebhookSignature } from '../../shared/adapters/webhook-signing';
import { aliasOf, deploymentId, executionEnd, existingFunction, guardAliases, historyOf, spec, startDeployment, startEngine, TIMED_PAUSES, uploadArtifact, userCode, type EngineWorld } from '../support/engine';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../support/webhook-receiver';

/** The point a request was sent at, from its header (the body says it too). */
const pointOf = (request: ReceivedRequest): string => String(request.headers['x-fledge-point']);
const bodyOf = (request: ReceivedRequest): Record<string, unknown> => JSON.parse(request.body) as Record<string, unknown>;

describe('webhook gates on the embedded AWS', () => {
  let world: EngineWorld;
  let receiver: WebhookReceiver;
  const touch = guardAliases(() => world);

  beforeAll(async () => {
    // Webhook timeouts are real time while a task's limit (900 s) is simulated: at 0.01 it is 9 real
    // seconds, well above the 2 s a webhook that never answers holds a task here.
    world = await startEngine({ timeScale: 0.01 });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.stop();
    await world?.stop();
  });

  const webhook = (point: WebhookPoint, overrides: Partial<WebhookSpec> = {}): WebhookSpec => ({ name: `${point}-gate`, url: `${receiver.url}/fledge/${point}`, timeout: 5, retries: 1, metadata: { team: 'payments' }, ...overrides });
  const everyPoint = (overrides: Partial<Record<WebhookPoint, Partial<WebhookSpec>>> = {}): WebhooksSpec =>
    Object.fromEntries((['beforeTraffic', 'beforeStep', 'check', 'beforePromotion', 'onRollback'] as const).map((point) => [point, [webhook(point, overrides[point])]]));

  /** A canary at 20% for one check, with `webhooks`; returns what the deployment ended as. */
  async function deployWith(label: string, webhooks: WebhooksSpec) {
    const name = touch(`${label}-fn`);
    await existingFunction(world, name);
    const before = await aliasOf(world, name);
    const artifact = await uploadArtifact(world, `${label}/v2.zip`, userCode('v2'));
    const id = deploymentId(label);
    receiver.requests.length = 0;
    const { executionArn } = await startDeployment(world, {
      deploymentId: id,
      spec: spec(name, { kind: 'canary', steps: [{ type: 'setWeight', percent: 20 }, { type: 'pause', duration: 60 }] }, { health: TIMED_PAUSES, webhooks }),
      artifact,
    });
    const status = await executionEnd(world, executionArn);
    const record = await world.plane.deps.store.getDeployment(id);
    return { name, id, before, status, record, history: await historyOf(world, id), requests: [...receiver.requests] };
  }

  it('asks every point in order and proceeds on 2xx: signed requests with the facts, a retry under the same delivery id, each answer in the history', async () => {
    // Prepare: the check webhook answers 503 once, then 200.
    let checks = 0;
    receiver.answer = (request) => (pointOf(request) === 'check' && ++checks === 1 ? { status: 503, body: 'busy' } : { status: 200, body: 'go ahead' });

    // Act
    const { id, name, status, record, history, requests } = await deployWith('wh-go', everyPoint());

    // Assess: promoted, every gating point asked once (the check twice), in the deployment's order.
    expect(status).toBe('SUCCEEDED');
    expect(record?.status).toBe('SUCCEEDED');
    expect(requests.map(pointOf)).toEqual(['beforeTraffic', 'beforeStep', 'check', 'check', 'beforePromotion']);
    const now = Math.floor(Date.now() / 1000);
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.headers['content-type']).toBe('application/json');
      expect(verifyWebhookSignature(world.plane.webhookSecret, String(request.headers['x-fledge-signature']), request.body, now)).toBe(true);
      // A body changed on the way no longer verifies.
      expect(verifyWebhookSignature(world.plane.webhookSecret, String(request.headers['x-fledge-signature']), request.body.replace('"weight":', '"weight":1'), now)).toBe(false);
      // Never the secret, never a task token.
      expect(request.raw).not.toContain(world.plane.webhookSecret);
      expect(request.raw.toLowerCase()).not.toContain('token');
    }
    expect(bodyOf(requests[1]!)).toEqual({
      type: 'fledge.webhook',
      version: 1,
      point: 'beforeStep',
      deliveryId: `${id}.beforeStep.0.w0`,
      attempt: 1,
      sentAt: expect.any(String),
      deploymentId: id,
      function: name,
      alias: 'live',
      newVersion: '2',
      previousVersion: '1',
      weight: 0,
      nextWeight: 20,
      step: 0,
      webhook: 'beforeStep-gate',
      metadata: { team: 'payments' },
    });
    const [firstCheck, retriedCheck] = requests.filter((request) => pointOf(request) === 'check');
    expect(retriedCheck!.headers['x-fledge-delivery']).toBe(firstCheck!.headers['x-fledge-delivery']);
    expect([bodyOf(firstCheck!).attempt, bodyOf(retriedCheck!).attempt]).toEqual([1, 2]);
    expect(new Set(requests.map((request) => request.headers['x-fledge-delivery'])).size).toBe(4);

    const answers = history.filter((event) => event.kind === 'webhook');
    expect(answers.map((event) => event.data?.point).sort()).toEqual(['beforePromotion', 'beforeStep', 'beforeTraffic', 'check']);
    for (const answer of answers) expect(answer.data).toMatchObject({ outcome: 'go', status: 200, latencyMs: expect.any(Number), answer: 'go ahead' });
    expect(answers.find((event) => event.data?.point === 'check')?.data).toMatchObject({ tries: 2, attempts: [{ status: 503, latencyMs: expect.any(Number) }, { status: 200, latencyMs: expect.any(Number) }] });
    expect(answers.find((event) => event.data?.point === 'check')?.message).toMatch(/^check webhook check-gate \(127\.0\.0\.1:\d+\) answered 200 OK in \d+ ms after 2 tries: "go ahead": go$/);
  });

  it.each(['beforeTraffic', 'beforeStep', 'check', 'beforePromotion'] as const)('rolls back when the %s webhook says no, with its answer in the reason; the failing onRollback webhook is told and blocks nothing', async (point) => {
    // Prepare: the point answers 409 with a reason carrying a terminal escape; onRollback fails.
    receiver.answer = (request) => (pointOf(request) === point ? { status: 409, body: 'change freeze: payments\u001b[2J' } : pointOf(request) === 'onRollback' ? { status: 500, body: 'down' } : { status: 200 });

    // Act
    const { name, before, status, record, history, requests } = await deployWith(`wh-no-${point}`.toLowerCase(), everyPoint({ onRollback: { retries: 0 } }));

    // Assess: rolled back, the alias exactly as before, the receiver's words in the reason, escaped.
    expect(status).toBe('FAILED');
    expect(record?.status).toBe('ROLLED_BACK');
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect(record?.reason).toContain(`fledge.WebhookRejected: ${point} webhook ${point}-gate (127.0.0.1:`);
    expect(record?.reason).toContain('answered 409 Conflict');
    expect(record?.reason).toContain('change freeze: payments\\u001b[2J');
    expect(record?.reason).not.toContain('\u001b');
    expect(requests.filter((request) => pointOf(request) === point)).toHaveLength(1);
    const told = requests.filter((request) => pointOf(request) === 'onRollback');
    expect(told).toHaveLength(1);
    expect(bodyOf(told[0]!)).toMatchObject({ point: 'onRollback', outcome: 'ROLLED_BACK', reason: expect.stringContaining('answered 409 Conflict') });
    expect(history.find((event) => event.data?.point === 'onRollback')?.data).toMatchObject({ outcome: 'failed', status: 500 });
    expect(history.find((event) => event.data?.point === point)?.data).toMatchObject({ outcome: 'stop', status: 409 });
  });

  it('rolls back when a webhook does not answer in time, after trying again under the same delivery id', async () => {
    // Prepare: beforeStep never answers.
    receiver.answer = (request) => (pointOf(request) === 'beforeStep' ? { hang: true } : { status: 200 });

    // Act
    const { name, before, record, requests } = await deployWith('wh-slow', { beforeStep: [webhook('beforeStep', { timeout: 1, retries: 1 })] });

    // Assess
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toMatch(/^fledge\.WebhookUnreachable: beforeStep webhook beforeStep-gate \(127\.0\.0\.1:\d+\) gave no answer after 2 tries \(no answer within 1s, \d+ ms\)$/);
    expect(await aliasOf(world, name)).toEqual({ ...before, revisionId: expect.any(String) });
    expect((await historyOf(world, record!.deploymentId)).find((event) => event.kind === 'webhook')?.data).toMatchObject({ outcome: 'stop', tries: 2, attempts: [{ failure: 'timeout' }, { failure: 'timeout' }] });
    expect(requests.map((request) => [request.headers['x-fledge-delivery'], bodyOf(request).attempt])).toEqual([
      [`${record?.deploymentId}.beforeStep.0.w0`, 1],
      [`${record?.deploymentId}.beforeStep.0.w0`, 2],
    ]);
  });

  it('rolls back, saying so plainly, when a webhook\'s host refuses the connection', async () => {
    // Prepare: a port nothing listens on.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    // Act
    const { record } = await deployWith('wh-refused', { beforeTraffic: [webhook('beforeTraffic', { url: `http://127.0.0.1:${port}/gate`, retries: 0 })] });

    // Assess: nothing was shifted; the reason names the webhook and what happened.
    expect(record?.status).toBe('ROLLED_BACK');
    expect(record?.reason).toBe(`fledge.WebhookUnreachable: beforeTraffic webhook beforeTraffic-gate (127.0.0.1:${port}) gave no answer (connection refused (ECONNREFUSED), ${/(\d+) ms\)$/.exec(record?.reason ?? '')?.[1]} ms)`);
    expect(record?.currentWeight ?? 0).toBe(0);
  });
});
