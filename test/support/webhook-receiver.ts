import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as it arrived: its headers and its body, byte for byte. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The request line, headers and body as one text, to search for what must never be sent. */
  readonly raw: string;
}

/** What the receiver answers; `hang` never answers (the sender's timeout is what ends it). */
export type Answer = { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> } | { readonly hang: true };

/** A real HTTP server on 127.0.0.1 standing in for a team's webhook receiver. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Decides each answer; by default 200 `ok`. */
  answer: (request: ReceivedRequest) => Answer;
  stop(): Promise<void>;
}

/** Starts a receiver on a free port of 127.0.0.1. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const receiver = { answer: (): Answer => ({ status: 200, body: 'ok' }) } as { answer: (request: ReceivedRequest) => Answer };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const head = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n${req.rawHeaders.reduce((text, value, index) => text + (index % 2 === 0 ? `${value}: ` : `${value}\r\n`), '')}\r\n`;
      const request: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, raw: head + body };
      requests.push(request);
      const answer = receiver.answer(request);
      if ('hang' in answer) return;
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
