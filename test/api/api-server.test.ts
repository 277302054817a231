import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type LocalApiServer } from '../../local/api-server';
import type { HttpApiEvent } from '../../shared/interfaces/http/http';

/** The local API server in front of handlers that echo the payload-2.0 event they were given. */
describe('the local API server', () => {
  let server: LocalApiServer;
  const seen: { fn: string; event: HttpApiEvent }[] = [];

  beforeAll(async () => {
    const echo = (fn: string) => async (event: HttpApiEvent) => {
      seen.push({ fn, event });
      return { statusCode: 201, headers: { 'x-echo': fn, 'content-type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true };
    };
    server = await startApiServer({ port: 0, api: echo('api'), approvals: echo('approvals') });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('turns a request into an HTTP API payload 2.0 event and writes the structured response back', async () => {
    // Act
    const response = await fetch(`${server.url}/deployments/a%20b?function=x&limit=5&function=y`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Custom': 'Value', cookie: 'a=1; b=2' }, body: '{"spec":"ü"}' });
    const body = Buffer.from(await response.arrayBuffer());

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('api');
    expect([...body]).toEqual([0, 1, 2, 255]);
    const { event } = seen.at(-1)!;
    expect(event).toMatchObject({
      version: '2.0',
      rawPath: '/deployments/a%20b',
      rawQueryString: 'function=x&limit=5&function=y',
      queryStringParameters: { function: 'x,y', limit: '5' },
      cookies: ['a=1', 'b=2'],
      body: '{"spec":"ü"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/deployments/a%20b' } },
    });
    expect(event.headers?.['x-custom']).toBe('Value');
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  it('sends binary bodies base64-encoded, and approval paths to the approvals function', async () => {
    // Act
    await fetch(`${server.url}/approvals/x.a1?sig=s&exp=1`, { method: 'POST', headers: { 'content-type': 'application/zip' }, body: new Uint8Array([80, 75, 3, 4, 0, 255]) });

    // Assess
    const { fn, event } = seen.at(-1)!;
    expect(fn).toBe('approvals');
    expect(event.isBase64Encoded).toBe(true);
    expect([...Buffer.from(event.body!, 'base64')]).toEqual([80, 75, 3, 4, 0, 255]);
  });
});
