import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../shared/model/deployment';
import { eventually } from '../support/local-aws';
import { spec } from '../support/engine';
import { startCliWorld, type CliWorld } from './cli-world';
import { ROOT } from './run-cli';

/** One raw HTTP request (fetch may not set Host), answered with status, headers and body text. */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('fledge dashboard (the CLI\'s local server)', () => {
  let world: CliWorld;
  let child: ChildProcess;
  let output = '';
  let url: URL;
  let cookie: string;

  beforeAll(async () => {
    world = await startCliWorld();
    const record: DeploymentRecord = { deploymentId: 'dash-running-1', functionName: 'orders', alias: 'live', status: 'RUNNING', spec: spec('orders', { kind: 'allAtOnce' }), artifact: { bucket: 'b', key: 'k' }, startedBy: 'seed', source: 'test', createdAt: Date.now(), updatedAt: Date.now() };
    await world.interfaceDeps.store.createDeployment(record);
    child = spawn(process.execPath, [join(ROOT, 'dist/fledge.mjs'), 'dashboard', '--local', '--port', '0'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FLEDGE_DIR: world.fledgeDir, AWS_REGION: world.aws.region }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const line = await eventually(async () => /^open (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)$/m.exec(output)?.[1], { timeoutMs: 20_000, what: `the dashboard's address (output so far: ${output})` });
    url = new URL(line);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const ended = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGINT');
      await ended;
    }
    await world?.stop();
  });

  it('trades the printed token for an HttpOnly, SameSite=Strict cookie and serves the page under a strict CSP', async () => {
    // Act
    const traded = await raw(url.href);
    cookie = String(traded.headers['set-cookie']).split(';')[0]!;
    const page = await raw(`${url.origin}/`, { headers: { cookie } });

    // Assess
    expect(traded.status).toBe(303);
    expect(traded.headers.location).toBe('/');
    expect(String(traded.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Path=\//);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'; script-src 'self'");
    expect(page.body).toContain('data-api="/api"');
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('forwards the allowed API calls signed, and records a decision as the signer', async () => {
    // Act
    const list = await raw(`${url.origin}/api/deployments?function=orders`, { headers: { cookie } });
    const missing = await raw(`${url.origin}/api/deployments/no-such-deployment`, { headers: { cookie } });
    const stop = await raw(`${url.origin}/api/deployments/dash-running-1/stop`, { method: 'POST', headers: { cookie, 'x-fledge-dashboard': '1', origin: url.origin, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'from the dashboard' }) });
    const record = await world.interfaceDeps.store.getDeployment('dash-running-1');

    // Assess
    expect(list.status).toBe(200);
    expect((JSON.parse(list.body) as { items: { deploymentId: string }[] }).items.map((d) => d.deploymentId)).toEqual(['dash-running-1']);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ error: { message: 'no deployment no-such-deployment' } });
    expect(stop.status).toBe(200);
    expect(record?.stopRequested).toMatchObject({ by: 'local', reason: 'from the dashboard' });
  });

  it('refuses other pages of this machine: no token, another Host, a decision without the page\'s header or from another origin, a call it does not forward', async () => {
    // Act
    const noCookie = await raw(`${url.origin}/api/deployments`);
    const wrongToken = await raw(`${url.origin}/?token=${'x'.repeat(43)}`);
    const rebound = await raw(`${url.origin}/api/deployments`, { headers: { cookie, host: `evil.example:${url.port}` } });
    const noHeader = await raw(`${url.origin}/api/deployments/dash-running-1/promote`, { method: 'POST', headers: { cookie } });
    const otherOrigin = await raw(`${url.origin}/api/deployments/dash-running-1/promote`, { method: 'POST', headers: { cookie, 'x-fledge-dashboard': '1', origin: 'http://evil.example' } });
    const notForwarded = await raw(`${url.origin}/api/functions/orders/aliases/live`, { headers: { cookie } });
    const start = await raw(`${url.origin}/api/deployments`, { method: 'POST', headers: { cookie, 'x-fledge-dashboard': '1', 'content-type': 'application/json' }, body: '{}' });
    const record = await world.interfaceDeps.store.getDeployment('dash-running-1');

    // Assess
    expect(noCookie.status).toBe(403);
    expect(wrongToken.status).toBe(403);
    expect(wrongToken.headers['set-cookie']).toBeUndefined();
    expect(rebound.status).toBe(421);
    expect(noHeader.status).toBe(403);
    expect(otherOrigin.status).toBe(403);
    expect(notForwarded.status).toBe(404);
    expect(start.status).toBe(404);
    expect(record?.promoteRequested).toBeUndefined();
  });
});
