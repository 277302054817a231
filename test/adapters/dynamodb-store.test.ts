import { ConditionalCheckFailedException, DynamoDBClient, DynamoDBServiceException, InternalServerError, ProvisionedThroughputExceededException, ResourceNotFoundException, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbDeploymentStore } from '../../shared/adapters/dynamodb-store';
import { AwsCallFailedError, InvalidTaskInputError, TransientAwsError } from '../../shared/model/engine-errors';
import type { AliasLock, DeploymentEvent } from '../../shared/model/deployment';
import { serviceError } from './sdk-errors';

// The table's answers translated at the adapter boundary, on a mocked document client.

const documents = mockClient(DynamoDBDocumentClient);
const store = new DynamoDbDeploymentStore(new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), 'fledge-deployments', { now: () => 1_000, sleep: async () => undefined });
const conditionFailed = () => serviceError(ConditionalCheckFailedException, 'ConditionalCheckFailedException', 400, 'The conditional request failed');
const lock: AliasLock = { functionName: 'fn', alias: 'live', holder: 'dep-2', expiresAt: 10_000 };

afterEach(() => {
  documents.reset();
});

describe('the DynamoDB store', () => {
  it.each([
    ['a throttle', 'transient', serviceError(ThrottlingException, 'ThrottlingException', 400), TransientAwsError],
    ['exceeded provisioned throughput', 'transient', serviceError(ProvisionedThroughputExceededException, 'ProvisionedThroughputExceededException', 400), TransientAwsError],
    ['a 500', 'transient', serviceError(InternalServerError, 'InternalServerError', 500), TransientAwsError],
    ['a missing table', 'a failed call, not retried', serviceError(ResourceNotFoundException, 'ResourceNotFoundException', 400, 'Requested resource not found'), AwsCallFailedError],
    ['access denied', 'a failed call, not retried', serviceError(DynamoDBServiceException, 'AccessDeniedException', 400), AwsCallFailedError],
  ])('reads %s as %s, naming the item', async (_what, _as, error, expected) => {
    // Prepare
    documents.on(GetCommand).rejects(error);

    // Act
    const failure = (await store.getDeployment('dep-1').catch((e: unknown) => e)) as Error;

    // Assess
    expect(failure).toBeInstanceOf(expected);
    expect(failure.message).toMatch(/^GetItem deployment dep-1: /);
  });

  it('answers conditional writes that lost with their domain meaning, not an error', async () => {
    // Prepare
    documents.on(UpdateCommand).rejects(conditionFailed());
    documents.on(PutCommand).rejects(conditionFailed());
    documents.on(DeleteCommand).rejects(conditionFailed());

    // Act / Assess: no such deployment (or not in that status); already notified (or its send claimed by
    // another finisher, or the claim not ours to drop); already recorded; not our lock.
    expect(await store.updateDeployment('dep-1', { reason: 'x' }, { onlyIfStatusIn: ['RUNNING'] })).toBeUndefined();
    expect(await store.markNotified('dep-1', 'ending')).toBe(false);
    expect(await store.claimNotification('dep-1', { key: 'ending', claimant: 'me', until: 2_000 }, 1_000)).toBe(false);
    expect(await store.markNotified('dep-1', 'ending', 'me')).toBe(false);
    await expect(store.releaseNotificationClaim('dep-1', 'me')).resolves.toBeUndefined();
    expect(await store.appendEvent({ deploymentId: 'dep-1', key: 'e1', at: 1, kind: 'started' } as DeploymentEvent)).toBe(false);
    await expect(store.releaseLock('fn', 'live', 'dep-1')).resolves.toBeUndefined();
    expect(await store.decideApproval('a1', { status: 'APPROVED', at: 1 })).toBeUndefined();
  });

  it('answers a lock held by another deployment with its holder', async () => {
    // Prepare
    documents.on(PutCommand).rejects(conditionFailed());
    documents.on(GetCommand).resolves({ Item: { PK: 'LOCK#fn#live', SK: 'LOCK', type: 'lock', ...lock } });

    // Act
    const holder = await store.acquireLock({ ...lock, holder: 'dep-1' }, 1_000);

    // Assess
    expect(holder).toMatchObject({ holder: 'dep-2' });
  });

  it('keeps a throttled write retryable and says which write failed', async () => {
    // Prepare
    documents.on(UpdateCommand).rejects(serviceError(ThrottlingException, 'ThrottlingException', 400, 'Rate of requests exceeds the allowed throughput'));

    // Act / Assess
    await expect(store.markNotified('dep-1', 'ending')).rejects.toThrow(new TransientAwsError('UpdateItem notified of dep-1: ThrottlingException: Rate of requests exceeds the allowed throughput'));
  });

  it('refuses a list cursor it did not issue as invalid input, before calling DynamoDB', async () => {
    // Act
    const failure = await store.listDeployments({ limit: 10, cursor: '%%%not-base64-json' }).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(InvalidTaskInputError);
    expect(documents.calls()).toHaveLength(0);
  });
});
