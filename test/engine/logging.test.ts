import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { httpHandler as HttpHandlerFactory } from '../../functions/lib/http-handler';
import type { taskHandler as TaskHandlerFactory } from '../../functions/lib/task-handler';
import { parseApprovalTaskInput } from '../../shared/domain/deployment/input';
import type { HttpApiEvent } from '../../shared/interfaces/http/http';
import { spec } from '../support/engine';

// The functions' log lines (Powertools Logger behind fledge's wrappers), read as CloudWatch gets
// them: one JSON object per line on stdout.

const state = { deploymentId: 'dep-log-1', spec: spec('fn', { kind: 'allAtOnce' }), artifact: { bucket: 'b', key: 'k' }, startedBy: 'test', source: 'test' };
const context = { awsRequestId: 'req-1', functionName: 'fledge-dev-check', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fledge-dev-check', memoryLimitInMB: '256' };

let lines: string[];

/**
 * The wrappers (and fledge's errors, which they recognise by class) as a cold start loads them,
 * with the environment as set now: the logger reads it at load. Lambda says which starts are
 * cold on demand with AWS_LAMBDA_INITIALIZATION_TYPE.
 */
async function load() {
  vi.resetModules();
  const { taskHandler } = await import('../../functions/lib/task-handler');
  const { httpHandler } = await import('../../functions/lib/http-handler');
  const { HealthCheckFailedError } = await import('../../shared/model/engine-errors');
  return { taskHandler: taskHandler as typeof TaskHandlerFactory, httpHandler: httpHandler as typeof HttpHandlerFactory, HealthCheckFailedError };
}

const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0);
  vi.stubEnv('FLEDGE_LOG', '');
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('log lines of the task functions', () => {
  it('carry the function, the request, cold start and the deployment as correlation id', async () => {
    // Prepare
    const { taskHandler, HealthCheckFailedError } = await load();
    const handler = taskHandler('check', (event) => event as typeof state, async () => {
      throw new HealthCheckFailedError('alarm a is in ALARM');
    });

    // Act
    await handler(state, context).catch(() => undefined);
    await handler({ ...state, deploymentId: 'dep-log-2' }, { ...context, awsRequestId: 'req-2' }).catch(() => undefined);

    // Assess
    expect(lines.every((line) => /^[^\n]+\n$/.test(line))).toBe(true);
    expect(logged()).toEqual([
      expect.objectContaining({ level: 'WARN', message: 'check failed', service: 'fledge', function_name: 'fledge-dev-check', function_request_id: 'req-1', cold_start: true, correlation_id: 'dep-log-1', error: 'fledge.HealthCheckFailed', errorMessage: 'alarm a is in ALARM' }),
      expect.objectContaining({ function_request_id: 'req-2', cold_start: false, correlation_id: 'dep-log-2' }),
    ]);
  });

  it('never logs the event, so not an approval task token, even when POWERTOOLS_LOGGER_LOG_EVENT asks for it', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_LOGGER_LOG_EVENT', 'true');
    const { taskHandler } = await load();
    const handler = taskHandler('approval', parseApprovalTaskInput, async () => {
      throw new TypeError('boom');
    });

    // Act
    await handler({ state, taskToken: 'SECRET-TASK-TOKEN-123' }, context).catch(() => undefined);

    // Assess
    expect(logged()).toEqual([expect.objectContaining({ level: 'ERROR', message: 'approval failed unexpectedly', correlation_id: 'dep-log-1' })]);
    expect(lines.join('')).not.toContain('SECRET-TASK-TOKEN-123');
  });

  it('follow POWERTOOLS_LOG_LEVEL, and FLEDGE_LOG=off silences them', async () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'ERROR');
    const { taskHandler, HealthCheckFailedError } = await load();
    const refused = taskHandler('check', (event) => event as typeof state, async () => {
      throw new HealthCheckFailedError('alarm a is in ALARM');
    });
    const broken = taskHandler('check', (event) => event as typeof state, async () => {
      throw new TypeError('boom');
    });

    // Act
    await refused(state, context).catch(() => undefined);
    await broken(state, context).catch(() => undefined);
    vi.stubEnv('FLEDGE_LOG', 'off');
    await broken(state, context).catch(() => undefined);

    // Assess: the WARN is below the level; the second ERROR is silenced.
    expect(logged().map((line) => line['level'])).toEqual(['ERROR']);
  });
});

describe('log lines of the HTTP functions', () => {
  it('carry the HTTP request id as correlation id, and the refusal without the request', async () => {
    // Prepare
    const { httpHandler, HealthCheckFailedError } = await load();
    const handler = httpHandler('approvals', async () => {
      throw new HealthCheckFailedError('refused');
    }, (_error, requestId) => ({ response: { statusCode: 400, headers: {}, body: requestId }, expected: true }));
    const event: HttpApiEvent = { rawPath: '/approvals/a1', rawQueryString: 'sig=SIGNATURE-VALUE&exp=1', headers: {}, requestContext: { requestId: 'api-req-9', http: { method: 'GET' } } } as unknown as HttpApiEvent;

    // Act
    const response = await handler(event, context);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(logged()).toEqual([expect.objectContaining({ level: 'INFO', message: 'approvals: request refused', correlation_id: 'api-req-9', requestId: 'api-req-9', function_request_id: 'req-1', path: '/approvals/a1' })]);
    expect(lines.join('')).not.toContain('SIGNATURE-VALUE');
  });

  it('serve a caller that passes no Lambda context', async () => {
    // Prepare
    const { httpHandler } = await load();
    const handler = httpHandler('api', async () => ({ statusCode: 204, headers: {}, body: '' }), () => ({ response: { statusCode: 500, headers: {}, body: '' }, expected: false }));
    const event = { rawPath: '/deployments', headers: {}, requestContext: { requestId: 'api-req-10', http: { method: 'GET' } } } as unknown as HttpApiEvent;

    // Act
    const response = await handler(event);

    // Assess
    expect(response.statusCode).toBe(204);
  });
});
