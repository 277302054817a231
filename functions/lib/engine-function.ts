import type { EngineDeps } from '../../shared/domain/deployment/deps';
import { requireConfig } from '../../shared/config/env';
import { lazyHandler } from './lazy';
import type { EngineFunction, PortsOf } from '../engine-functions';
import { needsOf, type PortFactory } from './composition';
import { awsComposition, lambdaHandler, type LambdaEntry } from './lambda-handler';
import { targetComposition, targetKey, targetOfEvent } from './target-composition';

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
  type D = Pick<EngineDeps, PortsOf<F>>;
  const entry = lambdaHandler<D, E, C, R>(createHandler, ports as never);
  // A task of one target of a wave run (its state names the target) acts in that target: the same
  // handler on ports built on the target's composition (Lambda and CloudWatch of its account and
  // region, with its role's credentials), once per target.
  const builtOn = (c: Parameters<typeof entry.builtOn>[0]): ((event: E, context: C) => Promise<R>) => {
    const home = entry.builtOn(c);
    const perTarget = new Map<string, (event: E, context: C) => Promise<R>>();
    return (event, context) => {
      const target = targetOfEvent(event);
      if (target === undefined) return home(event, context);
      const key = targetKey(target);
      let handler = perTarget.get(key);
      if (handler === undefined) {
        handler = entry.builtOn(targetComposition(c, target));
        perTarget.set(key, handler);
      }
      return handler(event, context);
    };
  };
  const lambda = lazyHandler(() => builtOn(awsComposition(requireConfig(process.env, needsOf(ports as never)))));
  return Object.assign(lambda, { depsOn: entry.depsOn, builtOn });
}
