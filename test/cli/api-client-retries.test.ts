import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiRequestError } from '../../cli/api-client';
import type { LocalDiscovery } from '../../local/discovery';

/** A stand-in for fledge's API that gives the answers it is handed, in order, and counts requests. */
async function standIn(answers: readonly { status: number; body: unknown }[]): Promise<{ url: string; requests: () => number; server: Server }> {
  let count = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const answer = answers[Math.min(count, answers.length - 1)]!;
      count += 1;
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests: () => count, server };
}

function clientFor(url: string): ApiClient {
  // `local` makes the client sign with fixed credentials: no AWS credential chain in a test.
  return new ApiClient({ apiUrl: url, region: 'us-east-1', local: { apiUrl: url, region: 'us-east-1' } as LocalDiscovery });
}

describe("the CLI's API client", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('sends a request again after a 503 the API marks retryable', async () => {
    // Prepare
    const api = await standIn([
      { status: 503, body: { error: { code: 'TryAgain', message: 'busy', retryable: true } } },
      { status: 202, body: { deploymentId: 'api-1' } },
    ]);
    server = api.server;

    // Act
    const answer = await clientFor(api.url).request('POST', '/deployments', { json: { spec: 'x' } });

    // Assess
    expect(answer).toEqual({ deploymentId: 'api-1' });
    expect(api.requests()).toBe(2);
  });

  it('does not send a request again after a 503 the API marks not retryable (a start it could not confirm)', async () => {
    // Prepare
    const api = await standIn([{ status: 503, body: { error: { code: 'StartUnconfirmed', message: 'look it up', retryable: false, details: { deploymentId: 'api-2' } } } }]);
    server = api.server;

    // Act
    const error = await clientFor(api.url).request('POST', '/deployments', { json: { spec: 'x' } }).catch((failure: unknown) => failure);

    // Assess
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ status: 503, code: 'StartUnconfirmed', retryable: false });
    expect(api.requests()).toBe(1);
  });
});
