import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaCallersAdapter } from '../../../shared/adapters/lambda-callers';
import { factory, type PortFactory } from '../composition';

/** Lambda, read-only: who invokes a function (event source mappings, policies, function URLs). */
export const callersPort: PortFactory<'callers'> = /* @__PURE__ */ factory([], (c) => new LambdaCallersAdapter(c.client(LambdaClient)));
