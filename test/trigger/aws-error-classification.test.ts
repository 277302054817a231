import { createServer } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultRule, type LocalAws, startLocalAws } from '@fledge-local/embedded-aws';
import { StepFunctionsOrchestrator } from '../../shared/adapters/sfn-orchestrator';
import { AwsCallFailedError, TransientAwsError } from '../../shared/model/engine-errors';
import { clientConfig } from '../support/local-aws';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:fledge-deployment';

/** A port nothing listens on: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('AWS errors at the adapter boundary', () => {
  let aws: LocalAws;
  let client: SFNClient;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    client = new SFNClient(clientConfig(aws));
  });
  afterEach(() => {
    aws.faults.clear();
  });
  afterAll(async () => {
    client.destroy();
    await aws.stop();
  });

  async function failureOf(fault: Omit<FaultRule, 'service' | 'operation' | 'remaining'>): Promise<unknown> {
    aws.faults.add({ service: 'states', operation: 'StopExecution', count: 1, ...fault });
    return new StepFunctionsOrchestrator(client, MACHINE).stopExecution({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:x`, error: 'e', cause: 'c' }).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it.each([
    ['throttling', { kind: 'throttle' }],
    ['an internal error (500)', { kind: 'serverError' }],
    ['a bad gateway (502)', { kind: 'error', code: 'BadGateway', status: 502 }],
    ['any 429', { kind: 'error', code: 'SomeNewLimit', status: 429 }],
    ['a transaction in progress', { kind: 'error', code: 'TransactionInProgressException', status: 400 }],
    ['a prior request not complete', { kind: 'error', code: 'PriorRequestNotComplete', status: 400 }],
  ] as const)('calls %s transient, as the SDK’s retry strategy does', async (_what, fault) => {
    // Act
    const error = await failureOf(fault);

    // Assess
    expect(error).toBeInstanceOf(TransientAwsError);
  });

  it.each([
    ['access denied', { kind: 'error', code: 'AccessDeniedException', status: 400 }],
    ['a validation error', { kind: 'error', code: 'ValidationException', status: 400 }],
    ['a missing state machine', { kind: 'error', code: 'StateMachineDoesNotExist', status: 400 }],
  ] as const)('calls %s permanent', async (_what, fault) => {
    // Act
    const error = await failureOf(fault);

    // Assess
    expect(error).toBeInstanceOf(AwsCallFailedError);
  });

  it('calls a refused connection transient', async () => {
    // Prepare
    const unreachable = new SFNClient({ ...clientConfig(aws), endpoint: `http://127.0.0.1:${await closedPort()}` });

    // Act
    const error = await new StepFunctionsOrchestrator(unreachable, MACHINE).stopExecution({ executionArn: `${MACHINE.replace(':stateMachine:', ':execution:')}:x`, error: 'e', cause: 'c' }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    unreachable.destroy();

    // Assess
    expect(error).toBeInstanceOf(TransientAwsError);
  });
});
