import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AwsService, LambdaInternal, LocalContext } from '../../types';
import { AliasOperations } from './aliases';
import { CodeStore } from './code-store';
import { LambdaControlPlane } from './control-plane';
import { Invoker } from './invoker';
import { takeLambdaFault } from './faults';
import { LambdaMetrics } from './metrics';
import type { VersionActivation } from './model';
import { parseFunctionName } from './names';
import { handleLambdaRequest, type LambdaApi } from './routes';
import { EnvironmentPool } from './runtime/environment-pool';

/** Defaults of `LocalAwsOptions.lambda`. */
export const LAMBDA_DEFAULTS = {
  /** Simulated ms a function stays Pending after create and InProgress after an update. */
  updateDelayMs: 500,
  /** Warm execution environments kept per version (concurrent invocations beyond wait). */
  maxEnvironmentsPerVersion: 4,
  /** Real ms an unused execution environment is kept warm. */
  idleTimeoutMs: 300_000,
} as const;

/** The embedded Lambda as the other services and the tests see it. */
export interface LambdaService extends AwsService {
  readonly internal: LambdaInternal;
  /**
   * Test hook: versions of `functionName` published from now on stay `Pending` for `pendingMs` of
   * simulated time (SnapStart snapshots, container images and Managed Instances take minutes on
   * AWS), during which invocations routed to them fail with ResourceConflictException; then they
   * are Active, or `Failed` with `failure` (StateReason / StateReasonCode). `undefined` restores
   * the default: Pending for `lambda.updateDelayMs`, then Active. The function must exist.
   */
  setVersionActivation(functionName: string, activation: VersionActivation | undefined): void;
}

/**
 * The embedded Lambda (restJson1, signing name `lambda`): functions, versions, aliases with
 * weighted routing, and Invoke running real Node.js code in isolated warm worker threads, with
 * AWS's semantics and error names. State, code and aliases persist under `<dataDir>/lambda`.
 */
export function createLambdaService(context: LocalContext): LambdaService {
  const settings = { ...LAMBDA_DEFAULTS, ...context.options.lambda };
  const location = { region: context.region, accountId: context.accountId };
  const codes = new CodeStore(context.dataDir);
  const pool = new EnvironmentPool(settings.maxEnvironmentsPerVersion, settings.idleTimeoutMs);
  const plane = new LambdaControlPlane({
    location,
    clock: context.clock,
    updateDelayMs: settings.updateDelayMs,
    dataDir: context.dataDir,
    codes,
    s3: () => context.services.s3,
    codeLocation: (zipKey) => `${context.endpoint()}/_fledge/lambda/code/${zipKey}`,
    onStale: (name, version) => pool.retire(version === undefined ? `${name}\u0000` : `${name}\u0000${version}\u0000`),
  });
  const takeFault = (operation: string) => takeLambdaFault(context, operation);
  const invoker = new Invoker({
    plane,
    pool,
    codes,
    metrics: new LambdaMetrics(() => context.services.metrics, context.log),
    clock: context.clock,
    endpoint: context.endpoint,
    takeFault,
    log: context.log,
  });
  const api: LambdaApi = { plane, aliases: new AliasOperations(plane), invoker, location, takeFault, log: context.log };

  const internal: LambdaInternal = {
    invoke: (nameOrArn, payload, options = {}) =>
      invoker.invoke({
        ref: parseFunctionName(nameOrArn, options.qualifier, location),
        payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
        invocationType: options.invocationType ?? 'RequestResponse',
      }),
    registerInProcessFunction: (definition) => plane.registerInProcess(definition),
  };

  return {
    signingName: 'lambda',
    internal,
    setVersionActivation: (functionName, activation) => plane.setVersionActivation(functionName, activation),
    handle: (request: IncomingMessage, response: ServerResponse, body: Buffer) => handleLambdaRequest(api, request, response, body),
    inspect: (path) => inspect(plane, codes, path),
    async stop() {
      await pool.close();
      await invoker.drain();
      codes.dispose();
    },
  };
}

/**
 * Read-only views for tests and the demo, at GET `/_fledge/lambda/<path>`:
 * `functions`, `functions/<name>`, `functions/<name>/aliases/<alias>`, `code/<sha256-hex>`;
 * undefined (a 404 from the control API) for anything else.
 */
function inspect(plane: LambdaControlPlane, codes: CodeStore, path: string): unknown {
  const [kind, name, sub, aliasName] = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (kind === 'functions' && name === undefined) return [...plane.functions.values()].map((fn) => summary(plane, fn.name));
  if (kind === 'functions' && name !== undefined && sub === undefined) return summary(plane, name);
  if (kind === 'functions' && name !== undefined && sub === 'aliases' && aliasName !== undefined) {
    const fn = plane.functions.get(name);
    const alias = fn?.aliases.get(aliasName);
    if (!alias) return undefined;
    return { name: alias.name, functionVersion: alias.functionVersion, additionalVersionWeights: { ...alias.additionalVersionWeights }, revisionId: alias.revisionId };
  }
  if (kind === 'code' && name !== undefined && /^[0-9a-f]{64}$/.test(name)) {
    const zip = codes.find(name);
    if (!zip) return undefined;
    return { CodeSize: zip.length, ZipFile: zip.toString('base64') };
  }
  return undefined;
}

function summary(plane: LambdaControlPlane, name: string): unknown {
  const fn = plane.functions.get(name);
  if (!fn) return undefined;
  plane.settleAll(fn);
  const version = (record: typeof fn.latest) => {
    const c = plane.configuration(fn, record);
    return { version: record.version, codeSha256: record.code.codeSha256, revisionId: record.revisionId, state: c.State, lastUpdateStatus: c.LastUpdateStatus };
  };
  return {
    name: fn.name,
    inProcess: fn.inProcess !== undefined,
    runtime: fn.latest.settings.runtime,
    versions: [fn.latest, ...fn.versions.values()].map(version),
    aliases: [...fn.aliases.values()].map((alias) => ({ name: alias.name, functionVersion: alias.functionVersion, additionalVersionWeights: { ...alias.additionalVersionWeights }, revisionId: alias.revisionId })),
  };
}
