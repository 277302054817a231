import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaRegistryAdapter } from '../../../shared/adapters/lambda-registry';
import { factory, type PortFactory } from '../composition';

/** Lambda: aliases, versions, functions, invocations. */
export const lambdaPort: PortFactory<'lambda'> = /* @__PURE__ */ factory([], (c) => new LambdaRegistryAdapter(c.client(LambdaClient), c.clock));
