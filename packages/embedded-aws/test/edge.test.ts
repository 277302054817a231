import { describe, expect, it, afterEach } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { createSimClock } from '../src/clock';

describe('embedded AWS edge', () => {
  let aws: LocalAws | undefined;
  afterEach(async () => {
    await aws?.stop();
    aws = undefined;
  });

  it('refuses an unsigned request with an error that says why', async () => {
    // Prepare
    aws = await startLocalAws({ port: 0 });
    // Act
    const response = await fetch(`${aws.endpoint}/2015-03-31/functions`);
    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnrecognizedClientException', message: expect.stringContaining('not SigV4-signed') });
  });

  it('listens on loopback only by default', async () => {
    aws = await startLocalAws({ port: 0 });
    expect(aws.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('simulated clock', () => {
  it('runs simulated time faster by the inverse of the time scale', () => {
    // Prepare
    let real = 1_000_000;
    const clock = createSimClock(0.01, () => real);
    // Act
    real += 10;
    // Assess
    expect(clock.now()).toBe(1_000_000 + 1_000);
    expect(clock.toRealMs(60_000)).toBe(600);
  });

  it('sleeps longer than a single Node timer can wait without firing early', async () => {
    // Prepare: 30 simulated days at real speed is beyond setTimeout's 2^31-1 ms limit
    const clock = createSimClock(1);
    const aborted = new AbortController();
    let resolved = false;
    // Act
    const sleeping = clock.sleep(30 * 86_400_000, aborted.signal).then(() => (resolved = true), () => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 50));
    aborted.abort(new Error('test over'));
    // Assess
    expect(await sleeping).toBe('aborted');
    expect(resolved).toBe(false);
  });

  it('rejects a time scale that is not a positive number', () => {
    expect(() => createSimClock(0)).toThrow(/positive number/);
    expect(() => createSimClock(Number.NaN)).toThrow(/positive number/);
  });
});

describe('embedded AWS control routes', () => {
  let aws: LocalAws | undefined;
  afterEach(async () => {
    await aws?.stop();
    aws = undefined;
  });

  it('answers 404 with the route for an unknown control path', async () => {
    // Prepare
    aws = await startLocalAws({ port: 0 });
    // Act
    const response = await fetch(`${aws.endpoint}/_fledge/no-such-thing/here`);
    // Assess
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no control route GET /_fledge/no-such-thing/here' });
  });

  it('stops idempotently, so a signal handler and a test teardown may both stop it', async () => {
    // Prepare
    aws = await startLocalAws({ port: 0 });
    // Act
    const concurrent = Promise.all([aws.stop(), aws.stop()]);
    // Assess
    await expect(concurrent).resolves.toEqual([undefined, undefined]);
    await expect(aws.stop()).resolves.toBeUndefined();
  });

  it('reports a taken port as a LocalAwsStartError naming the address', async () => {
    // Prepare
    aws = await startLocalAws({ port: 0 });
    const port = Number(new URL(aws.endpoint).port);
    // Act
    const error = await startLocalAws({ port }).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'LocalAwsStartError', code: 'EADDRINUSE', message: expect.stringContaining(`127.0.0.1:${port}: the port is already in use`) });
  });
});
