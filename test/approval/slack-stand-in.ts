import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server standing in for Slack's incoming webhook: records every JSON body it gets. */
export async function startSlackStandIn(): Promise<{ url: string; received: unknown[]; contentTypes: string[]; server: Server }> {
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
