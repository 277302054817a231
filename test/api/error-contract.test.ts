import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES, type ApiErrorCode } from '../../shared/interfaces/http/error-codes';
import { errorResponse } from '../../shared/interfaces/http/error-response';
import { ApiError } from '../../shared/interfaces/http/errors';
import { ApprovalClosedError, DeploymentFinishedError, InvalidTaskInputError, LockConflictError, NotFoundError, TransientAwsError } from '../../shared/model/engine-errors';

const codes = Object.keys(API_ERROR_CODES) as ApiErrorCode[];

/** docs/api.md's error table as `code → status`, each row's codes in backticks. */
function documentedCodes(): Record<string, number> {
  const text = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const start = text.indexOf('| status | code | when |');
  expect(start, 'docs/api.md has its error table').toBeGreaterThan(-1);
  const rows = text.slice(start).split('\n').slice(2);
  const table: Record<string, number> = {};
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const [, status, code] = row.split('|');
    for (const [, name] of code!.matchAll(/`(\w+)`/g)) table[name!] = Number(status!.trim());
  }
  return table;
}

describe('the API error contract', () => {
  it('documents in docs/api.md exactly the codes the API answers with, each with its status', () => {
    // Act
    const documented = documentedCodes();

    // Assess
    expect(documented).toEqual(Object.fromEntries(codes.map((code) => [code, API_ERROR_CODES[code].status])));
  });

  it('answers every code with the status of the table, retryable and retry-after only where the table says', () => {
    for (const code of codes) {
      // Prepare
      const { status } = API_ERROR_CODES[code];
      const retryable = (API_ERROR_CODES[code] as { retryable?: boolean }).retryable;

      // Act
      const { response } = errorResponse(new ApiError(code, `about ${code}`, { at: code }), 'req-1');

      // Assess
      const body = JSON.parse(response.body ?? '') as { error: { code: string; message: string; details?: unknown; retryable?: boolean } };
      expect(response.statusCode, code).toBe(status);
      expect(body.error, code).toEqual({ code, message: `about ${code}`, details: { at: code }, requestId: 'req-1', ...(retryable === undefined ? {} : { retryable }) });
      expect(response.headers?.['retry-after'], code).toBe(retryable ? '1' : undefined);
    }
  });

  it('answers the engine errors the API lets through with their code, status and own message', () => {
    // Prepare
    const cases: [Error, ApiErrorCode, string][] = [
      [new NotFoundError('no deployment d-1'), 'NotFound', 'no deployment d-1'],
      [new DeploymentFinishedError('d-1 ended'), 'DeploymentFinished', 'd-1 ended'],
      [new ApprovalClosedError('decided'), 'ApprovalClosed', 'decided'],
      [new LockConflictError('held', 'd-0'), 'LockConflict', 'held'],
      [new InvalidTaskInputError('bad cursor'), 'BadRequest', 'bad cursor'],
      [new TransientAwsError('DynamoDB throttled'), 'TryAgain', 'a service fledge depends on is busy; retry the request (it is safe to)'],
    ];

    for (const [error, code, message] of cases) {
      // Act
      const { response, expected } = errorResponse(error, 'req-2');

      // Assess
      const body = JSON.parse(response.body ?? '') as { error: { code: string; message: string } };
      expect(response.statusCode, code).toBe(API_ERROR_CODES[code].status);
      expect(body.error.code).toBe(code);
      expect(body.error.message).toBe(message);
      expect(expected, code).toBe(true);
    }
  });

  it('hides anything else behind InternalError and the request id', () => {
    // Act
    const { response, expected } = errorResponse(new RangeError('Maximum call stack size exceeded'), 'req-3');

    // Assess
    expect(response.statusCode).toBe(API_ERROR_CODES.InternalError.status);
    expect(response.body ?? '').not.toContain('Maximum call stack');
    expect(JSON.parse(response.body ?? '')).toMatchObject({ error: { code: 'InternalError', requestId: 'req-3' } });
    expect(expected).toBe(false);
  });
});
