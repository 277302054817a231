import { DEFAULT_STAGE, ENVIRONMENT, type ConfigField, type FledgeConfig } from '../../shared/config/env';
import { ConfigurationError } from '../../shared/model/engine-errors';
import type { EngineDeps } from '../../shared/domain/deployment/deps';
import type { Clock } from '../../shared/ports/clock';
import type { ChannelTry } from '../../shared/ports/notifier';
import type { EnginePort } from '../engine-functions';

/**
 * fledge's composition root: the one place that turns a configuration into SDK clients and the
 * clients into the engine's ports. Lambda's handlers (through `engineFunction`) and local mode
 * (local/fledge-on-local.ts) both build their ports here; they differ only in the
 * {@link Composition} they pass — the real AWS from the environment, or the embedded AWS on its
 * simulated clock.
 *
 * Each port has a factory of its own, in a module of its own under ./ports/ naming the one
 * client it needs and the settings it reads (its `needs`: a handler is given exactly the slice of
 * the configuration schema, shared/config/env.ts, its factories need), so a handler that imports the factories of its ports bundles only their SDK
 * clients and adapters (a module imported is kept whole if any of it has side effects, so the
 * factories cannot share one module), and the least-privilege walk of test/stack reaches only
 * their calls. ./ports/all.ts gathers them for local mode, which builds every port.
 */

/** The settings the ports need: the configuration the environment (or local mode) gives. */
export type CompositionSettings = FledgeConfig;

/** An SDK client class, constructed from the one client configuration. */
export type ClientClass<C> = new (config: never) => C;

/** What the port factories build from. */
export interface Composition {
  readonly settings: CompositionSettings;
  readonly clock: Clock;
  /** The client of `Client`, built once from the composition's one client configuration. */
  client<C>(Client: ClientClass<C>): C;
  /**
   * A new client of `Client` from the same configuration with `overrides` (a target's region and
   * credentials): the caller keeps it (one per target, functions/lib/ports/targets.ts).
   */
  clientWith<C>(Client: ClientClass<C>, overrides: object): C;
  /** The webhook signing secret's text, when the composition keeps it itself (local mode); else read from SSM. */
  readonly webhookSecret?: () => Promise<string>;
  /** The approval-signing key's bytes, when the composition keeps it itself (local mode); else read from SSM. */
  readonly approvalSecret?: () => Promise<Buffer>;
  /** The outgoing notification webhooks' JSON list, when the composition keeps it itself (local mode); else read from SSM. */
  readonly notificationWebhooks?: () => Promise<string>;
  /** The GitHub token, when the composition keeps it itself (local mode); else read from SSM. */
  readonly githubToken?: () => Promise<string>;
  /** Sees every try of every notification channel, with what it sent (local mode prints and keeps them); nothing on AWS. */
  readonly onChannelTry?: (attempt: ChannelTry) => void;
  /** Told of each notification a channel (or SNS's e-mail) gave up on, by the channel's name: on AWS, counted as a metric. */
  readonly onNotificationFailure?: (channel: string) => void;
}

/** Options of {@link clientCache}. */
export interface ClientCacheOptions {
  /** Sees each client once it is built (local mode counts the calls of each function with it). */
  readonly observe?: (client: { middlewareStack: unknown; constructor: { name: string } }) => void;
  /** Settings of one client class on top of the one configuration (local mode's S3: path style). */
  readonly extra?: ReadonlyMap<ClientClass<unknown>, object>;
}

/**
 * A {@link Composition.client} that builds each client class at most once, all from `config`
 * (region, endpoint, credentials, retry strategy, user agent).
 */
export function clientCache(config: object, options: ClientCacheOptions = {}): <C>(Client: ClientClass<C>) => C {
  const built = new Map<unknown, unknown>();
  return <C>(Client: ClientClass<C>): C => {
    let client = built.get(Client) as C | undefined;
    if (client === undefined) {
      client = clientFrom(config, options)(Client, {});
      built.set(Client, client);
    }
    return client;
  };
}

/** A {@link Composition.clientWith}: a new client of `Client` from `config`, the class's extra settings and `overrides`. */
export function clientFrom(config: object, options: ClientCacheOptions = {}): <C>(Client: ClientClass<C>, overrides: object) => C {
  return <C>(Client: ClientClass<C>, overrides: object): C => {
    const client = new Client({ ...config, ...options.extra?.get(Client), ...overrides } as never);
    options.observe?.(client as never);
    return client;
  };
}

/** The user agent fledge's calls carry (appended to the SDK's own), so they can be told apart in CloudTrail. */
export const USER_AGENT: [string, string] = ['fledge', '0.1.0'];

/** A factory of one dependency from a composition, with the settings it reads. */
export interface Factory<T> {
  (c: Composition): T;
  /** The settings it cannot do without: a handler's environment must set them (shared/config/env.ts). */
  readonly needs: readonly ConfigField[];
}

/** A {@link Factory} that needs the settings `needs`. Pure: bundles drop a factory nobody uses. */
export function factory<T>(needs: readonly ConfigField[], build: (c: Composition) => T): Factory<T> {
  return Object.assign((c: Composition) => build(c), { needs });
}

/** A factory of one port. */
export type PortFactory<P extends EnginePort> = Factory<EngineDeps[P]>;

/** The factories of a handler's dependencies `D`: one per key, optional ones included. */
export type Factories<D> = { readonly [K in keyof D]-?: Factory<D[K]> };

/** Setting `field` of `c`, which a factory's `needs` listed: a {@link ConfigurationError} naming its variable when absent. */
export function setting(c: Composition, field: ConfigField): string {
  const value = c.settings[field];
  if (value === undefined) throw new ConfigurationError(`fledge is misconfigured: ${ENVIRONMENT[field].name} is not set (this function needs it)`);
  return value;
}

/** The setting `field` itself, as a dependency (the API's bucket, the Slack notifier's API URL). */
export const settingOf = (field: ConfigField): Factory<string> => factory([field], (c) => setting(c, field));
/** The setting `field` when it is set. */
export const optionalSettingOf = (field: ConfigField): Factory<string | undefined> => factory([], (c) => c.settings[field]);

/** The clock the composition runs on. */
export const clockPort: PortFactory<'clock'> = /* @__PURE__ */ factory([], (c) => c.clock);
/** The stage that scopes the names of what fledge creates. */
export const stagePort: PortFactory<'stage'> = /* @__PURE__ */ factory([], (c) => c.settings.stage ?? DEFAULT_STAGE);

/** The settings `factories` need, each once. */
export function needsOf(factories: Readonly<Record<string, Factory<unknown>>>): ConfigField[] {
  return [...new Set(Object.values(factories).flatMap((f) => f.needs))];
}

/** The dependencies `factories` build from `c`, by key. */
export function compose<D>(c: Composition, factories: Factories<D>): D {
  return Object.fromEntries(Object.entries(factories).map(([key, f]) => [key, (f as Factory<unknown>)(c)])) as D;
}

/** The ports `names` (a row of the table of engine functions), each built from `c` by its factory in `factories`. */
export function buildPorts<P extends EnginePort>(c: Composition, factories: { readonly [K in P]: PortFactory<K> }, names: readonly P[]): Pick<EngineDeps, P> {
  return Object.fromEntries(names.map((port) => [port, (factories[port] as PortFactory<EnginePort>)(c)])) as Pick<EngineDeps, P>;
}
