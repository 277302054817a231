/**
 * fledge's own Lambda functions: named once, and refused as the target or a hook of any
 * deployment (fledge never deploys, reconfigures or invokes itself). On AWS, serverless.yml
 * deploys one function per key below — the engine's from the table of engine functions
 * (functions/engine-functions.ts, whose `key` must be one of these), the others from
 * serverless/functions.yml — which the Serverless Framework names `<service>-<stage>-<key>`
 * (`fledge-prod-safetyNet`); local mode names them `fledge-<key in kebab case>`
 * (`fledge-safety-net`). test/spec/own-functions.test.ts reads serverless.yml and fails when it
 * and this list disagree, so neither can drift. (The list lives here, not in the table: the
 * domain imports nothing from functions/.)
 *
 * The service name is not a deploy-time parameter: the stack's IAM policies and resource names
 * spell `fledge-${stage}` literally as well.
 */
export const FLEDGE_SERVICE = 'fledge';

/** The keys of serverless.yml's functions, in its order: the engine's, then the ones people talk to. */
export const FLEDGE_FUNCTIONS = [
  'prepare',
  'publish',
  'verify',
  'traffic',
  'check',
  'approval',
  'record',
  'safetyNet',
  'abort',
  'sweeper',
  'waves',
  'api',
  'approvals',
  's3Trigger',
  'slackNotifier',
] as const;

/** One of fledge's functions, by its key in serverless.yml. */
export type FledgeFunction = (typeof FLEDGE_FUNCTIONS)[number];

/** The name a stack of `stage` gives the function (`fledge-prod-safetyNet`). */
export function stackFunctionName(stage: string, fn: FledgeFunction): string {
  return `${FLEDGE_SERVICE}-${stage}-${fn}`;
}

/**
 * The name local mode gives the function (`fledge-safety-net`). `prefix` exists for embedded
 * test setups only; specs are checked against the default.
 */
export function localFunctionName(fn: FledgeFunction, prefix: string = FLEDGE_SERVICE): string {
  return `${prefix}-${fn.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const kebab = (fn: FledgeFunction): string => localFunctionName(fn).slice(FLEDGE_SERVICE.length + 1);
// Case-insensitive: a name differing only in case is refused too, whatever Lambda makes of it;
// and a stage name with either spelling of the key (`safetyNet`, `safety-net`).
const STACK_NAME = new RegExp(`^${FLEDGE_SERVICE}-(.+)-(${FLEDGE_FUNCTIONS.flatMap((fn) => [escape(fn), escape(kebab(fn))]).join('|')})$`, 'i');
const LOCAL_NAME = new RegExp(`^(?:${FLEDGE_FUNCTIONS.map((fn) => escape(localFunctionName(fn))).join('|')})$`, 'i');

/**
 * Which of fledge's own functions `name` is, in any stage or in local mode; undefined for any
 * other function.
 */
export function fledgeFunctionNamed(name: string): { readonly fn: FledgeFunction; readonly stage?: string } | undefined {
  const stack = STACK_NAME.exec(name);
  if (stack !== null) {
    const written = stack[2]!.toLowerCase();
    const fn = FLEDGE_FUNCTIONS.find((key) => key.toLowerCase() === written || kebab(key) === written)!;
    return { fn, stage: stack[1]! };
  }
  if (LOCAL_NAME.test(name)) return { fn: FLEDGE_FUNCTIONS.find((key) => localFunctionName(key).toLowerCase() === name.toLowerCase())! };
  return undefined;
}
