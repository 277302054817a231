import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaRegistryAdapter } from '../../../shared/adapters/lambda-registry';
import type { PortFactory } from '../composition';

/** Lambda: aliases, versions, functions, invocations. */
export const lambdaPort: PortFactory<'lambda'> = (c) => new LambdaRegistryAdapter(c.client(LambdaClient), c.clock);
