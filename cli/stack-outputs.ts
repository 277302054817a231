import { awsCredentials, endpointCredentials } from './api-client';

/** A stack that cannot be read as fledge's: not there, not finished, or without fledge's outputs. */
export class StackLookupError extends Error {
  override readonly name = 'StackLookupError';
}

/** What `fledge configure --stack` keeps of a fledge stack: the API, the artifacts bucket. */
export interface FledgeStackOutputs {
  readonly api: string;
  readonly bucket: string;
}

/** Statuses of a stack whose outputs are those of a finished deployment. */
const USABLE = /^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|IMPORT_COMPLETE)$/;

/**
 * Reads fledge's stack (`fledge stack deploy` names it `fledge-<stage>`) with CloudFormation's
 * `DescribeStacks`, in `region` with the standard credentials (or at `awsEndpoint`, an embedded
 * AWS), and returns its `HttpApiUrl` and `ArtifactsBucketName` outputs. Loaded only by the
 * command that needs it.
 */
export async function fledgeStackOutputs(input: { stackName: string; region: string; awsEndpoint?: string }): Promise<FledgeStackOutputs> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient({
    region: input.region,
    credentials: input.awsEndpoint === undefined ? awsCredentials() : endpointCredentials(),
    ...(input.awsEndpoint === undefined ? {} : { endpoint: input.awsEndpoint }),
  });
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: input.stackName }));
    const stack = Stacks?.[0];
    if (!stack) throw new StackLookupError(`stack ${input.stackName} was not found in ${input.region}`);
    if (!USABLE.test(stack.StackStatus ?? '')) throw new StackLookupError(`stack ${input.stackName} is ${stack.StackStatus ?? 'in an unknown state'}: its outputs are those of a finished deployment only; try again when it is`);
    const outputs = new Map((stack.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]));
    const api = outputs.get('HttpApiUrl');
    const bucket = outputs.get('ArtifactsBucketName');
    if (!api || !bucket) {
      const missing = [api ? undefined : 'HttpApiUrl', bucket ? undefined : 'ArtifactsBucketName'].filter((name) => name !== undefined).join(' and ');
      throw new StackLookupError(`stack ${input.stackName} has no ${missing} output: it is not fledge's stack (fledge stack deploy names it fledge-<stage>)`);
    }
    return { api, bucket };
  } catch (error) {
    if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      throw new StackLookupError(`stack ${input.stackName} does not exist in ${input.region}: fledge stack deploy --stage <stage> names it fledge-<stage> (and --region says where)`, { cause: error });
    }
    throw error;
  } finally {
    client.destroy();
  }
}
