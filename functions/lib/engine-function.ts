import type { EngineDeps } from '../../shared/domain/deployment/deps';
import type { EngineFunction, PortsOf } from '../engine-functions';
import type { PortFactory } from './composition';
import { lambdaHandler, type LambdaEntry } from './lambda-handler';

/**
 * The Lambda entry point of engine function `fn` (a row of functions/engine-functions.ts): the
 * ports the table lists for `fn`, built by `ports` (the composition root's factories; the types
 * demand exactly the table's ports), handed to `createHandler` on the first invocation (see
 * {@link lambdaHandler}); local mode builds it on its own composition with the same factories. The
 * factories are passed in, not looked up, so the bundle holds only the SDK clients of this
 * function's ports; the table itself is not bundled.
 */
export function engineFunction<F extends EngineFunction, E, C, R>(
  _fn: F,
  createHandler: (deps: Pick<EngineDeps, PortsOf<F>>) => (event: E, context: C) => Promise<R>,
  ports: { readonly [K in PortsOf<F>]: PortFactory<K> },
): LambdaEntry<Pick<EngineDeps, PortsOf<F>>, E, C, R> {
  return lambdaHandler<Pick<EngineDeps, PortsOf<F>>, E, C, R>(createHandler, ports as never);
}
