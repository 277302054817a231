import { LambdaClient } from '@aws-sdk/client-lambda';
import type { LocalAws, LocalAwsOptions } from '@fledge-local/embedded-aws';
import { clientConfig } from '@fledge-local/embedded-aws/testing';
import { provisionControlPlane, startAwsForFledge, type ControlPlaneOptions, type LocalControlPlane } from '../fledge-on-local';

/**
 * fledge provisioned on an embedded AWS in this process — the control plane `fledge local` puts
 * on it, without its HTTP API and S3 drop — plus a Lambda client of "the user" (a person, CI,
 * production traffic). The one world the tests, the bench and the demo start fledge in.
 */
export interface FledgeWorld {
  readonly aws: LocalAws;
  readonly plane: LocalControlPlane;
  /** The user's own Lambda client: one attempt per call, so it sees every fault as it comes. */
  readonly lambda: LambdaClient;
  stop(): Promise<void>;
}

/** Options of {@link startWorld}: the clock, the embedded AWS's tunables, and the control plane's options. */
export interface WorldOptions extends ControlPlaneOptions {
  /** Real ms per simulated ms. */
  readonly timeScale: number;
  /** The embedded AWS's options but its port (always a free one) and time scale. */
  readonly aws?: Omit<LocalAwsOptions, 'port' | 'timeScale'>;
}

/** Starts an embedded AWS on a free port at `timeScale` and provisions fledge on it. */
export async function startWorld(options: WorldOptions): Promise<FledgeWorld> {
  const { timeScale, aws: awsOptions, ...planeOptions } = options;
  process.env.FLEDGE_LOG ??= 'off';
  const aws = await startAwsForFledge({ ...awsOptions, port: 0, timeScale });
  const plane = await provisionControlPlane(aws, planeOptions);
  const lambda = userLambda(aws);
  return {
    aws,
    plane,
    lambda,
    async stop() {
      plane.unsubscribe();
      lambda.destroy();
      for (const client of Object.values(plane.clients)) client.destroy();
      await aws.stop();
    },
  };
}

/** A Lambda client of the user's on the embedded AWS: one attempt per call. */
export function userLambda(aws: Pick<LocalAws, 'endpoint' | 'region'>): LambdaClient {
  return new LambdaClient(clientConfig(aws));
}
