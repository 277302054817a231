import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { httpHandler } from '../../functions/lib/http-handler';
import { CursorSigner } from '../../shared/interfaces/http/api/cursor';
import { InvalidCursorError } from '../../shared/interfaces/http/errors';
import { firstTooDeep } from '../../shared/interfaces/http/json-depth';
import { duplicateKeys } from '../../shared/interfaces/http/json-keys';

/** How deeply a parsed JSON value nests arrays and objects. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('the JSON depth scan', () => {
  it('finds exactly the nesting depth JSON.parse sees, brackets inside strings included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        // Prepare
        const text = JSON.stringify(value);
        const depth = depthOf(value);

        // Act + Assess
        expect(firstTooDeep(text, depth)).toBeUndefined();
        if (depth > 0) expect(firstTooDeep(text, depth - 1)).toEqual(expect.any(Number));
      }),
      { numRuns: 300 },
    );
  });

  it('stops at the first bracket past the limit of a 1 MB deep text, without recursing', () => {
    // Prepare
    const text = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;

    // Act
    const at = firstTooDeep(text, 64);

    // Assess
    expect(at).toBe(64);
  });
});

describe('the duplicate key scan', () => {
  it('names every key given twice in one object, at any depth, and nothing else', () => {
    // Prepare
    const text = '{"a":1,"b":{"c":[{"d":1,"d":2},{"d":3}],"c":0},"s":"\\"a\\":{\\"a\\"","a":{"x":1},"e":[{"k":1},{"k":2}]}';

    // Act
    const found = duplicateKeys(text);

    // Assess
    expect(JSON.parse(text)).toBeTypeOf('object');
    expect(found).toEqual(['b.c[0].d', 'b.c', 'a']);
  });

  it('finds no duplicate in any JSON.stringify output', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(duplicateKeys(JSON.stringify(value))).toEqual([]);
      }),
    );
  });
});

describe('list cursors', () => {
  const signer = new CursorSigner(randomBytes(32));
  const filters = { functionName: 'orders', status: 'SUCCEEDED', since: 1_767_225_600_000 };
  const storeCursor = Buffer.from(JSON.stringify({ PK: 'DEP#seed-0001', SK: 'META', GSISK: '2026-01-01T00:00:00.000Z#seed-0001', GSI3PK: 'FN#orders#ST#SUCCEEDED' })).toString('base64url');

  it('opens what it sealed for the same filters', () => {
    // Act
    const opened = signer.open(signer.seal(storeCursor, filters), filters);

    // Assess
    expect(opened).toBe(storeCursor);
  });

  it('refuses a cursor changed in any single character', () => {
    // Prepare
    const cursor = signer.seal(storeCursor, filters);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';

    // Act
    const accepted: string[] = [];
    for (let at = 0; at < cursor.length; at += 1) {
      for (const replacement of [alphabet[(alphabet.indexOf(cursor[at]!) + 1) % alphabet.length]!, alphabet[(alphabet.indexOf(cursor[at]!) + 2) % alphabet.length]!]) {
        const altered = `${cursor.slice(0, at)}${replacement}${cursor.slice(at + 1)}`;
        try {
          signer.open(altered, filters);
          accepted.push(altered);
        } catch (error) {
          if (!(error instanceof InvalidCursorError)) throw error;
        }
      }
    }

    // Assess
    expect(accepted).toEqual([]);
  });

  it('refuses a cursor under other filters, from another secret, truncated or extended', () => {
    // Prepare
    const cursor = signer.seal(storeCursor, filters);
    const elsewhere = new CursorSigner(randomBytes(32)).seal(storeCursor, filters);

    // Act
    const attempts = [
      () => signer.open(cursor, { ...filters, status: 'FAILED' }),
      () => signer.open(cursor, { functionName: 'orders', status: 'SUCCEEDED' }),
      () => signer.open(cursor, { ...filters, since: filters.since + 1 }),
      () => signer.open(elsewhere, filters),
      () => signer.open(cursor.slice(0, -1), filters),
      () => signer.open(`${cursor}A`, filters),
      () => signer.open(`x${cursor}`, filters),
      () => signer.open('', filters),
    ];

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(InvalidCursorError);
  });

  it('refuses a secret shorter than 256 bits', () => {
    // Act + Assess
    expect(() => new CursorSigner(randomBytes(31))).toThrow(/at least 32 bytes/);
  });
});

describe('the HTTP wrapper', () => {
  it('answers a bare 500 naming only the request id when the error mapper itself fails', async () => {
    // Prepare
    process.env.FLEDGE_LOG ??= 'off';
    const handler = httpHandler(
      'test',
      async () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
      () => {
        throw new TypeError('the mapper broke at /work/shared/x.ts:1:2');
      },
    );

    // Act
    const response = await handler({ rawPath: '/deployments', requestContext: { requestId: 'req-1', http: { method: 'GET' } } });

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('req-1');
    expect(response.body).not.toMatch(/RangeError|Maximum call stack|TypeError|mapper|\/work\//);
  });
});
