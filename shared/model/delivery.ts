import type { DeploymentStatus } from './deployment';

/**
 * What the delivery metrics need of one ended deployment: the few fields the table's metrics
 * index projects (`shared/adapters/dynamodb-table.ts`), never the whole record.
 */
export interface EndedDeployment {
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly status: DeploymentStatus;
  /** Epoch ms the deployment was accepted. */
  readonly createdAt: number;
  /** Epoch ms it ended (see `DeploymentRecord.endedAt`). */
  readonly endedAt: number;
  /** The new version served traffic through the alias. */
  readonly tookTraffic?: boolean;
  /** Epoch ms the failure that ended it was detected (see `DeploymentRecord.failureDetectedAt`). */
  readonly failureDetectedAt?: number;
}

/** Which ended deployments to read: those that ended in [from, to), of one function or all. */
export interface EndingsQuery {
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
  readonly functionName?: string;
}
