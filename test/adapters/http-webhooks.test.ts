import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpWebhookSender, MAX_ANSWER_BYTES } from '../../shared/adapters/http-webhooks';
import { ConfigurationError } from '../../shared/model/engine-errors';
import { signWebhook, verifyWebhookSignature } from '../../shared/adapters/webhook-signing';

const SECRET = 'a-webhook-signing-secret-of-enough-length-0123456789';

describe('signing webhook requests', () => {
  it('verifies a signature over timestamp and body, and refuses a changed body, another key, an old timestamp or another spelling', () => {
    // Prepare
    const body = '{"point":"check","weight":20}';
    const header = signWebhook(SECRET, 1_700_000_000, body);

    // Act + Assess
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, header, body, 1_700_000_100)).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, body.replace('20', '100'), 1_700_000_100)).toBe(false);
    expect(verifyWebhookSignature('another-secret', header, body, 1_700_000_100)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, 1_700_000_000 + 301)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header.replace('t=1700000000', 't=1700000001'), body, 1_700_000_100)).toBe(false);
    expect(verifyWebhookSignature(SECRET, header.toUpperCase(), body, 1_700_000_100)).toBe(false);
    expect(verifyWebhookSignature(SECRET, undefined, body, 1_700_000_100)).toBe(false);
  });
});

describe("the receiver's check in docs/spec.md", () => {
  it('accepts what fledge signs and refuses a changed body, as the docs say', async () => {
    // Prepare: the Node example of docs/spec.md, run as written.
    const docs = readFileSync(new URL('../../docs/spec.md', import.meta.url), 'utf8');
    const code = /#### Verifying a webhook request[\s\S]*?```js\n([\s\S]*?)```/.exec(docs)?.[1] ?? '';
    const { verify } = (await import(`data:text/javascript,${encodeURIComponent(code)}`)) as { verify: (secret: string, header: string, body: string) => boolean };
    const body = '{"point":"beforeStep","weight":10}';
    const header = signWebhook(SECRET, Math.floor(Date.now() / 1000), body);

    // Act + Assess
    expect(code.split('\n').filter((line) => line.trim() !== '').length).toBeLessThanOrEqual(10);
    expect(verify(SECRET, header, body)).toBe(true);
    expect(verify(SECRET, header, body.replace('10', '100'))).toBe(false);
  });
});

describe('the HTTP webhook sender', () => {
  let server: Server;
  let url: string;
  let lastBodyLength = 0;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      req.resume();
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'https://elsewhere.example/collect?key=abc' });
        res.end();
      } else if (req.url === '/huge') {
        // An endless body: the sender must stop reading, not wait for its end.
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const pump = () => {
          while (res.write(chunk)) lastBodyLength += chunk.length;
        };
        res.on('drain', pump);
        pump();
      } else {
        res.writeHead(204);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sender = new HttpWebhookSender(async () => SECRET);
  const delivery = (path: string) => ({ url: `${url}${path}`, body: '{}', deliveryId: 'd.beforeStep.0.w0', point: 'beforeStep', timeoutMs: 5000 });

  it('never sends a request it cannot sign properly: an unreadable or short secret fails before anything is sent', async () => {
    // Prepare
    const before = requests;
    const unreadable = new HttpWebhookSender(() => Promise.reject(new ConfigurationError('SSM parameter /x does not exist')));
    const short = new HttpWebhookSender(async () => 'short');

    // Act + Assess
    await expect(unreadable.deliver(delivery('/ok'))).rejects.toThrow(ConfigurationError);
    await expect(short.deliver(delivery('/ok'))).rejects.toThrow('the webhook signing secret is 5 bytes long; it must be at least 32');
    expect(requests).toBe(before);
  });

  it('does not follow a redirect: the 3xx is the answer, with where it pointed', async () => {
    // Act
    const attempt = await sender.deliver(delivery('/redirect'));

    // Assess
    expect(attempt).toMatchObject({ kind: 'answered', status: 302, location: 'https://elsewhere.example/collect?key=abc' });
  });

  it('reads at most a few KiB of an answer however large it is', async () => {
    // Act
    const attempt = await sender.deliver(delivery('/huge'));

    // Assess
    expect(attempt.kind).toBe('answered');
    expect(attempt.kind === 'answered' && Buffer.byteLength(attempt.excerpt)).toBeLessThanOrEqual(MAX_ANSWER_BYTES);
    expect(lastBodyLength).toBeLessThan(64 * 1024 * 1024);
  });

  it('says a host name that does not resolve is not found', async () => {
    // Act
    const attempt = await sender.deliver({ ...delivery(''), url: 'https://fledge-webhook-test.invalid/gate' });

    // Assess
    expect(attempt).toMatchObject({ kind: 'failed', failure: 'network', message: expect.stringMatching(/^host not found \((ENOTFOUND|EAI_AGAIN)\)$/) });
  });
});
