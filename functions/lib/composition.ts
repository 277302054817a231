import type { ApprovalLinkBuilder } from '../../shared/adapters/sns-notifier';
import { DEFAULT_STAGE } from '../../shared/config/env';
import type { EngineDeps } from '../../shared/domain/deployment/deps';
import type { Clock } from '../../shared/ports/clock';
import type { EnginePort } from '../engine-functions';

/**
 * fledge's composition root: the one place that turns a configuration into SDK clients and the
 * clients into the engine's ports. Lambda's handlers (through `engineFunction`) and local mode
 * (local/control-plane.ts) both build their ports here; they differ only in the
 * {@link Composition} they pass — the real AWS from the environment, or the embedded AWS on its
 * simulated clock.
 *
 * Each port has a factory of its own, in a module of its own under ./ports/ naming the one
 * client it needs, so a handler that imports the factories of its ports bundles only their SDK
 * clients and adapters (a module imported is kept whole if any of it has side effects, so the
 * factories cannot share one module), and the least-privilege walk of test/stack reaches only
 * their calls. ./ports/all.ts gathers them for local mode, which builds every port.
 */

/** The settings the ports need: what the environment (or local mode) says. */
export interface CompositionSettings {
  readonly tableName: string;
  readonly notificationTopicArn: string;
  readonly approvalTopicArn?: string;
  readonly stateMachineArn?: string;
  readonly stage?: string;
  /** SSM parameter holding the webhook signing secret (`FLEDGE_WEBHOOK_SECRET_PARAMETER`). */
  readonly webhookSecretParameter?: string;
}

/** An SDK client class, constructed from the one client configuration. */
export type ClientClass<C> = new (config: never) => C;

/** What the port factories build from. */
export interface Composition {
  readonly settings: CompositionSettings;
  readonly clock: Clock;
  /** The client of `Client`, built once from the composition's one client configuration. */
  client<C>(Client: ClientClass<C>): C;
  /** The Approve/Reject links of approval messages (none: the message names the CLI commands). */
  readonly approvalLinks?: ApprovalLinkBuilder;
  /** The webhook signing secret's text, when the composition keeps it itself (local mode); else read from SSM. */
  readonly webhookSecret?: () => Promise<string>;
}

/**
 * A {@link Composition.client} that builds each client class at most once, all from `config`
 * (region, endpoint, credentials, retry strategy, user agent), and lets `observe` see each one.
 */
export function clientCache(config: object, observe?: (client: { middlewareStack: unknown; constructor: { name: string } }) => void): <C>(Client: ClientClass<C>) => C {
  const built = new Map<unknown, unknown>();
  return <C>(Client: ClientClass<C>): C => {
    let client = built.get(Client) as C | undefined;
    if (client === undefined) {
      client = new Client({ ...config } as never);
      observe?.(client as never);
      built.set(Client, client);
    }
    return client;
  };
}

/** The user agent fledge's calls carry (appended to the SDK's own), so they can be told apart in CloudTrail. */
export const USER_AGENT: [string, string] = ['fledge', '0.1.0'];

/** A factory of one port. */
export type PortFactory<P extends EnginePort> = (c: Composition) => EngineDeps[P];

/** The clock the composition runs on. */
export const clockPort: PortFactory<'clock'> = (c) => c.clock;
/** The stage that scopes the names of what fledge creates. */
export const stagePort: PortFactory<'stage'> = (c) => c.settings.stage ?? DEFAULT_STAGE;

/** The ports `names` (a row of the table of engine functions), each built from `c` by its factory in `factories`. */
export function buildPorts<P extends EnginePort>(c: Composition, factories: { readonly [K in P]: PortFactory<K> }, names: readonly P[]): Pick<EngineDeps, P> {
  return Object.fromEntries(names.map((port) => [port, (factories[port] as PortFactory<EnginePort>)(c)])) as Pick<EngineDeps, P>;
}
