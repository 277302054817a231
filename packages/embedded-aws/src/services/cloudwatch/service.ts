import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { faultNamesByService, takeFault } from '../../faults';
import { newRequestId, sendAwsJsonError, type AwsErrorShape } from '../../protocol';
import type { AwsService, LocalContext, MetricsInternal } from '../../types';
import { alarmToWire } from './alarm';
import { AlarmStore } from './alarm-store';
import { CloudWatchApiError, invalidAction } from './errors';
import { dimensionList, type Json } from './input';
import { MetricStore } from './metric-store';
import { CloudWatchOperations } from './operations';

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const OPERATIONS = ['PutMetricData', 'GetMetricData', 'PutMetricAlarm', 'DescribeAlarms', 'DeleteAlarms', 'SetAlarmState'] as const;
type Operation = (typeof OPERATIONS)[number];

/** The embedded CloudWatch, with the API its siblings use to emit metrics. */
export interface CloudWatchService extends AwsService {
  readonly internal: MetricsInternal;
  /** Evaluates every alarm now (tests and the demo; the service also does it on its own schedule). */
  evaluateAlarms(): number;
}

/**
 * Query-protocol codes of the model's error shapes: the awsJson `__type` carries the shape
 * name, the `x-amzn-query-error` header the code the SDK reports as `Code`.
 */
const QUERY_CODES: Readonly<Record<string, string>> = {
  InternalServiceFault: 'InternalServiceError',
  InvalidParameterValueException: 'InvalidParameterValue',
  InvalidParameterCombinationException: 'InvalidParameterCombination',
  MissingRequiredParameterException: 'MissingParameter',
  ValidationException: 'ValidationError',
  InvalidFormatFault: 'InvalidFormat',
};

function sendError(response: ServerResponse, error: AwsErrorShape): void {
  const code = QUERY_CODES[error.code] ?? error.code;
  sendAwsJsonError(response, { ...error, queryCompatible: { code, fault: error.status >= 500 ? 'Receiver' : 'Sender' } });
}

/**
 * The embedded CloudWatch (awsJson1_0 with awsQuery-compatible errors, as the current SDK speaks
 * it): metrics, GetMetricData with metric math, metric alarms evaluated continuously on the
 * simulated clock, alarm actions published through the embedded SNS.
 */
export function createCloudWatchService(context: LocalContext): CloudWatchService {
  const options = context.options.cloudwatch ?? {};
  const intervalSeconds = options.evaluationIntervalSeconds ?? 10;
  const retentionSeconds = options.metricRetentionSeconds ?? 86_400;
  if (!(intervalSeconds > 0)) throw new RangeError(`cloudwatch.evaluationIntervalSeconds must be a positive number, got ${String(intervalSeconds)}`);
  if (!(retentionSeconds > 0)) throw new RangeError(`cloudwatch.metricRetentionSeconds must be a positive number, got ${String(retentionSeconds)}`);
  const metrics = new MetricStore({ retentionMs: retentionSeconds * 1000, maxPointsPerSeries: 200_000, now: () => context.clock.now() });
  const alarms = new AlarmStore(context.dataDir);
  const operations = new CloudWatchOperations(context, metrics, alarms);
  let stopEvaluating: AbortController | undefined;
  let loop: Promise<void> | undefined;

  const evaluateForever = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      try {
        await context.clock.sleep(intervalSeconds * 1000, signal);
      } catch {
        return;
      }
      try {
        operations.evaluateAll();
      } catch (error) {
        // An evaluation that fails (say, the alarms file cannot be written) must not end the loop.
        context.log(`cloudwatch: alarm evaluation failed: ${(error as Error).stack ?? String(error)}`);
      }
    }
  };

  return {
    signingName: 'monitoring',
    internal: { put: (namespace, datums) => operations.putInternal(namespace, datums) },
    evaluateAlarms: () => operations.evaluateAll(),

    async start() {
      alarms.load();
      stopEvaluating = new AbortController();
      loop = evaluateForever(stopEvaluating.signal);
    },

    async stop() {
      stopEvaluating?.abort(new Error('embedded CloudWatch stopped'));
      await loop;
    },

    async handle(request: IncomingMessage, response: ServerResponse, body: Buffer) {
      const target = String(request.headers['x-amz-target'] ?? '');
      if (request.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
        return sendError(response, { status: 400, code: 'InvalidAction', message: `The embedded CloudWatch speaks awsJson1_0 only: POST with X-Amz-Target ${TARGET_PREFIX}<Operation>${target ? `, got '${target}'` : ''}.` });
      }
      const operation = target.slice(TARGET_PREFIX.length);
      try {
        const fault = await takeFault(context, 'monitoring', operation, faultNamesByService.monitoring);
        if (fault) return sendError(response, fault);
        if (!(OPERATIONS as readonly string[]).includes(operation)) throw invalidAction(operation);
        const input = parseBody(request, body);
        const output = operations[operation as Operation](input);
        const text = JSON.stringify(output);
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': newRequestId() });
        response.end(text);
      } catch (error) {
        if (!(error instanceof CloudWatchApiError)) throw error;
        sendError(response, { status: error.status, code: error.shape, message: error.message });
      }
    },

    inspect(path: string, query: URLSearchParams) {
      if (path === 'alarms') return { alarms: alarms.all().map(alarmToWire) };
      if (path === 'metrics') {
        const series = metrics.list({ namespace: query.get('namespace') ?? undefined, metricName: query.get('name') ?? undefined });
        return {
          metrics: series.map((s) => ({
            Namespace: s.namespace,
            MetricName: s.metricName,
            Dimensions: dimensionList(s.dimensions),
            datapoints: s.points.map((p) => ({ timestamp: new Date(p.timestamp).toISOString(), sum: p.sum, sampleCount: p.sampleCount, minimum: p.minimum, maximum: p.maximum, ...(p.unit !== undefined && { unit: p.unit }) })),
          })),
        };
      }
      return undefined;
    },
  };
}

/** The JSON request body; PutMetricData bodies of 10 KB and more arrive gzip-compressed. */
function parseBody(request: IncomingMessage, body: Buffer): Json {
  let text: string;
  try {
    text = (String(request.headers['content-encoding'] ?? '').includes('gzip') ? gunzipSync(body) : body).toString('utf8');
  } catch (error) {
    throw new CloudWatchApiError('InvalidParameterValue', 'InvalidParameterValueException', 400, `The request body is declared gzip but cannot be decompressed: ${(error as Error).message}`, { cause: error });
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CloudWatchApiError('SerializationException', 'SerializationException', 400, `The request body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CloudWatchApiError('SerializationException', 'SerializationException', 400, 'The request body must be a JSON object.');
  return parsed as Json;
}
