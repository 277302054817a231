import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsmSecret } from '../../shared/adapters/ssm-secrets';
import { ConfigurationError, TransientAwsError } from '../../shared/model/engine-errors';
import { startSsmStandIn, type SsmStandIn } from '../support/ssm-stand-in';

describe('secrets from SSM Parameter Store', () => {
  let standIn: SsmStandIn;
  let client: SSMClient;

  beforeAll(async () => {
    standIn = await startSsmStandIn({ '/fledge/approval-secret': 's'.repeat(48) });
    client = new SSMClient({ endpoint: standIn.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client?.destroy();
    await standIn.stop();
  });

  it('reads a SecureString with decryption once, then serves it from the cache', async () => {
    // Prepare
    const secret = new SsmSecret(client, '/fledge/approval-secret');
    const before = standIn.requests.length;

    // Act
    const values = [await secret.value(), await secret.value()];

    // Assess
    expect(values).toEqual(['s'.repeat(48), 's'.repeat(48)]);
    expect(standIn.requests.slice(before)).toEqual([{ target: 'AmazonSSM.GetParameter', body: { Name: '/fledge/approval-secret', WithDecryption: true } }]);
  });

  it('names a missing parameter as a configuration error', async () => {
    // Act
    const error = await new SsmSecret(client, '/fledge/missing').value().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe('SSM parameter /fledge/missing does not exist');
  });

  it('reports a 5xx as transient, without the secret, and reads again next time', async () => {
    // Prepare
    const secret = new SsmSecret(client, '/fledge/approval-secret', 0);
    standIn.failOnce();

    // Act
    const first = await secret.value().catch((e: unknown) => e);
    const second = await secret.value();

    // Assess
    expect(first).toBeInstanceOf(TransientAwsError);
    expect((first as Error).message).not.toContain('sss');
    expect(second).toBe('s'.repeat(48));
  });
});
