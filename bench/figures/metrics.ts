import { DynamoDBClient, QueryCommand as RawQueryCommand } from '@aws-sdk/client-dynamodb';
import { serveLocalApi } from '../../local/mode-api';
import { DynamoDbDeploymentStore, deploymentKeys, endingKeys } from '../../shared/adapters/dynamodb-store';
import { LISTING_INDEXES, LISTING_SORT_KEY } from '../../shared/adapters/dynamodb-table';
import { deliveryMetrics } from '../../shared/domain/stats/delivery';
import type { DeploymentRecord, DeploymentStatus } from '../../shared/model/deployment';
import { median, round } from '../lib/stats';
import type { Figure } from '../lib/result';
import { benchSpec, startWorld } from '../lib/world';
import { loadItems } from '../lib/load-items';

/*
 * Figure: the delivery metrics at 100,000 deployments. The table is filled with ended deployments
 * (records as the engine leaves them: spec, artifact, snapshot, ending facts, and the keys of every
 * index, the metrics index included) spread over the last 400 days, then the metrics of the last
 * 90 days are read — overall and for one function — through the real store, with
 * ReturnConsumedCapacity, and through the real API (GET /metrics) for the wall time. For
 * comparison, the same window read from the `all` listing index, which projects whole records.
 */

const FUNCTIONS = 1_000;
const PER_FUNCTION = 100;
const SPAN_DAYS = 400;
const WINDOW_DAYS = 90;
const DAY = 86_400_000;
const STATUSES: readonly DeploymentStatus[] = ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'ROLLED_BACK', 'SUCCEEDED', 'NO_CHANGE', 'SUCCEEDED', 'FAILED', 'REJECTED'];

function endedRecord(f: number, k: number, now: number): DeploymentRecord {
  const functionName = `svc-${String(f).padStart(4, '0')}`;
  // Spread evenly over the span, functions interleaved.
  const endedAt = now - Math.floor(((k * FUNCTIONS + f + 0.5) / (FUNCTIONS * PER_FUNCTION)) * SPAN_DAYS * DAY);
  const status = STATUSES[(f * 7 + k) % STATUSES.length]!;
  const createdAt = endedAt - (20 + ((f + k) % 40)) * 60_000;
  const failed = status === 'ROLLED_BACK' || status === 'FAILED';
  return {
    deploymentId: `m-${functionName}-${String(k).padStart(4, '0')}`,
    functionName,
    alias: 'live',
    status,
    spec: benchSpec(functionName, { kind: 'canary', preset: 'Canary10Percent5Minutes', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }] }, { errorRate: { thresholdPercent: 5, minInvocations: 20 } }),
    artifact: { bucket: 'fledge-artifacts', key: `deployments/${functionName}/${k}.zip`, versionId: `v${k}` },
    startedBy: 'arn:aws:iam::123456789012:user/ci',
    source: 'api',
    createdAt,
    updatedAt: endedAt,
    startedAt: createdAt + 150,
    deadline: createdAt + 3_600_000,
    newVersion: String(k + 2),
    currentWeight: status === 'SUCCEEDED' ? 100 : 0,
    snapshot: { alias: { version: String(k + 1), weights: {}, revisionId: `rev-${k}` }, functionExisted: true },
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:fledge-deployment:m-${functionName}-${k}`,
    reason: failed ? `alarm fledge-${functionName}-live-v${k + 2} went to ALARM` : undefined,
    endedAt,
    tookTraffic: status === 'SUCCEEDED' || failed,
    ...(failed ? { failureDetectedAt: endedAt - 45_000 } : {}),
  } as DeploymentRecord;
}


/** Read capacity and requests of everything `client` queried while `work` ran (dynalite reports ConsumedCapacity as DynamoDB does). */
function metered(client: DynamoDBClient): { reset(): void; read(): { units: number; queries: number } } {
  let units = 0;
  let queries = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
      units += consumed?.CapacityUnits ?? 0;
      queries += 1;
      return out;
    },
    { step: 'initialize', name: 'fledgeBenchConsumedCapacity' },
  );
  return {
    reset: () => ((units = 0), (queries = 0)),
    read: () => ({ units, queries }),
  };
}

interface Read {
  readonly units: number;
  readonly queries: number;
  readonly items: number;
  readonly ms: number;
}

export const metricsFigure: Figure = {
  id: 'metrics',
  title: 'Delivery metrics at 100,000 deployments',
  async run({ quick }) {
    const functions = quick ? 100 : FUNCTIONS;
    const samples = quick ? 3 : 7;
    const world = await startWorld(1);
    const api = await serveLocalApi(world.plane.composition, { port: 0, host: '127.0.0.1' });
    const client = new DynamoDBClient({ endpoint: world.aws.endpoint, region: world.aws.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const meter = metered(client);
    try {
      const now = Date.now();
      function* items(): Generator<Record<string, unknown>> {
        for (let k = 0; k < PER_FUNCTION; k++) {
          for (let f = 0; f < functions; f++) {
            const record = endedRecord(f, k, now);
            yield { ...record, ...deploymentKeys(record), ...endingKeys(record.functionName, record.deploymentId, record.endedAt!) };
          }
        }
      }
      const began = performance.now();
      const written = await loadItems(world, items());
      const loadSeconds = (performance.now() - began) / 1000;

      const store = new DynamoDbDeploymentStore(client, world.plane.tableName, { now: () => Date.now(), sleep: async () => undefined });
      const from = now - WINDOW_DAYS * DAY;
      const to = now + 1;
      const measure = async (read: () => Promise<number>): Promise<Read> => {
        const runs: Read[] = [];
        for (let n = 0; n < samples; n++) {
          meter.reset();
          const t = performance.now();
          const count = await read();
          const ms = performance.now() - t;
          runs.push({ ...meter.read(), items: count, ms });
        }
        return { ...runs[0]!, ms: median(runs.map((r) => r.ms)) };
      };
      const overall = await measure(async () => {
        const endings = await store.listEndings({ from, to });
        deliveryMetrics(endings, { from, to });
        return endings.length;
      });
      const oneFunction = await measure(async () => (await store.listEndings({ from, to, functionName: 'svc-0007' })).length);
      // The same window through a listing index (whole records): what a metrics read without its own index would cost.
      const whole = await measure(async () => {
        let start: Record<string, unknown> | undefined;
        let count = 0;
        do {
          const out = await client.send(
            new RawQueryCommand({
              TableName: world.plane.tableName,
              IndexName: 'all',
              KeyConditionExpression: '#pk = :pk AND #sk >= :since',
              ExpressionAttributeNames: { '#pk': LISTING_INDEXES.all, '#sk': LISTING_SORT_KEY },
              ExpressionAttributeValues: { ':pk': { S: 'DEP' }, ':since': { S: new Date(from - 60 * 60_000).toISOString() } },
              ...(start ? { ExclusiveStartKey: start as never } : {}),
            }),
          );
          count += out.Count ?? 0;
          start = out.LastEvaluatedKey;
        } while (start);
        return count;
      });
      const apiMs: number[] = [];
      for (let n = 0; n < samples; n++) {
        const t = performance.now();
        const response = await fetch(`${api.url}/metrics?since=${WINDOW_DAYS}d`);
        const body = (await response.json()) as { overall?: { deployments: number } };
        if (response.status !== 200 || !body.overall) throw new Error(`GET /metrics: ${response.status}`);
        apiMs.push(performance.now() - t);
      }
      const total = functions * PER_FUNCTION;
      const fmt = (r: Read): string => `${round(r.units, 1).toLocaleString('en')} RCU in ${r.queries} Queries for ${r.items.toLocaleString('en')} endings, ${round(r.ms, 0)} ms`;
      return {
        timeScale: null,
        rows: [
          { measure: `metrics of the last ${WINDOW_DAYS} days, every function, ${total.toLocaleString('en')} deployments in the table`, value: fmt(overall), target: 'reads only the window\'s endings, a few fields each (well under the whole records)', pass: overall.units < whole.units / 3 },
          { measure: `metrics of the last ${WINDOW_DAYS} days, one function`, value: fmt(oneFunction), target: 'a key range per month: a few RCU', pass: oneFunction.units <= 4 },
          { measure: `the same ${WINDOW_DAYS} days read from a listing index (whole records), for comparison`, value: fmt(whole), target: 'reference', detail: true },
          { measure: `GET /metrics?since=${WINDOW_DAYS}d through the local API, ${total.toLocaleString('en')} deployments`, value: `${round(median(apiMs), 0)} ms (median of ${samples})`, target: 'informational (dynalite, not DynamoDB)' },
          { measure: `loading ${written.toLocaleString('en')} ended deployments`, value: `${round(loadSeconds, 1)} s`, target: 'keeps the bench under 10 min', pass: loadSeconds < 300, detail: true },
        ],
        notes: [
          `${total.toLocaleString('en')} ended deployments over ${functions.toLocaleString('en')} functions, their endings spread evenly over ${SPAN_DAYS} days (so about ${Math.round((total * WINDOW_DAYS) / SPAN_DAYS).toLocaleString('en')} in a ${WINDOW_DAYS}-day window); records as the engine leaves them (about 1 KB: spec, artifact, snapshot) with every index's keys. Read capacity is DynamoDB's own accounting as the embedded DynamoDB (dynalite) reports it with \`ReturnConsumedCapacity: TOTAL\`: eventually consistent reads, 0.5 unit per 4 KB of items read, rounded up per request page.`,
          'Why it stays cheap: the metrics index `byEndedMonth` is sparse (only ended deployments) and projects only the eight fields the metrics use (about 200 bytes an item instead of about 1 KB), partitioned by the month the deployment ended; a function\'s window is one key range per month. The cost grows with the endings in the window, not with the table; at 100,000 deployments a year, a 90-day overall read is a few hundred RCU — a fraction of a cent on demand.',
        ],
        data: { total, functions, loadSeconds, overall, oneFunction, whole, apiMs },
      };
    } finally {
      client.destroy();
      await api.stop();
      await world.stop();
    }
  },
};
