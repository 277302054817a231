import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateAliasCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { injectFault, listFaults } from '@fledge-local/embedded-aws';
import type { LocalDiscovery } from '../../local/discovery';
import { startTraffic, type TrafficRun } from '../../local/traffic';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb-store';
import { isTerminal } from '../../shared/model/deployment';
import { deploymentIdForObject } from '../../shared/domain/starter/ids';
import { startFledge, type Running } from '../local-mode/process';
import { ROLE, userCode } from '../support/engine';
import { eventually } from '../support/local-aws';
import { functionZip } from '../support/zip';
import type { CaseFigures } from './support/figures';
import { converged, judge, observe } from './support/invariants';
import { aliasState, WATCHER } from './support/world';
import './support/figures';

/**
 * `fledge local` as people run it — a process with a data directory — killed with SIGKILL (no
 * chance to stop cleanly) at each phase of a deployment, then started again on the same data
 * directory: the alias must end whole, on the version the deployment's status says, and the
 * deployment terminal and recorded. A phase that lasts only one AWS call (publishing, promoting,
 * rolling back) is held open with a `latency` fault on that call, and the kill lands while the
 * call waits.
 */

/** Real seconds per simulated second of the local mode under test. */
const TIME_SCALE = '0.01';
/** A latency that outlasts the test: the call is still waiting when the process dies. */
const HELD_CALL_MS = 60 * 60_000;
const FUNCTION = 'crash-fn';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

const SPEC = `version: 1
function: ${FUNCTION}
alias: live
artifact:
  zip: builds/${FUNCTION}/v2.zip
strategy:
  canary:
    steps:
      - setWeight: 50
      - pause: 3m
      - approval: { timeout: 1h }
health:
  errorRate: { threshold: 50, minInvocations: 2 }
  checkInterval: 1m
timeout: 6h
`;

/** Where the kill lands, and how the test gets the deployment there. */
interface Phase {
  readonly name: string;
  /** How the deployment is requested (default: the API). */
  readonly door?: 'api' | 'drop';
  /** Before the deployment is requested: holds a one-call phase open. */
  arm?(local: LocalDiscovery): Promise<void>;
  /** Whether the deployment is in the phase now (polled); `detail` is undefined while it has no record. */
  reached(local: LocalDiscovery, deploymentId: string, detail: DeploymentView | undefined): Promise<boolean>;
  /** At the approval: what the person does (after arming a held call of the phase). */
  readonly atApproval?: { readonly decision: 'approve' | 'reject'; readonly hold: string };
}

interface DeploymentView {
  readonly status: string;
  readonly approvalId?: string;
  readonly events: readonly { readonly kind: string }[];
}

/** A held call has been taken once its one-use rule is gone from the faults list. */
const heldCallTaken = async (local: LocalDiscovery, operation: string) => !(await listFaults(local.endpoint)).some((rule) => rule.operation === operation);
const holdCall = (local: LocalDiscovery, operation: string) => injectFault(local.endpoint, { service: 'lambda', operation, kind: 'latency', latencyMs: HELD_CALL_MS, count: 1 }).then(() => undefined);
/** The S3 trigger's first call: reading the dropped spec. */
const holdS3Read = (local: LocalDiscovery) => injectFault(local.endpoint, { service: 's3', operation: 'GetObject', kind: 'latency', latencyMs: HELD_CALL_MS, count: 1 }).then(() => undefined);

const PHASES: readonly Phase[] = [
  // The S3 drop answers nobody: once the spec is in the bucket, the deployment must happen.
  { name: 'starting a deployment dropped into S3', door: 'drop', arm: (local) => holdS3Read(local), reached: (local) => heldCallTaken(local, 'GetObject') },
  { name: 'publishing the new version', arm: (local) => holdCall(local, 'PublishVersion'), reached: (local) => heldCallTaken(local, 'PublishVersion') },
  { name: 'holding 50% of the traffic', reached: async (_local, _id, detail) => detail?.status === 'RUNNING' && detail.events.some((event) => event.kind === 'weight') },
  { name: 'waiting for an approval', reached: async (_local, _id, detail) => detail?.status === 'AWAITING_APPROVAL' },
  { name: 'promoting after the approval', atApproval: { decision: 'approve', hold: 'UpdateAlias' }, reached: (local) => heldCallTaken(local, 'UpdateAlias') },
  { name: 'rolling back after a rejection', atApproval: { decision: 'reject', hold: 'UpdateAlias' }, reached: (local) => heldCallTaken(local, 'UpdateAlias') },
];

describe('fledge local killed (SIGKILL) during a deployment and restarted on the same data directory', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function start(cwd: string, dataDir: string): Running {
    const running = startFledge(['local', '--port', '0', '--api-port', '0', '--time-scale', TIME_SCALE, '--data-dir', dataDir], { cwd });
    cleanups.push(() => {
      if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
    });
    return running;
  }

  async function ready(running: Running, cwd: string): Promise<LocalDiscovery> {
    await eventually(() => (running.stdout.includes('Press Ctrl+C to stop.') ? true : undefined), { timeoutMs: 30_000, what: `fledge local to be up (stdout: ${running.stdout} stderr: ${running.stderr})` });
    return JSON.parse(await readFile(join(cwd, '.fledge', 'local.json'), 'utf8')) as LocalDiscovery;
  }

  async function detail(local: LocalDiscovery, id: string): Promise<DeploymentView | undefined> {
    const response = await fetch(`${local.apiUrl}/deployments/${id}`);
    return response.status === 200 ? ((await response.json()) as DeploymentView) : undefined;
  }

  /** v1 behind `live`, the v2 zip in the bucket, and the watcher's subscription (kept across restarts, as the topics are). */
  async function prepare(local: LocalDiscovery): Promise<LambdaClient> {
    const config = { endpoint: local.endpoint, region: local.region, credentials, maxAttempts: 1 };
    const lambda = new LambdaClient(config);
    const s3 = new S3Client({ ...config, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
    const sns = new SNSClient(config);
    await lambda.send(new CreateFunctionCommand({ FunctionName: FUNCTION, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: functionZip(userCode('v1')) } }));
    await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: FUNCTION }))).State === 'Active' ? true : undefined), { what: `${FUNCTION} to be Active` });
    await lambda.send(new PublishVersionCommand({ FunctionName: FUNCTION }));
    await lambda.send(new CreateAliasCommand({ FunctionName: FUNCTION, Name: 'live', FunctionVersion: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: local.bucket, Key: `builds/${FUNCTION}/v2.zip`, Body: functionZip(userCode('v2')) }));
    for (const topicArn of [local.approvalTopicArn, local.notificationTopicArn]) await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email-json', Endpoint: WATCHER }));
    s3.destroy();
    sns.destroy();
    cleanups.push(() => lambda.destroy());
    return lambda;
  }

  /** Requests the deployment through the phase's door; resolves to its id. */
  async function requestDeployment(local: LocalDiscovery, phase: Phase): Promise<string> {
    if (phase.door === 'drop') {
      const s3 = new S3Client({ endpoint: local.endpoint, region: local.region, credentials, maxAttempts: 1, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
      const key = 'deployments/crash/release.yaml';
      const out = await s3.send(new PutObjectCommand({ Bucket: local.bucket, Key: key, Body: SPEC.replace(`zip: builds/${FUNCTION}/v2.zip`, `zip: s3://${local.bucket}/builds/${FUNCTION}/v2.zip`) }));
      s3.destroy();
      return deploymentIdForObject({ bucket: local.bucket, key, ...(out.VersionId ? { versionId: out.VersionId } : {}), ...(out.ETag ? { eTag: out.ETag.replace(/"/g, '') } : {}) });
    }
    const posted = await fetch(`${local.apiUrl}/deployments`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'idempotency-key': `crash-${phase.name.replace(/\W+/g, '-')}` }, body: SPEC });
    expect(posted.status).toBe(202);
    return ((await posted.json()) as { deploymentId: string }).deploymentId;
  }

  for (const phase of PHASES) {
    it(`killed while ${phase.name}: the alias ends whole and agreeing with the status, the deployment terminal, recorded, its lock released`, async ({ task }) => {
      // Prepare
      const began = performance.now();
      const cwd = await mkdtemp(join(tmpdir(), 'fledge-crash-'));
      cleanups.push(() => rm(cwd, { recursive: true, force: true }));
      const dataDir = join(cwd, 'data');
      const first = start(cwd, dataDir);
      const before = await ready(first, cwd);
      const lambda = await prepare(before);
      await phase.arm?.(before);
      const id = await requestDeployment(before, phase);
      let traffic: TrafficRun | undefined;
      let decided = false;
      await eventually(
        async () => {
          const view = await detail(before, id);
          const alias = await aliasState(before.endpoint, FUNCTION);
          if (!traffic && alias && Object.keys(alias.weights).length > 0) traffic = startTraffic({ client: lambda, functionName: FUNCTION, alias: 'live', rps: 20 });
          if (phase.atApproval && !decided && view?.status === 'AWAITING_APPROVAL' && view.approvalId) {
            await holdCall(before, phase.atApproval.hold);
            const answer = await fetch(`${before.apiUrl}/deployments/${id}/${phase.atApproval.decision}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ approvalId: view.approvalId }) });
            expect(answer.status).toBe(200);
            decided = true;
          }
          if (view && isTerminal(view.status as never)) throw new Error(`deployment ${id} ended ${view.status} before the phase "${phase.name}" was reached`);
          return (await phase.reached(before, id, view)) ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 20, what: `deployment ${id} to be ${phase.name}` },
      );

      // Act
      first.child.kill('SIGKILL');
      await first.exit;
      await traffic?.stop();
      const second = start(cwd, dataDir);
      const after = await ready(second, cwd);
      const store = new DynamoDbDeploymentStore(new DynamoDBClient({ endpoint: after.endpoint, region: after.region, credentials, maxAttempts: 1 }), after.tableName, { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
      const approved = new Set<string>();
      const expectation = { deploymentId: id, oldVersion: '1', newVersion: '2', refusedAtDoor: false };
      const ended = await eventually(async () => {
        const record = await store.getDeployment(id);
        // The person is still there: a deployment that starts again after the restart may ask.
        if (record?.status === 'AWAITING_APPROVAL' && record.approvalId && !approved.has(record.approvalId)) {
          approved.add(record.approvalId);
          await fetch(`${after.apiUrl}/deployments/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ approvalId: record.approvalId }) });
        }
        // Ended with everything an ending does (the status is written first, the history after).
        return record && isTerminal(record.status) && converged(judge(await observe({ endpoint: after.endpoint, store, watcher: WATCHER }, id, FUNCTION), expectation)) ? record : undefined;
      }, { timeoutMs: 30_000, intervalMs: 100, what: `deployment ${id} to end after the restart` }).catch(() => undefined);
      const judgement = judge(await observe({ endpoint: after.endpoint, store, watcher: WATCHER }, id, FUNCTION), expectation);
      const figures: CaseFigures = {
        suite: 'crash',
        id: `crash.${phase.name.replace(/\W+/g, '-')}`,
        phase: phase.name,
        door: phase.door ?? 'api',
        faultsTaken: 0,
        status: judgement.status,
        ...(judgement.reason ? { reason: judgement.reason } : {}),
        aliasSplit: judgement.aliasSplit,
        aliasDisagrees: judgement.aliasDisagrees,
        lost: judgement.lost,
        outcomeChanged: false,
        lockHeld: judgement.lockHeld,
        historyMissing: judgement.historyMissing,
        notificationsWrong: judgement.notificationsWrong,
        faultNotReached: false,
        problems: [...judgement.problems, ...(ended ? [] : ['the deployment had not ended (terminal, whole, recorded, unlocked, notified) within 30 s of the restart'])],
        seconds: (performance.now() - began) / 1000,
      };
      task.meta.reliability = figures;
      second.child.kill('SIGTERM');
      await second.exit;

      // Assess
      expect(figures.problems, `${figures.id}: ${figures.status}${figures.reason ? ` (${figures.reason})` : ''}`).toEqual([]);
    });
  }
});
