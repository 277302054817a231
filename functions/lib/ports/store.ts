import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb-store';
import type { PortFactory } from '../composition';

/** The deployments table. */
export const storePort: PortFactory<'store'> = (c) => new DynamoDbDeploymentStore(c.client(DynamoDBClient), c.settings.tableName, c.clock);
