import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import type { CloudFormationService } from '../src/services/cloudformation/service';
import { clientConfig, failure } from '../src/testing/clients';

describe('embedded CloudFormation', () => {
  let aws: LocalAws;
  let cloudformation: CloudFormationClient;
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    cloudformation = new CloudFormationClient(clientConfig(aws));
  });
  afterAll(async () => {
    cloudformation.destroy();
    await aws.stop();
  });

  it('describes a stack an embedder put, with its outputs, through the real SDK', async () => {
    // Prepare
    aws.service<CloudFormationService>('cloudformation').putStack({ stackName: 'fledge-prod', outputs: { HttpApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com', ArtifactsBucketName: 'fledge-prod-artifacts' } });

    // Act
    const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: 'fledge-prod' }));

    // Assess
    expect(Stacks).toHaveLength(1);
    expect(Stacks![0]).toMatchObject({ StackName: 'fledge-prod', StackStatus: 'CREATE_COMPLETE', StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/fledge-prod\//) });
    expect(Object.fromEntries(Stacks![0]!.Outputs!.map((output) => [output.OutputKey, output.OutputValue]))).toEqual({ HttpApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com', ArtifactsBucketName: 'fledge-prod-artifacts' });
  });

  it('answers a stack it does not know as CloudFormation does: ValidationError, 400, naming the stack', async () => {
    // Act
    const error = await failure(cloudformation.send(new DescribeStacksCommand({ StackName: 'no-such-stack' })));

    // Assess
    expect(error).toMatchObject({ name: 'ValidationError', message: 'Stack with id no-such-stack does not exist', $metadata: { httpStatusCode: 400 } });
  });
});
