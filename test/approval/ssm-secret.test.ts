import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsmSecret } from '../../shared/adapters/ssm-secrets';
import { ConfigurationError, TransientAwsError } from '../../shared/domain/deployment/errors';

/**
 * A stand-in for SSM's awsJson1_1 wire protocol (the embedded AWS has no SSM): answers
 * GetParameter for the parameters it knows, and records each request body.
 */
function ssmStandIn(parameters: Record<string, string>) {
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
  return { server, requests, failOnce: () => (failNext = 1) };
}

describe('secrets from SSM Parameter Store', () => {
  const standIn = ssmStandIn({ '/fledge/approval-secret': 's'.repeat(48) });
  let client: SSMClient;

  beforeAll(async () => {
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    client = new SSMClient({ endpoint: `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`, region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await new Promise((resolve) => standIn.server.close(resolve));
  });

  it('reads a SecureString with decryption once, then serves it from the cache', async () => {
    // Prepare
    const secret = new SsmSecret(client, '/fledge/approval-secret');
    const before = standIn.requests.length;

    // Act
    const values = [await secret.value(), await secret.value()];

    // Assess
    expect(values).toEqual(['s'.repeat(48), 's'.repeat(48)]);
    expect(standIn.requests.slice(before)).toEqual([{ target: 'AmazonSSM.GetParameter', body: { Name: '/fledge/approval-secret', WithDecryption: true } }]);
  });

  it('names a missing parameter as a configuration error', async () => {
    // Act
    const error = await new SsmSecret(client, '/fledge/missing').value().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe('SSM parameter /fledge/missing does not exist');
  });

  it('reports a 5xx as transient, without the secret, and reads again next time', async () => {
    // Prepare
    const secret = new SsmSecret(client, '/fledge/approval-secret', 0);
    standIn.failOnce();

    // Act
    const first = await secret.value().catch((e: unknown) => e);
    const second = await secret.value();

    // Assess
    expect(first).toBeInstanceOf(TransientAwsError);
    expect((first as Error).message).not.toContain('sss');
    expect(second).toBe('s'.repeat(48));
  });
});
