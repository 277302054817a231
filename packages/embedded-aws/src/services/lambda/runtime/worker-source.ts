/**
 * The Node.js "runtime" of one execution environment, run as the source of a worker thread
 * (`eval: true`). It is plain JavaScript in a string, not a module of its own, so it survives
 * bundling of the CLI unchanged.
 *
 * Like Lambda's Node.js runtime it loads the handler once (`file.export`, CommonJS `.js`/`.cjs`
 * or ESM `.mjs`/`.js` with `"type": "module"`), keeps module state between invocations, supports
 * async and callback handlers, formats console output as `time\trequestId\tLEVEL\tmessage`, and
 * reports errors as `{errorType, errorMessage, trace}`.
 *
 * Messages in: `{type: 'invoke', id, event, context}`. Messages out: `{type: 'result', id, ok,
 * payload | error, logs, durationMs?, initMs?}` per invocation, or `{type: 'fatal'}` when the
 * runtime dies. The runtime times its own phases, as Lambda's does: `durationMs` is the handler's
 * run alone (Lambda's `Duration`), `initMs` — on the first invocation only — the environment's
 * start and the handler's loading (Lambda's `Init Duration`, which `Duration` excludes). Timed
 * here rather than around the message round trip, the host's own event loop never counts in them.
 */
export const WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');
const util = require('node:util');

let currentRequestId = undefined;
let logs = [];
const write = (level, args) => {
  const line = new Date().toISOString() + '\t' + (currentRequestId ?? 'undefined') + '\t' + level + '\t' + util.format(...args) + '\n';
  logs.push(line);
};
console.log = (...a) => write('INFO', a);
console.info = (...a) => write('INFO', a);
console.warn = (...a) => write('WARN', a);
console.error = (...a) => write('ERROR', a);
console.debug = (...a) => write('DEBUG', a);
console.trace = (...a) => write('TRACE', a);
process.stdout.write = (chunk) => { logs.push(String(chunk)); return true; };
process.stderr.write = (chunk) => { logs.push(String(chunk)); return true; };

class RuntimeError extends Error {
  constructor(type, message) { super(message); this.name = 'Runtime.' + type; }
}

const toRapidResponse = (error) => {
  try {
    if (util.types.isNativeError(error) || (error && typeof error.name === 'string' && typeof error.message === 'string' && typeof error.stack === 'string')) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack' };
  }
};

const isEsm = (file) => {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try { return JSON.parse(readFileSync(pkg, 'utf8')).type === 'module'; } catch { return false; }
    }
    if (dir === workerData.taskRoot || dir === path.dirname(dir)) return false;
  }
};

const loadHandler = async () => {
  const spec = workerData.handler;
  const slash = spec.lastIndexOf('/');
  const dot = spec.indexOf('.', slash + 1);
  if (dot < 0) throw new RuntimeError('MalformedHandlerName', 'Bad handler');
  const modulePath = spec.slice(0, dot);
  const exportPath = spec.slice(dot + 1);
  const base = path.resolve(workerData.taskRoot, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) throw new RuntimeError('ImportModuleError', "Error: Cannot find module '" + path.basename(modulePath) + "'\nRequire stack:\n- /var/runtime/index.mjs");
  let mod;
  try {
    mod = isEsm(file) ? await import(pathToFileURL(file).href) : require(file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('UserCodeSyntaxError', String(error));
    if (error && error.code === 'MODULE_NOT_FOUND') throw new RuntimeError('ImportModuleError', String(error));
    throw error;
  }
  const lookup = (root) => exportPath.split('.').reduce((value, key) => (value == null ? undefined : value[key]), root);
  const handler = lookup(mod) ?? (mod && mod.default ? lookup(mod.default) : undefined);
  if (handler === undefined) throw new RuntimeError('HandlerNotFound', spec + ' is undefined or not exported');
  if (typeof handler !== 'function') throw new RuntimeError('HandlerNotFound', spec + ' is not a function');
  return handler;
};

let handlerPromise;
/** Lambda's Init Duration (ms since the worker started, when the handler was loaded), reported once. */
let initMs;
let initReported = false;
const loadOnce = () => (handlerPromise ??= loadHandler().then((handler) => { initMs = performance.now(); return handler; }));
const run = async (handler, event, context) => new Promise((resolve, reject) => {
  let settled = false;
  const done = (error, result) => {
    if (settled) return;
    settled = true;
    if (error !== undefined && error !== null) reject(error); else resolve(result);
  };
  try {
    const returned = handler(event, context, done);
    if (returned && typeof returned.then === 'function') returned.then((r) => done(null, r), (e) => done(e === undefined || e === null ? new Error(String(e)) : e));
    else if (handler.length < 3) done(null, returned);
  } catch (error) {
    done(error);
  }
});

process.on('unhandledRejection', (reason) => {
  const error = new RuntimeError('UnhandledPromiseRejection', util.types.isNativeError(reason) ? reason.name + ': ' + reason.message : String(reason));
  parentPort.postMessage({ type: 'fatal', error: toRapidResponse(error), logs });
  process.exit(128);
});

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  const { id, event, context: c } = message;
  currentRequestId = c.awsRequestId;
  logs = [];
  const context = {
    ...c,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, Math.round((c.deadlineMs - Date.now()) / workerData.timeScale)),
    done: () => undefined, succeed: () => undefined, fail: () => undefined,
  };
  delete context.deadlineMs;
  let started;
  const timing = () => {
    const out = started === undefined ? {} : { durationMs: performance.now() - started };
    if (initMs !== undefined && !initReported) { initReported = true; out.initMs = initMs; }
    return out;
  };
  try {
    const handler = await loadOnce();
    started = performance.now();
    const result = await run(handler, JSON.parse(event), context);
    const payload = result === undefined ? 'null' : JSON.stringify(result);
    parentPort.postMessage({ type: 'result', id, ok: true, payload: payload === undefined ? 'null' : payload, logs, ...timing() });
  } catch (error) {
    const initFailed = String(error && error.name).startsWith('Runtime.') && !String(error.name).endsWith('UnhandledPromiseRejection');
    parentPort.postMessage({ type: 'result', id, ok: false, error: toRapidResponse(error), logs, discard: initFailed, ...timing() });
  } finally {
    currentRequestId = undefined;
  }
});
`;
