import { ConditionalCheckFailedException, CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../src/server';
import { clientConfig } from '../src/testing/clients';

describe('embedded DynamoDB', () => {
  let aws: LocalAws;
  let dynamodb: DynamoDBClient;
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    dynamodb = new DynamoDBClient(clientConfig(aws));
    await dynamodb.send(new CreateTableCommand({
      TableName: 'deployments',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [{ IndexName: 'by-status', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
    }));
  });
  afterAll(async () => {
    dynamodb.destroy();
    await aws.stop();
  });

  it('makes a new table and its index ACTIVE at once, with an ARN in the embedded region and account', async () => {
    // Act
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'deployments' }));
    // Assess
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.TableArn).toBe('arn:aws:dynamodb:us-east-1:000000000000:table/deployments');
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({ IndexName: 'by-status', IndexStatus: 'ACTIVE' });
  });

  it('refuses a conditional put on an existing item with ConditionalCheckFailedException', async () => {
    // Prepare
    const item = { pk: { S: 'fn#checkout' }, sk: { S: 'deployment#1' }, status: { S: 'RUNNING' } };
    await dynamodb.send(new PutItemCommand({ TableName: 'deployments', Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    // Act
    const error = await dynamodb.send(new PutItemCommand({ TableName: 'deployments', Item: item, ConditionExpression: 'attribute_not_exists(pk)' })).catch((caught: unknown) => caught);
    // Assess
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error).toMatchObject({ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } });
  });

  it('pages a query on the index with Limit and LastEvaluatedKey', async () => {
    // Prepare
    for (let n = 1; n <= 5; n += 1) {
      await dynamodb.send(new PutItemCommand({ TableName: 'deployments', Item: { pk: { S: `fn#orders-${n}` }, sk: { S: `deployment#${n}` }, status: { S: 'ROLLED_BACK' } } }));
    }
    // Act
    const pages: string[][] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamodb.send(new QueryCommand({
        TableName: 'deployments', IndexName: 'by-status', Limit: 2,
        KeyConditionExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':status': { S: 'ROLLED_BACK' } },
        ExclusiveStartKey: startKey as never,
      }));
      pages.push((page.Items ?? []).map((item) => item.sk!.S!));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // Assess
    expect(pages.slice(0, 3)).toEqual([['deployment#1', 'deployment#2'], ['deployment#3', 'deployment#4'], ['deployment#5']]);
    expect(pages.flat()).toHaveLength(5);
  });

  it('answers the operations dynalite lacks, such as TransactWriteItems, with UnknownOperationException (see docs/local.md)', async () => {
    // Act
    const error = await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'deployments', Item: { pk: { S: 'x' }, sk: { S: 'y' } } } }] })).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
  });
});
