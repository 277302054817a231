import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './run-cli';

/** SHA-256 for the verifying signer (the same algorithm, computed independently of the CLI's bundle). */
class Sha256 {
  private hash;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {
    this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', typeof this.secret === 'string' ? this.secret : Buffer.from(this.secret as ArrayBuffer));
  }
}

describe('CLI calls to the API on AWS', () => {
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [] }));
  });
  let url = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('are SigV4-signed for execute-api with credentials from the standard chain, and verify', async () => {
    // Prepare
    const env = { ...process.env, NO_COLOR: '1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: '', AWS_REGION: 'eu-west-1', AWS_PROFILE: '', FLEDGE_API_URL: url };

    // Act
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist/fledge.mjs'), 'history', 'orders api', '--limit', '5'], { cwd: ROOT, env, stdio: 'ignore' });
      child.on('close', resolve);
    });

    // Assess
    expect(code).toBe(0);
    expect(seen).toHaveLength(1);
    const request = seen[0]!;
    const authorization = String(request.headers.authorization);
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    const target = new URL(request.url, url);
    const query: Record<string, string> = {};
    for (const [key, value] of target.searchParams) query[key] = value;
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'authorization' && name !== 'connection').map(([k, v]) => [k, String(v)]));
    const signer = new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: env.AWS_SECRET_ACCESS_KEY }, sha256: Sha256 });
    const amzDate = String(request.headers['x-amz-date']);
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(';');
    const resigned = await signer.sign(
      { method: 'GET', protocol: 'http:', hostname: target.hostname, port: Number(target.port), path: target.pathname, query, headers: Object.fromEntries(Object.entries(headers).filter(([name]) => signedHeaders.includes(name))) },
      { signingDate },
    );
    expect(resigned.headers['authorization']).toBe(authorization);
    expect(query).toEqual({ function: 'orders api', limit: '5' });
  });
});
