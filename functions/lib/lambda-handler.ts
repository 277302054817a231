import { systemClock } from '../../shared/adapters/system-clock';
import { requireConfig, stageOf, type FledgeConfig } from '../../shared/config/env';
import { countNotificationFailure } from './delivery-metrics';
import { clientCache, clientFrom, compose, needsOf, USER_AGENT, type Composition, type Factories, type Factory } from './composition';
import { lazyHandler } from './lazy';

/**
 * The one client configuration of fledge's functions on AWS: the region Lambda sets, the SDK's
 * standard retries (3 attempts), and fledge's user agent. Endpoint and credentials are the
 * runtime's.
 */
export function awsClientConfig(config: { readonly region?: string }): object {
  return { ...(config.region ? { region: config.region } : {}), customUserAgent: [USER_AGENT] };
}

/** The composition of a function on AWS: its configuration, the system clock, clients built on first use, notification failures counted. */
export function awsComposition(settings: FledgeConfig): Composition {
  const stage = stageOf(settings);
  return {
    settings,
    clock: systemClock,
    client: clientCache(awsClientConfig(settings)),
    clientWith: clientFrom(awsClientConfig(settings)),
    onNotificationFailure: (channel) => countNotificationFailure(stage, channel),
  };
}

/** A function's handler on Lambda, which can also be built on another composition (local mode's). */
export interface LambdaEntry<D, E, C, R> {
  /** The Lambda entry point: its dependencies built on the real AWS at the first invocation. */
  (event: E, context: C): Promise<R>;
  /** Its dependencies as its factories build them on `c`. */
  depsOn(c: Composition): D;
  /** The same handler on the dependencies its factories build on `c` (local mode: the embedded AWS on its simulated clock). */
  builtOn(c: Composition): (event: E, context: C) => Promise<R>;
}

/**
 * The Lambda entry point of a function whose dependencies `factories` build (the composition
 * root's, functions/lib/ports/): on the first invocation (once per cold start) it reads the
 * environment through the one configuration schema (shared/config/env.ts) — requiring exactly
 * the settings its factories need; a misconfiguration fails that invocation naming every
 * problem — builds each dependency and hands them to `createHandler`. Every handler of
 * functions/ is built here: none reads the environment or constructs a client or an adapter, and
 * local mode builds the same handlers from the same factories on its own composition
 * ({@link LambdaEntry.builtOn}), so the wiring is written once.
 */
export function lambdaHandler<D, E, C, R>(createHandler: (deps: D) => (event: E, context: C) => Promise<R>, factories: Factories<D>): LambdaEntry<D, E, C, R> {
  const depsOn = (c: Composition): D => compose(c, factories);
  const builtOn = (c: Composition): ((event: E, context: C) => Promise<R>) => createHandler(depsOn(c));
  const entry = lazyHandler(() => builtOn(awsComposition(requireConfig(process.env, needsOf(factories as Readonly<Record<string, Factory<unknown>>>)))));
  return Object.assign(entry, { depsOn, builtOn });
}
