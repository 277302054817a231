import { systemClock } from '../../shared/adapters/system-clock';
import type { ApprovalLinkBuilder } from '../../shared/adapters/sns-notifier';
import { readEngineConfig, requireConfig } from '../../shared/config/env';
import type { EngineDeps } from '../../shared/domain/deployment/deps';
import type { EngineFunction, PortsOf } from '../engine-functions';
import { buildPorts, clientCache, USER_AGENT, type Composition, type CompositionSettings, type PortFactory } from './composition';
import { lazyHandler } from './lazy';

/**
 * The one client configuration of fledge's functions on AWS: the region Lambda sets, the SDK's
 * standard retries (3 attempts), and fledge's user agent. Endpoint and credentials are the
 * runtime's.
 */
export function awsClientConfig(config: { readonly region?: string }): object {
  return { ...(config.region ? { region: config.region } : {}), customUserAgent: [USER_AGENT] };
}

/**
 * The composition of a function on AWS: its environment, the system clock, clients built on first
 * use. The engine's functions get it through {@link engineFunction}; the API and the S3 drop build
 * their ports from it too.
 */
export function awsComposition(config: CompositionSettings & { readonly region?: string }, approvalLinks?: (c: Composition) => ApprovalLinkBuilder): Composition {
  const c: Composition = { settings: config, clock: systemClock, client: clientCache(awsClientConfig(config)) };
  return approvalLinks ? { ...c, approvalLinks: approvalLinks(c) } : c;
}

/** Options of {@link engineFunction}. */
export interface EngineFunctionOptions {
  /** Builds the Approve/Reject links of approval messages (the approval function). */
  readonly approvalLinks?: (c: Composition) => ApprovalLinkBuilder;
}

/**
 * The Lambda entry point of engine function `fn` (a row of functions/engine-functions.ts): on the
 * first invocation (once per cold start) it reads the environment — a misconfiguration fails that
 * invocation naming every problem — builds the ports the table lists for `fn` with `ports` (the
 * composition root's factories; the types demand exactly the table's ports), and hands them to
 * `createHandler`. The factories are passed in, not looked up, so the bundle holds only the SDK
 * clients of this function's ports; the table itself is not bundled (its ports are the keys of `ports`).
 */
export function engineFunction<F extends EngineFunction, E, C, R>(
  _fn: F,
  createHandler: (deps: Pick<EngineDeps, PortsOf<F>>) => (event: E, context: C) => Promise<R>,
  ports: { readonly [K in PortsOf<F>]: PortFactory<K> },
  options: EngineFunctionOptions = {},
): (event: E, context: C) => Promise<R> {
  return lazyHandler(() => createHandler(buildPorts(awsComposition(requireConfig(readEngineConfig(process.env)), options.approvalLinks), ports, Object.keys(ports) as PortsOf<F>[])));
}
