import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running {@link startSsmStandIn}. */
export interface SsmStandIn {
  /** e.g. http://127.0.0.1:4567: an SDK client's `endpoint`, or `AWS_ENDPOINT_URL_SSM`. */
  readonly endpoint: string;
  /** Every request: its `x-amz-target` and JSON body. */
  readonly requests: readonly { readonly target: string; readonly body: Record<string, unknown> }[];
  /** Answers the next request with a 500, as SSM does under trouble. */
  failOnce(): void;
  /** Puts a new value into a parameter (a rotation). */
  put(name: string, value: string): void;
  stop(): Promise<void>;
}

/**
 * A stand-in for SSM's awsJson1_1 wire protocol (the embedded AWS has no SSM): answers
 * GetParameter for the parameters it is given (as SecureStrings), `ParameterNotFound` otherwise.
 */
export async function startSsmStandIn(initial: Readonly<Record<string, string>>): Promise<SsmStandIn> {
  const parameters: Record<string, string> = { ...initial };
  const requests: { target: string; body: Record<string, unknown> }[] = [];
  let failNext = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Name: string };
      requests.push({ target: String(request.headers['x-amz-target']), body });
      const send = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(value));
      if (failNext > 0) {
        failNext -= 1;
        send(500, { __type: 'InternalServerError', message: 'try later' });
      } else if (body.Name in parameters) send(200, { Parameter: { Name: body.Name, Type: 'SecureString', Value: parameters[body.Name], Version: 1 } });
      else send(400, { __type: 'ParameterNotFound', message: '' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    failOnce: () => {
      failNext = 1;
    },
    put: (name, value) => {
      parameters[name] = value;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
