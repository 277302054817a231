import { serveLocalApi } from '../../local/mode-api';
import { deploymentKeys } from '../../shared/adapters/dynamodb-store';
import type { DeploymentRecord, DeploymentStatus } from '../../shared/model/deployment';
import { quantile, round } from '../lib/stats';
import type { Figure } from '../lib/result';
import { benchSpec, startWorld } from '../lib/world';
import { IN_FLIGHT, loadItems } from '../lib/load-items';

/*
 * Figure 5. The deployments table filled with synthetic history, then the real deployments API
 * (functions/api.ts behind local/api-server.ts, as `fledge local` serves it) asked, one request at
 * a time, for a function's newest page and for single deployments. Two tables with the same
 * history per function (100 deployments each) and 100 times as many functions: a page must not
 * care how big the table is. Loaded with BatchWriteItem, 25 items a request, several requests in
 * flight; how long that takes is part of the figure, since it bounds the bench's own run time.
 */

const PER_FUNCTION = 100;
const EVENTS_PER_PROBED = 12;
const PROBED = 1_000;
const STATUSES: readonly DeploymentStatus[] = ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'ROLLED_BACK', 'NO_CHANGE', 'REJECTED'];

interface Dataset {
  readonly records: number;
  readonly functions: number;
  readonly loadSeconds: number;
  readonly itemsPerSecond: number;
  readonly list: Latency;
  readonly get: Latency;
  readonly listPageSize: number;
  readonly getEvents: number;
}

interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly samples: number;
}

/** The item the store writes for a record: the record plus its key and listing-index attributes. */
function deploymentItem(record: DeploymentRecord): Record<string, unknown> {
  return { ...record, ...deploymentKeys(record) };
}

function syntheticRecord(fnIndex: number, k: number, now: number): DeploymentRecord {
  const functionName = `svc-${String(fnIndex).padStart(4, '0')}`;
  const createdAt = now - (PER_FUNCTION - k) * 3_600_000 - fnIndex * 1_000;
  const status = STATUSES[(fnIndex + k) % STATUSES.length]!;
  return {
    deploymentId: `hist-${functionName}-${String(k).padStart(4, '0')}`,
    functionName,
    alias: 'live',
    status,
    spec: benchSpec(functionName, { kind: 'canary', preset: 'Canary10Percent5Minutes', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 300 }] }, { errorRate: { thresholdPercent: 5, minInvocations: 20 } }),
    artifact: { bucket: 'fledge-artifacts', key: `deployments/${functionName}/${k}.zip`, versionId: `v${k}` },
    startedBy: 'arn:aws:iam::123456789012:user/ci',
    source: 'api',
    createdAt,
    updatedAt: createdAt + 420_000,
    startedAt: createdAt + 150,
    deadline: createdAt + 3_600_000,
    newVersion: String(k + 2),
    currentWeight: status === 'SUCCEEDED' ? 100 : 0,
    snapshot: { alias: { version: String(k + 1), weights: {}, revisionId: `rev-${k}` }, functionExisted: true },
    executionArn: `arn:aws:states:us-east-1:000000000000:execution:fledge-deployment:hist-${functionName}-${k}`,
  };
}

function eventItems(record: DeploymentRecord): Record<string, unknown>[] {
  return Array.from({ length: EVENTS_PER_PROBED }, (_, n) => ({
    PK: `DEP#${record.deploymentId}`,
    SK: `EV#e-${String(n).padStart(4, '0')}`,
    type: 'event',
    deploymentId: record.deploymentId,
    key: `e-${String(n).padStart(4, '0')}`,
    kind: n === 0 ? 'started' : n === EVENTS_PER_PROBED - 1 ? 'promoted' : 'check',
    at: record.createdAt + n * 30_000,
    message: `check ${n} at 10%: alarm fledge-${record.functionName}-live-v${record.newVersion ?? '2'} OK`,
    data: { weight: 10, alarms: [{ name: `fledge-${record.functionName}-live-v2`, state: 'OK' }], verdict: 'bake' },
  }));
}


async function timed(url: string, check: (body: unknown) => void): Promise<number> {
  const began = performance.now();
  const response = await fetch(url);
  const body = await response.json();
  const ms = performance.now() - began;
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  check(body);
  return ms;
}

async function dataset(functions: number, samples: number): Promise<Dataset> {
  // Nothing here waits on the simulated clock; time scale 1 keeps timestamps real.
  const world = await startWorld(1);
  const api = await serveLocalApi(world.plane.composition, { port: 0, host: '127.0.0.1' });
  try {
    const now = Date.now();
    const probedEvery = Math.max(1, Math.floor((functions * PER_FUNCTION) / PROBED));
    const probed: DeploymentRecord[] = [];
    function* items(): Generator<Record<string, unknown>> {
      let n = 0;
      for (let k = 0; k < PER_FUNCTION; k++) {
        for (let f = 0; f < functions; f++) {
          const record = syntheticRecord(f, k, now);
          yield deploymentItem(record);
          if (n++ % probedEvery === 0 && probed.length < PROBED) {
            probed.push(record);
            yield* eventItems(record);
          }
        }
      }
    }
    const began = performance.now();
    const written = await loadItems(world, items());
    const loadSeconds = (performance.now() - began) / 1000;

    const listMs: number[] = [];
    const getMs: number[] = [];
    let pageSize = 0;
    let events = 0;
    // A few unmeasured requests first: the first ones pay for connection set-up and JIT.
    for (let n = -20; n < samples; n++) {
      const fn = `svc-${String((n * 7919 + 13) % functions).padStart(4, '0')}`;
      const ms = await timed(`${api.url}/deployments?function=${fn}`, (body) => {
        pageSize = (body as { items: unknown[] }).items.length;
      });
      const record = probed[Math.abs(n * 104_729) % probed.length]!;
      const getMsOne = await timed(`${api.url}/deployments/${record.deploymentId}`, (body) => {
        events = (body as { events: unknown[] }).events.length;
      });
      if (n >= 0) {
        listMs.push(ms);
        getMs.push(getMsOne);
      }
    }
    const latency = (values: number[]): Latency => ({ p50: quantile(values, 0.5), p99: quantile(values, 0.99), samples: values.length });
    return { records: functions * PER_FUNCTION, functions, loadSeconds, itemsPerSecond: written / loadSeconds, list: latency(listMs), get: latency(getMs), listPageSize: pageSize, getEvents: events };
  } finally {
    await api.stop();
    await world.stop();
  }
}

export const historyFigure: Figure = {
  id: 'history',
  title: 'History at scale',
  async run({ quick }) {
    const samples = quick ? 50 : 300;
    const small = await dataset(10, samples);
    const large = await dataset(quick ? 100 : 1_000, samples);
    const ratio = (a: number, b: number): number => a / b;
    // "The same": within 1.5× at p50 and 2× at p99 (p99 of 300 sequential requests on a shared 2-core machine is noisy).
    const listSame = ratio(large.list.p50, small.list.p50) <= 1.5 && ratio(large.list.p99, small.list.p99) <= 2;
    const getSame = ratio(large.get.p50, small.get.p50) <= 1.5 && ratio(large.get.p99, small.get.p99) <= 2;
    const fmt = (l: Latency): string => `p50 ${round(l.p50, 1)} ms, p99 ${round(l.p99, 1)} ms`;
    return {
      timeScale: null,
      rows: [
        { measure: `GET /deployments?function= (a page of ${large.listPageSize}), ${large.records.toLocaleString('en')} records over ${large.functions.toLocaleString('en')} functions`, value: `${fmt(large.list)} (×${round(ratio(large.list.p50, small.list.p50), 2)} / ×${round(ratio(large.list.p99, small.list.p99), 2)} of the small table)`, target: 'the same as with 1,000 records (p50 within 1.5×, p99 within 2×)', pass: listSame },
        { measure: `GET /deployments?function=, ${small.records.toLocaleString('en')} records over ${small.functions} functions`, value: fmt(small.list), target: 'baseline' },
        { measure: `GET /deployments/{id} (record + ${large.getEvents} events), ${large.records.toLocaleString('en')} records`, value: `${fmt(large.get)} (×${round(ratio(large.get.p50, small.get.p50), 2)} / ×${round(ratio(large.get.p99, small.get.p99), 2)})`, target: 'the same as with 1,000 records', pass: getSame },
        { measure: `GET /deployments/{id}, ${small.records.toLocaleString('en')} records`, value: fmt(small.get), target: 'baseline' },
        { measure: `loading ${large.records.toLocaleString('en')} records into the embedded DynamoDB (BatchWriteItem ×25, ${IN_FLIGHT} in flight)`, value: `${round(large.loadSeconds, 1)} s (${Math.round(large.itemsPerSecond).toLocaleString('en')} items/s)`, target: 'keeps the bench under 10 min', pass: large.loadSeconds < 300 },
      ],
      notes: [
        `Both tables hold ${PER_FUNCTION} deployments per function (so a function's page is the same page), with six listing indexes as fledge's table has (shared/adapters/dynamodb-table.ts); the large one has 100 times as many functions. Records look like real ones (spec, artifact, snapshot, about 1 KB); ${PROBED.toLocaleString('en')} of them, spread over the table, also have a ${EVENTS_PER_PROBED}-event timeline, and the by-id requests ask for those. ${samples} sequential requests of each kind, after 20 unmeasured ones, over HTTP to the local API server (functions/api.ts's handler, the real DynamoDbDeploymentStore, dynalite in process).`,
        'Why a page costs the same: every listing is one Query on a GSI partition (`FN#<function>`) with `Limit` and newest-first order, and a deployment is one Query on its own partition (`DEP#<id>`), so neither reads anything in proportion to the table. The absolute figures are dynalite\'s (a LevelDB in memory, in the same process as the API), not DynamoDB\'s single-digit milliseconds.',
      ],
      data: { small, large },
    };
  },
};
