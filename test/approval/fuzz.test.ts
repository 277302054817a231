import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/approval-pages';
import { ApiError } from '../../shared/interfaces/http/errors';
import type { HttpApiEvent, HttpResponse } from '../../shared/interfaces/http/http';
import { parseApiDecisionBody } from '../../shared/interfaces/http/approval/input';
import { approvalIdFor } from '../../shared/domain/deployment/approval';
import { spec } from '../support/engine';
import { startInterfaces, type InterfaceWorld } from '../api/world';

/** Text that must never reach a response: stack frames, exception and engine error names, the task token. */
const INTERNAL = [/\n\s+at /, /Exception/, /\bError\b/, /fledge\.[A-Z]/, /Maximum call stack/, /undefined/, /\[object /, /fuzz-task-token/];
const STATUSES = [200, 400, 403, 404, 405, 409, 410, 413, 415];

/** Characters that make other spellings (%, =, +, /, &), break parsers, or are not ASCII; plus any ASCII. */
const char = fc.oneof(fc.constantFrom('%', '%2', '%ZZ', '=', '+', '/', '-', '_', ' ', '.', '&', '?', '#', '\u0000', 'é', '\u{1F600}', '\uFFFD', '\ud800'), fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }));
const text = (maxLength = 60) => fc.string({ unit: char, maxLength });

/** One random edit of `value` that changes it: replace, insert or delete a character, percent-encode one, or repeat a `&` piece. */
function mutated(value: string) {
  return fc
    .oneof(
      fc.record({ at: fc.nat(Math.max(0, value.length - 1)), with: char }).map(({ at, with: c }) => `${value.slice(0, at)}${c}${value.slice(at + 1)}`),
      fc.record({ at: fc.nat(value.length), with: text(3) }).map(({ at, with: t }) => `${value.slice(0, at)}${t}${value.slice(at)}`),
      fc.nat(Math.max(0, value.length - 1)).map((at) => `${value.slice(0, at)}${value.slice(at + 1)}`),
      fc.nat(Math.max(0, value.length - 1)).map((at) => `${value.slice(0, at)}%${value.charCodeAt(at).toString(16).padStart(2, '0')}${value.slice(at + 1)}`),
      fc.nat(8).map((n) => {
        const pieces = value.split('&');
        const piece = pieces[n % pieces.length]!;
        return [...pieces, piece].join('&');
      }),
    )
    .filter((changed) => changed !== value);
}

/** Form bodies that can never be a decision: a field repeated, or a field the page does not send. */
const refusedForm = fc.oneof(
  fc.constantFrom('decision=approve&decision=reject', 'decision=reject&decision=approve', 'decision=approve&decision=approve', 'decision=approve&name=a&name=b'),
  fc.tuple(fc.constantFrom('decision=approve', 'decision=reject', 'name=x&decision=approve'), fc.string({ unit: fc.constantFrom('x', 'y', 'approvalId', '_'), minLength: 1, maxLength: 3 }), text(10)).map(([base, field, value]) => `${base}&${new URLSearchParams([[field, value]]).toString()}`),
  text(80).filter((body) => !body.includes('decision')),
);

describe('the approval pages under random and mutated requests', () => {
  let world: InterfaceWorld;
  let handler: ReturnType<typeof createHandler>;
  const deploymentId = 'fuzz-deployment';
  const approvalId = approvalIdFor(deploymentId, 2);
  let link: { path: string; query: string };

  beforeAll(async () => {
    world = await startInterfaces();
    handler = createHandler({ ...world.interfaceDeps, signer: async () => world.signer });
    // A deployment waiting for approval, with a task token no execution knows: were a request
    // to get through, the approval would end (not stay PENDING), which the last test checks.
    const now = world.aws.clock.now();
    const { store } = world.plane.deps;
    await store.createDeployment({ deploymentId, functionName: 'fuzz-fn', alias: 'live', status: 'AWAITING_APPROVAL', spec: spec('fuzz-fn', { kind: 'allAtOnce' }), artifact: { bucket: 'b', key: 'k' }, startedBy: 'fuzz', source: 'test', createdAt: now, updatedAt: now, approvalId });
    await store.putApproval({ approvalId, deploymentId, taskToken: 'fuzz-task-token', status: 'PENDING', requestedAt: now, expiresAt: now + 24 * 3_600_000 });
    const { sig, exp } = world.signer.sign(approvalId, now + 24 * 3_600_000);
    link = { path: `/approvals/${approvalId}`, query: `sig=${sig}&exp=${exp}` };
  });
  afterAll(async () => {
    await world?.stop();
  });

  function event(request: { method: string; path: string; query: string; contentType?: string | undefined; body?: string; base64?: boolean }): HttpApiEvent {
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: request.path,
      rawQueryString: request.query,
      headers: request.contentType === undefined ? {} : { 'content-type': request.contentType },
      requestContext: { requestId: 'fuzz', http: { method: request.method, path: request.path } },
      ...(request.body === undefined ? {} : { body: request.body, isBase64Encoded: request.base64 ?? false }),
    };
  }

  /** The handler's answer: never a throw, a 5xx, a non-HTML body, or internal text. */
  async function answered(request: Parameters<typeof event>[0]): Promise<HttpResponse> {
    const response = await handler(event(request), { functionName: 'fledge-approvals', awsRequestId: 'fuzz' } as never);
    expect(STATUSES, `${request.method} ${request.path}?${request.query} → ${response.statusCode}`).toContain(response.statusCode);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    for (const pattern of INTERNAL) expect(response.body ?? '', `${request.method} ${request.path}?${request.query}`).not.toMatch(pattern);
    return response;
  }

  const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'get', 'P0ST', '');
  const contentType = fc.constantFrom(undefined, 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', '', ';;;');

  it('answers random requests with a 4xx page, never a 5xx, a throw or internal text', async () => {
    // Prepare
    const path = fc.oneof(text(40).map((t) => `/${t}`), text(40).map((t) => `/approvals/${t}`), fc.constant('/approvals/'), fc.constant(`/approvals/${approvalId}/extra`));
    const request = fc.record({ method, path, query: text(120), contentType, body: fc.oneof(text(200), fc.string({ unit: 'binary-ascii', maxLength: 200 })), base64: fc.boolean() });

    // Act + Assess
    await fc.assert(fc.asyncProperty(request, async (r) => void (await answered(r))), { numRuns: 300 });
  });

  it('answers mutated links and refused forms with a 4xx page (a GET may still show a link that only gained an ignored parameter)', async () => {
    // Prepare
    const request = fc.record({
      method: fc.constantFrom('GET', 'HEAD', 'POST'),
      path: fc.oneof(fc.constant(link.path), mutated(link.path)),
      query: fc.oneof(mutated(link.query), fc.constantFrom(`${link.query}&${link.query}`, link.query.replace('sig=', 'sig=0'), link.query.replace(/exp=/, 'exp=0'), link.query.replace(/exp=/, 'exp=%2B'))),
      contentType,
      body: refusedForm,
    });

    // Act + Assess
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const response = await answered(r);
        if (r.method === 'POST') expect(response.statusCode, `POST ${r.path}?${r.query}`).not.toBe(200);
      }),
      { numRuns: 300 },
    );
  });

  it('answers a valid link with a refused form with 400, and nothing was decided by any request', async () => {
    // Prepare
    const request = fc.record({ body: refusedForm.filter((b) => b.includes('=')), charset: fc.constantFrom('', '; charset=utf-8') });

    // Act
    await fc.assert(
      fc.asyncProperty(request, async ({ body, charset }) => {
        const response = await answered({ method: 'POST', ...link, contentType: `application/x-www-form-urlencoded${charset}`, body });
        expect([400]).toContain(response.statusCode);
      }),
      { numRuns: 150 },
    );

    // Assess
    expect(await world.plane.deps.store.getApproval(approvalId)).toMatchObject({ status: 'PENDING' });
    expect((await answered({ method: 'GET', ...link })).statusCode).toBe(200);
  });

  it('reads any approve/reject body of the API as a decision or a 4xx refusal, never a throw of anything else', () => {
    // Prepare
    const json = fc.oneof(
      fc.json(),
      fc.dictionary(fc.constantFrom('approvalId', 'comment', 'decision', '__proto__', 'constructor', ''), fc.jsonValue()).map((o) => JSON.stringify(o)),
      fc.tuple(fc.constantFrom('approvalId', 'comment'), fc.jsonValue(), fc.jsonValue()).map(([k, a, b]) => `{"${k}": ${JSON.stringify(a)}, "${k}": ${JSON.stringify(b)}}`),
      text(200),
    );
    const request = fc.record({ body: json, contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', '') });

    // Act + Assess
    fc.assert(
      fc.property(request, ({ body, contentType }) => {
        try {
          const parsed = parseApiDecisionBody({ method: 'POST', path: '/deployments/d/approve', query: {}, headers: { 'content-type': contentType }, body: Buffer.from(body, 'utf8'), requestId: 'fuzz' });
          return Object.keys(parsed).every((key) => key === 'approvalId' || key === 'comment');
        } catch (error) {
          return error instanceof ApiError && error.status >= 400 && error.status < 500 && !INTERNAL.some((pattern) => pattern.test(error.message));
        }
      }),
      { numRuns: 1000 },
    );
  });
});
