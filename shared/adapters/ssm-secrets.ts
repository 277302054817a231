import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ConfigurationError } from '../domain/deployment/errors';
import { sdkError, translate } from './aws-errors';

/** How long a secret read from SSM is reused before it is read again (a rotation takes effect within it). */
const DEFAULT_TTL_MS = 5 * 60 * 1000;

/**
 * A secret kept in SSM Parameter Store (a SecureString), read with decryption and cached per
 * warm Lambda environment. The value is never logged nor put into an error message.
 */
export class SsmSecret {
  private cached?: { value: string; until: number };

  constructor(
    private readonly client: SSMClient,
    private readonly parameterName: string,
    private readonly ttlMs: number = DEFAULT_TTL_MS,
  ) {}

  /** The parameter's value. A missing or empty parameter is a {@link ConfigurationError}. */
  async value(): Promise<string> {
    const now = Date.now();
    if (this.cached && now < this.cached.until) return this.cached.value;
    let value: string | undefined;
    try {
      const out = await this.client.send(new GetParameterCommand({ Name: this.parameterName, WithDecryption: true }));
      value = out.Parameter?.Value;
    } catch (error) {
      if (sdkError(error).name === 'ParameterNotFound') throw new ConfigurationError(`SSM parameter ${this.parameterName} does not exist`, { cause: error });
      throw translate(error, `GetParameter ${this.parameterName}`);
    }
    if (!value) throw new ConfigurationError(`SSM parameter ${this.parameterName} is empty`);
    this.cached = { value, until: now + this.ttlMs };
    return value;
  }
}
