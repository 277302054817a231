import { STSClient } from '@aws-sdk/client-sts';
import { StsTargetAccess } from '../../shared/adapters/sts-targets';
import type { TargetSpec } from '../../shared/model/spec';
import type { ClientClass, Composition } from './composition';

/**
 * The SDK clients that act on a deployment's function, so in its target's account and region:
 * Lambda (the function, its versions, aliases, hooks) and CloudWatch (its metrics and alarms). Named
 * by class name so that this module imports neither client (a bundle keeps only its ports' clients).
 */
const TARGETED_CLIENTS = new Set(['LambdaClient', 'CloudWatchClient']);

/** The target of a task's event (`{state: {target}}`), when the deployment is one target of a wave run. */
export function targetOfEvent(event: unknown): TargetSpec | undefined {
  const state = (event as { state?: { target?: unknown } } | null)?.state;
  const target = state?.target as TargetSpec | undefined;
  return target !== undefined && typeof target === 'object' && typeof target.roleArn === 'string' && typeof target.region === 'string' ? target : undefined;
}

/** The key of a target's composition: the same role, external id and region share clients. */
export const targetKey = (target: TargetSpec): string => `${target.roleArn}\u0000${target.externalId ?? ''}\u0000${target.region}`;

/**
 * `c` for one target: Lambda and CloudWatch clients of the target's region with the credentials of
 * its role (assumed through `c`'s STS, renewed by the SDK before they expire), built once each;
 * every other client (the table, the topics, Step Functions) is `c`'s own, in fledge's account.
 */
export function targetComposition(c: Composition, target: TargetSpec): Composition {
  const access = new StsTargetAccess(c.client(STSClient));
  const credentials = access.credentialsFor(target);
  const built = new Map<unknown, unknown>();
  return {
    ...c,
    client<C>(Client: ClientClass<C>): C {
      if (!TARGETED_CLIENTS.has(Client.name)) return c.client(Client);
      let client = built.get(Client) as C | undefined;
      if (client === undefined) {
        client = c.clientWith(Client, { region: target.region, credentials });
        built.set(Client, client);
      }
      return client;
    },
  };
}
