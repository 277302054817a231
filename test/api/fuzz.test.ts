import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/api';
import type { HttpApiEvent, HttpResponse } from '../../shared/interfaces/http/http';
import type { DeploymentRecord } from '../../shared/model/deployment';
import { spec } from '../support/engine';
import { startInterfaces, type InterfaceWorld } from './world';

/**
 * The API's request parsing under random and mutated input: paths, query strings, headers, bodies,
 * cursors and idempotency keys go to the real handler (the Lambda's own, in-process) over the
 * embedded AWS. Whatever arrives: an answer (never a thrown error), never a 5xx, and never an
 * internal word — an exception name, a stack frame, a file path — that the request did not carry.
 */

/** Words that only an internal error puts in an answer. */
const INTERNAL = [/Exception/, /RangeError/, /TypeError/, /SyntaxError/, /ReferenceError/, /Maximum call stack/, /node_modules/, /\.[tj]s:\d/, /\n\s+at /, /\bstack\b/i, /\/work\//, /JSON at position/, /Unexpected token/];

const VALID_YAML = 'version: 1\nfunction: fuzz-fn\nalias: live\nartifact:\n  zip: fuzz-fn/v2.zip\nstrategy:\n  preset: AllAtOnce\ntimeout: 6h\n';
const SEEDED = 12;
/** Runs per property are multiplied by `FLEDGE_FUZZ_SCALE` (default 1) for a longer hunt by hand. */
const SCALE = Math.max(1, Number(process.env['FLEDGE_FUZZ_SCALE'] ?? '1') || 1);

/** Characters that break naive parsers: separators, escapes, controls, lone surrogates, brackets. */
const tricky = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('/', '%', '%2F', '%00', '%ZZ', '%E2%80%A8', '?', '&', '=', '#', '.', '..', '"', '\\', '{', '}', '[', ']', ':', '\u0000', '\u0007', '\n', '\u2028', '\uD800', '\uDFFF', 'é', '😀', '$LATEST', '__proto__', 'constructor') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const trickyText = (maxLength: number) => fc.string({ unit: tricky, maxLength });
const long = fc.integer({ min: 60, max: 4000 }).chain((n) => fc.constantFrom('a', 'Z', '9', '-', 'é', '%41').map((c) => c.repeat(n)));

/** Text with a few random edits: inserted, deleted, replaced and duplicated characters. */
function mutated(seed: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom('insert', 'delete', 'replace', 'duplicate'), text: trickyText(3) });
  return fc.tuple(seed, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([text, edits]) => {
    let out = text;
    for (const { at, kind, text: piece } of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (kind === 'insert') out = `${out.slice(0, i)}${piece}${out.slice(i)}`;
      else if (kind === 'delete') out = `${out.slice(0, i)}${out.slice(i + 1 + (at % 5))}`;
      else if (kind === 'replace') out = `${out.slice(0, i)}${piece}${out.slice(i + piece.length)}`;
      else out = `${out.slice(0, i)}${out.slice(i, i + 20)}${out.slice(i)}`;
    }
    return out;
  });
}

/** Percent-encodes what can be encoded; a lone surrogate goes through raw, as a broken client would send it. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

function seeded(i: number): DeploymentRecord {
  return {
    deploymentId: `fuzz-seed-${i}`,
    functionName: 'orders',
    alias: i % 2 === 0 ? 'live' : 'beta',
    status: 'SUCCEEDED',
    spec: spec('orders', { kind: 'allAtOnce' }),
    artifact: { bucket: 'b', key: `k/${i}.zip` },
    startedBy: 'seed',
    source: 'test',
    createdAt: Date.parse('2026-01-01T00:00:00Z') + i * 60_000,
    updatedAt: Date.parse('2026-01-01T00:00:00Z') + i * 60_000,
  };
}

describe('fuzzing the API request parsing', () => {
  let world: InterfaceWorld;
  let handle: (event: HttpApiEvent) => Promise<HttpResponse>;
  let cursor = '';

  beforeAll(async () => {
    world = await startInterfaces();
    await Promise.all(Array.from({ length: SEEDED }, (_, i) => world.plane.deps.store.createDeployment(seeded(i))));
    handle = createHandler(world.interfaceDeps);
    const page = await handle(event({ method: 'GET', rawPath: '/deployments', rawQueryString: 'function=orders&limit=2' }));
    cursor = (JSON.parse(page.body!) as { cursor: string }).cursor;
  });
  afterAll(async () => {
    await world?.stop();
  });

  function event(request: { method: string; rawPath: string; rawQueryString?: string; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean }): HttpApiEvent {
    return {
      version: '2.0',
      rawPath: request.rawPath,
      rawQueryString: request.rawQueryString ?? '',
      headers: request.headers ?? {},
      requestContext: { requestId: 'fuzz', http: { method: request.method, path: request.rawPath } },
      ...(request.body !== undefined ? { body: request.body, isBase64Encoded: request.isBase64Encoded ?? false } : {}),
    };
  }

  /** Sends one request; fails the property on a throw, a 5xx, or an internal word the request did not carry. */
  async function answers(request: Parameters<typeof event>[0]): Promise<HttpResponse> {
    const response = await handle(event(request));
    const sent = `${request.method} ${request.rawPath} ${request.rawQueryString ?? ''} ${JSON.stringify(request.headers ?? {})} ${request.body ?? ''}`;
    expect(response.statusCode, `${response.statusCode} for ${sent.slice(0, 300)}: ${response.body?.slice(0, 300)}`).toBeLessThan(500);
    for (const word of INTERNAL) {
      if (!word.test(sent)) expect(response.body ?? '', `${word} in the answer to ${sent.slice(0, 300)}`).not.toMatch(word);
    }
    if (response.statusCode >= 400) expect(JSON.parse(response.body!)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    return response;
  }

  const segment = fc.oneof(
    fc.constantFrom('fuzz-seed-1', 'no-such-id', 'orders', 'live', 'beta', '42', '$LATEST', 'a'.repeat(80)),
    trickyText(20).map(encode),
    trickyText(12),
    long,
  );
  const path = fc.oneof(
    segment.map((id) => `/deployments/${id}`),
    fc.tuple(segment, fc.constantFrom('stop', 'promote', 'approve', 'reject', 'stop/', 'x')).map(([id, action]) => `/deployments/${id}/${action}`),
    fc.tuple(segment, segment).map(([name, alias]) => `/functions/${name}/aliases/${alias}`),
    fc.constantFrom('/deployments', '/deployments/', '/', '', '//deployments', '/deployments//stop'),
    trickyText(60).map((text) => `/${text}`),
  );
  const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get'), trickyText(8));

  it('answers any path and method without a 5xx or an internal word', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, async (m, p) => {
        await answers({ method: m, rawPath: p });
      }),
      { numRuns: 200 * SCALE },
    );
  });

  it('answers any list query string, cursors altered or forged, without a 5xx or an internal word', async () => {
    const key = fc.oneof(fc.constantFrom('function', 'alias', 'status', 'since', 'limit', 'cursor'), trickyText(12));
    const value = fc.oneof(
      fc.constantFrom('orders', 'live', 'beta', 'SUCCEEDED', 'rolled_back', '0', '1', '100', '101', '-1', '1e3', '2026-01-01T00:00:00Z', '99999999999999999999', ''),
      fc.constant(null).map(() => cursor),
      mutated(fc.constant(null).map(() => cursor)),
      trickyText(40),
      long,
    );
    const raw = fc.oneof(
      fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')),
      fc.array(fc.tuple(key, value), { maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
      trickyText(80),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (query) => {
        await answers({ method: 'GET', rawPath: '/deployments', rawQueryString: query });
      }),
      { numRuns: 250 * SCALE },
    );
  });

  it('answers any start body, content type and Idempotency-Key without a 5xx or an internal word', async () => {
    const seeds = fc.constantFrom(
      JSON.stringify({ spec: VALID_YAML }),
      JSON.stringify({ spec: VALID_YAML, artifact: { bucket: 'fuzz-bucket', key: 'fuzz-fn/v2.zip', versionId: 'v1' } }),
      JSON.stringify({ spec: VALID_YAML, artifact: 's3://fuzz-bucket/fuzz-fn/v2.zip' }),
      JSON.stringify({ spec: { version: 1, function: 'fuzz-fn', alias: 'live', artifact: { zip: 'fuzz-fn/v2.zip' }, strategy: { preset: 'AllAtOnce' } } }),
      JSON.stringify({ spec: VALID_YAML, artifact: { imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v2' } }),
      VALID_YAML,
    );
    const deep = fc.tuple(fc.integer({ min: 50, max: 50_000 }), fc.constantFrom('[', '{"a":', '{"spec":')).map(([n, open]) => `${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}`);
    const body = fc.oneof(
      { weight: 4, arbitrary: mutated(seeds) },
      { weight: 1, arbitrary: seeds },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ spec: VALID_YAML, artifact: v })) },
      { weight: 1, arbitrary: trickyText(100) },
    );
    const type = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/yaml', 'text/yaml', 'text/plain', 'multipart/form-data', '');
    // Deep JSON bodies are the API's to refuse; the depth of YAML spec text is the spec parser's (docs/spec.md).
    const typedBody = fc.oneof({ weight: 6, arbitrary: fc.tuple(body, type) }, { weight: 1, arbitrary: fc.tuple(deep, fc.constantFrom('application/json', 'application/json; charset=utf-8')) });
    const idempotencyKey = fc.option(fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), trickyText(20), long), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(typedBody, idempotencyKey, fc.boolean(), async ([text, contentType], key, base64) => {
        const headers: Record<string, string> = { 'content-type': contentType, ...(key !== undefined ? { 'Idempotency-Key': key } : {}) };
        await answers({ method: 'POST', rawPath: '/deployments', headers, body: base64 ? Buffer.from(text).toString('base64') : text, isBase64Encoded: base64 });
      }),
      { numRuns: 250 * SCALE },
    );
  });

  it('answers any body on the control routes without a 5xx or an internal word', async () => {
    const seeds = fc.constantFrom(JSON.stringify({ reason: 'bad numbers' }), JSON.stringify({ approvalId: 'fuzz-seed-1.a1', comment: 'lgtm' }), '{}', '');
    const body = fc.oneof(mutated(seeds), seeds, fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)), trickyText(60));
    const route = fc.tuple(fc.constantFrom('fuzz-seed-1', 'no-such-id', 'a'.repeat(90)), fc.constantFrom('stop', 'promote', 'approve', 'reject')).map(([id, action]) => `/deployments/${id}/${action}`);
    await fc.assert(
      fc.asyncProperty(route, body, fc.constantFrom('application/json', 'text/plain', ''), async (p, text, contentType) => {
        await answers({ method: 'POST', rawPath: p, headers: { 'content-type': contentType }, body: text });
      }),
      { numRuns: 150 * SCALE },
    );
  });
});
