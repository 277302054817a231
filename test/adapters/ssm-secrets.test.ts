import { GetParameterCommand, InternalServerError, ParameterNotFound, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SsmSecret } from '../../shared/adapters/ssm-secrets';
import { AwsCallFailedError, ConfigurationError, TransientAwsError } from '../../shared/model/engine-errors';
import { serviceError } from './sdk-errors';

// SSM's answers translated at the adapter boundary (through Powertools Parameters), on a mocked client.

const client = new SSMClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const ssm = mockClient(client);
const SECRET = 's'.repeat(48);

afterEach(() => {
  ssm.reset();
});

describe('secrets from SSM', () => {
  it('names a missing or empty parameter as configuration, not as a failed call', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejectsOnce(serviceError(ParameterNotFound, 'ParameterNotFound', 400)).resolvesOnce({ Parameter: { Name: '/fledge/empty', Value: '' } });

    // Act
    const missing = await new SsmSecret(client, '/fledge/missing').value().catch((e: unknown) => e);
    const empty = await new SsmSecret(client, '/fledge/empty').value().catch((e: unknown) => e);

    // Assess
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect((missing as Error).message).toBe('SSM parameter /fledge/missing does not exist');
    expect(empty).toBeInstanceOf(ConfigurationError);
    expect((empty as Error).message).toBe('SSM parameter /fledge/empty is empty');
  });

  it.each([
    ['a throttle', 'transient', serviceError(SSMServiceException, 'ThrottlingException', 400), TransientAwsError],
    ['a 500', 'transient', serviceError(InternalServerError, 'InternalServerError', 500), TransientAwsError],
    ['a key it may not decrypt with', 'a failed call, not retried', serviceError(SSMServiceException, 'AccessDeniedException', 400, 'not authorized to perform: kms:Decrypt'), AwsCallFailedError],
  ])('reads %s as %s, naming the parameter and never the value', async (_what, _as, error, expected) => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(error);

    // Act
    const failure = await new SsmSecret(client, '/fledge/approval-secret').value().catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(expected);
    expect((failure as Error).message).toMatch(/^GetParameter \/fledge\/approval-secret: /);
  });

  it('asks for decryption, keeps the value for its max age, and keeps no failure', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejectsOnce(serviceError(InternalServerError, 'InternalServerError', 500)).resolves({ Parameter: { Name: '/fledge/approval-secret', Value: SECRET } });
    const secret = new SsmSecret(client, '/fledge/approval-secret', 60);

    // Act
    const first = await secret.value().catch((e: unknown) => e);
    const values = [await secret.value(), await secret.value()];

    // Assess: the failure was not kept; the value was, for the second read.
    expect(first).toBeInstanceOf(TransientAwsError);
    expect(values).toEqual([SECRET, SECRET]);
    expect(ssm.commandCalls(GetParameterCommand).map((call) => call.args[0].input)).toEqual([
      { Name: '/fledge/approval-secret', WithDecryption: true },
      { Name: '/fledge/approval-secret', WithDecryption: true },
    ]);
  });
});
