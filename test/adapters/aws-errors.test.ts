import { LambdaServiceException } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { isTransient, translate } from '../../shared/adapters/aws-errors';
import { AwsCallFailedError, FunctionNotFoundError, TransientAwsError } from '../../shared/model/engine-errors';
import { networkError, serviceError } from './sdk-errors';

// The default translation at the adapter boundary, on errors shaped as the SDK throws them.

describe('what counts as transient', () => {
  it.each([
    ['a throttle by name', serviceError(LambdaServiceException, 'ThrottlingException', 400)],
    ['a throttle named as Lambda names it', serviceError(LambdaServiceException, 'TooManyRequestsException', 429)],
    ['a 429 under a name of its own', serviceError(LambdaServiceException, 'SlowDownPlease', 429)],
    ['a conflicting transaction in progress', serviceError(LambdaServiceException, 'TransactionInProgressException', 400)],
    ['a 500', serviceError(LambdaServiceException, 'ServiceException', 500)],
    ['a 503 under any name', serviceError(LambdaServiceException, 'Unavailable', 503)],
    ['a 5xx outside 500/502/503/504', serviceError(LambdaServiceException, 'SomethingBroke', 507)],
    ['a request timeout', Object.assign(new Error('socket timed out'), { name: 'TimeoutError' })],
    ['a reset connection', networkError('ECONNRESET')],
    ['an unreachable host', networkError('EHOSTUNREACH')],
    ['a failed DNS lookup', networkError('EAI_AGAIN')],
    ['an error the service marks retryable', Object.assign(serviceError(LambdaServiceException, 'EC2UnexpectedException', 400), { $retryable: {} })],
    ['an error caused by a dropped connection', new Error('request failed', { cause: networkError('ECONNRESET') })],
  ])('%s', (_what, error) => {
    // Act / Assess
    expect(isTransient(error)).toBe(true);
    expect(translate(error, 'GetAlias fn:live')).toBeInstanceOf(TransientAwsError);
  });

  it.each([
    ['access denied', serviceError(LambdaServiceException, 'AccessDeniedException', 403)],
    ['a refused parameter', serviceError(LambdaServiceException, 'InvalidParameterValueException', 400)],
    ['a missing resource', serviceError(LambdaServiceException, 'ResourceNotFoundException', 404)],
    ['an aborted request', Object.assign(new Error('aborted'), { name: 'AbortError' })],
    ['something not from AWS at all', new TypeError("Cannot read properties of undefined (reading 'x')")],
  ])('not %s', (_what, error) => {
    // Act / Assess
    expect(isTransient(error)).toBe(false);
    expect(translate(error, 'GetAlias fn:live')).toBeInstanceOf(AwsCallFailedError);
  });

  it('says which call failed, on what, and what AWS answered, keeping the exception as the cause', () => {
    // Prepare
    const error = serviceError(LambdaServiceException, 'AccessDeniedException', 403, 'not authorized to perform: lambda:GetAlias');

    // Act
    const translated = translate(error, 'GetAlias fn:live');

    // Assess
    expect(translated.message).toBe('GetAlias fn:live: AccessDeniedException: not authorized to perform: lambda:GetAlias');
    expect(translated.cause).toBe(error);
  });

  it("lets fledge's own errors through unchanged", () => {
    // Prepare
    const error = new FunctionNotFoundError('function fn does not exist');

    // Act / Assess
    expect(translate(error, 'GetAlias fn:live')).toBe(error);
  });
});
