import { GetParameterError } from '@aws-lambda-powertools/parameters';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ConfigurationError } from '../model/engine-errors';
import { sdkError, translate } from './aws-errors';

/** How long a secret read from SSM is reused before it is read again (a rotation takes effect within it). */
export const SECRET_MAX_AGE_SECONDS = 5 * 60;

/**
 * A secret kept in SSM Parameter Store (a SecureString, or a Secrets Manager secret through
 * `/aws/reference/secretsmanager/…`), read with Powertools Parameters: decrypted, and kept for
 * `maxAgeSeconds` per warm Lambda environment. Only values are kept: a failed read is not, so the
 * next call asks SSM again. Callers ask for the value each time they need it — no cache of their
 * own — so a rotation reaches every use within `maxAgeSeconds`.
 *
 * The value is never logged nor put into an error message.
 */
export class SsmSecret {
  private readonly parameters: SSMProvider;

  /**
   * @param client the handler's SSM client (Powertools adds its user agent to it).
   * @param maxAgeSeconds how long a value read is reused; 0 reads SSM every time.
   */
  constructor(
    client: SSMClient,
    private readonly parameterName: string,
    private readonly maxAgeSeconds: number = SECRET_MAX_AGE_SECONDS,
  ) {
    this.parameters = new SSMProvider({ awsSdkV3Client: client });
  }

  /** The parameter's value. A missing or empty parameter is a {@link ConfigurationError}; throttling and 5xx are transient. */
  async value(): Promise<string> {
    let value: string | undefined;
    try {
      value = await this.parameters.get(this.parameterName, { decrypt: true, maxAge: this.maxAgeSeconds });
    } catch (error) {
      // Powertools wraps the SDK's exception; the adapter boundary translates the SDK's own.
      const cause = error instanceof GetParameterError && error.cause !== undefined ? error.cause : error;
      if (sdkError(cause).name === 'ParameterNotFound') throw new ConfigurationError(`SSM parameter ${this.parameterName} does not exist`, { cause });
      throw translate(cause, `GetParameter ${this.parameterName}`);
    }
    if (!value) throw new ConfigurationError(`SSM parameter ${this.parameterName} is empty`);
    return value;
  }
}
