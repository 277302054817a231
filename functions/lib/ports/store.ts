import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb-store';
import { factory, setting, type PortFactory } from '../composition';

/** The deployments table (`FLEDGE_TABLE_NAME`). */
export const storePort: PortFactory<'store'> = /* @__PURE__ */ factory(['tableName'], (c) => new DynamoDbDeploymentStore(c.client(DynamoDBClient), setting(c, 'tableName'), c.clock));
