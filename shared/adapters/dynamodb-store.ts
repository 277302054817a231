import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { InvalidTaskInputError } from '../model/engine-errors';
import type { EndedDeployment, EndingsQuery } from '../model/delivery';
import type { AliasLock, ApprovalRecord, DeploymentEvent, DeploymentRecord, NotificationClaim } from '../model/deployment';
import type { Clock } from '../ports/clock';
import type { DeploymentPatch, DeploymentQuery, DeploymentStore, SettlingMark, UpdateConditions } from '../ports/deployment-store';
import { sdkError, translate } from './aws-errors';
import { ENDINGS_INDEX, LISTING_INDEXES, LISTING_SORT_KEY, TTL_ATTRIBUTE } from './dynamodb-table';

const KEY_ATTRIBUTES = new Set(['PK', 'SK', 'type', LISTING_SORT_KEY, TTL_ATTRIBUTE, ...Object.values(LISTING_INDEXES), ENDINGS_INDEX.partitionKey, ENDINGS_INDEX.sortKey]);
const DAY_S = 86_400;

/** {@link DeploymentStore} over one DynamoDB table (layout in `dynamodb-table.ts` and docs/engine.md). */
export class DynamoDbDeploymentStore implements DeploymentStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async createDeployment(record: DeploymentRecord, options?: { readonly replacePlaceholder?: boolean }): Promise<DeploymentRecord> {
    const replacing = options?.replacePlaceholder
      ? { ConditionExpression: 'attribute_not_exists(PK) OR (placeholder = :yes AND #status = :pending)', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':yes': true, ':pending': 'PENDING' } }
      : { ConditionExpression: 'attribute_not_exists(PK)' };
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...record, ...deploymentKeys(record) }, ...replacing }));
      return record;
    } catch (error) {
      if (!isConditionFailure(error)) throw translate(error, `PutItem deployment ${record.deploymentId}`);
      const existing = await this.getDeployment(record.deploymentId);
      if (!existing) throw translate(error, `PutItem deployment ${record.deploymentId}`);
      return existing;
    }
  }

  async getDeployment(deploymentId: string): Promise<DeploymentRecord | undefined> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { PK: `DEP#${deploymentId}`, SK: 'META' }, ConsistentRead: true }));
      return out.Item ? (strip(out.Item) as unknown as DeploymentRecord) : undefined;
    } catch (error) {
      throw translate(error, `GetItem deployment ${deploymentId}`);
    }
  }

  async updateDeployment(deploymentId: string, patch: DeploymentPatch, options?: UpdateConditions): Promise<DeploymentRecord | undefined> {
    const names: Record<string, string> = { '#PK': 'PK' };
    const values: Record<string, unknown> = { ':updatedAt': this.clock.now() };
    const sets: string[] = ['#updatedAt = :updatedAt'];
    const removes: string[] = [];
    names['#updatedAt'] = 'updatedAt';
    let i = 0;
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || key === 'updatedAt') continue;
      i += 1;
      names[`#f${i}`] = key;
      if (value === null) removes.push(`#f${i}`);
      else {
        values[`:f${i}`] = value;
        sets.push(`#f${i} = :f${i}`);
      }
    }
    if (patch.status || typeof patch.endedAt === 'number') {
      // The status is part of three listing keys, the ending of the metrics index's keys; they are rebuilt from the stored function and alias.
      const current = await this.getDeployment(deploymentId);
      if (!current) return undefined;
      const keys = { ...(patch.status ? deploymentKeys({ ...current, status: patch.status }) : {}), ...(typeof patch.endedAt === 'number' ? endingKeys(current.functionName, deploymentId, patch.endedAt) : {}) };
      for (const attribute of [LISTING_INDEXES.byFunctionStatus, LISTING_INDEXES.byFunctionAliasStatus, LISTING_INDEXES.byStatus, ENDINGS_INDEX.partitionKey, ENDINGS_INDEX.sortKey]) {
        if (keys[attribute] === undefined) continue;
        names[`#${attribute}`] = attribute;
        values[`:${attribute}`] = keys[attribute];
        sets.push(`#${attribute} = :${attribute}`);
      }
    }
    let condition = 'attribute_exists(#PK)';
    if (options?.onlyIfStatusIn) {
      names['#status'] = 'status';
      const placeholders = options.onlyIfStatusIn.map((status, n) => {
        values[`:s${n}`] = status;
        return `:s${n}`;
      });
      condition += ` AND #status IN (${placeholders.join(', ')})`;
    }
    if (options?.unlessAbandoned) {
      names['#abandonedAt'] = 'abandonedAt';
      condition += ' AND attribute_not_exists(#abandonedAt)';
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: `DEP#${deploymentId}`, SK: 'META' },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? (strip(out.Attributes) as unknown as DeploymentRecord) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw translate(error, `UpdateItem deployment ${deploymentId}`);
    }
  }

  async claimNotification(deploymentId: string, claim: NotificationClaim, now: number): Promise<boolean> {
    return this.updateRecordIf(deploymentId, 'notification claim', {
      UpdateExpression: 'SET #claim = :claim',
      // Atomic with "not sent yet": of two finishers at once, one sends. A claim past its lease
      // (its claimant died or lost the table) is taken over; the claimant may renew its own.
      ConditionExpression: 'attribute_exists(#PK) AND NOT contains(#notified, :key) AND (attribute_not_exists(#claim) OR #claim.#until <= :now OR #claim.#claimant = :me)',
      ExpressionAttributeNames: { '#PK': 'PK', '#notified': 'notified', '#claim': 'notifying', '#until': 'until', '#claimant': 'claimant' },
      ExpressionAttributeValues: { ':claim': claim, ':key': claim.key, ':now': now, ':me': claim.claimant },
    });
  }

  async markNotified(deploymentId: string, key: string, claimant?: string): Promise<boolean> {
    // With its own claim still in place (the usual case), one write records the send and drops the claim.
    if (claimant !== undefined && (await this.recordNotified(deploymentId, key, claimant))) return true;
    return this.recordNotified(deploymentId, key);
  }

  private recordNotified(deploymentId: string, key: string, claimant?: string): Promise<boolean> {
    const names: Record<string, string> = { '#PK': 'PK', '#notified': 'notified' };
    const values: Record<string, unknown> = { ':empty': [], ':keys': [key], ':key': key };
    // Atomic, so two finishers (a retried task, the sweeper) never both record it.
    let condition = 'attribute_exists(#PK) AND NOT contains(#notified, :key)';
    if (claimant !== undefined) {
      Object.assign(names, { '#claim': 'notifying', '#claimant': 'claimant' });
      values[':me'] = claimant;
      condition += ' AND #claim.#claimant = :me';
    }
    return this.updateRecordIf(deploymentId, 'notified', {
      UpdateExpression: `SET #notified = list_append(if_not_exists(#notified, :empty), :keys)${claimant !== undefined ? ' REMOVE #claim' : ''}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  }

  async releaseNotificationClaim(deploymentId: string, claimant: string): Promise<void> {
    // Not ours any more (taken over, or gone): nothing to release.
    await this.updateRecordIf(deploymentId, 'notification claim', {
      UpdateExpression: 'REMOVE #claim',
      ConditionExpression: '#claim.#claimant = :me',
      ExpressionAttributeNames: { '#claim': 'notifying', '#claimant': 'claimant' },
      ExpressionAttributeValues: { ':me': claimant },
    });
  }

  /** One conditional UpdateItem of a deployment's record: true when written, false when its condition did not hold. */
  private async updateRecordIf(deploymentId: string, what: string, update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>): Promise<boolean> {
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: { PK: `DEP#${deploymentId}`, SK: 'META' }, ...update }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw translate(error, `UpdateItem ${what} of ${deploymentId}`);
    }
  }

  async markSettling(deploymentId: string, at: number): Promise<void> {
    try {
      // An upsert (UpdateItem), not PutItem: the ending's status, its lock release and this mark
      // then all go through the same write operation, so an outage of PutItem alone cannot end a
      // deployment while hiding its unsettled ending from the sweeper (issue 12).
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: settlingKey(deploymentId),
          UpdateExpression: 'SET #type = :type, #deploymentId = :deploymentId, #at = :at, #listing = :listing, #sort = :sort, #ttl = :ttl',
          ExpressionAttributeNames: { '#type': 'type', '#deploymentId': 'deploymentId', '#at': 'at', '#listing': LISTING_INDEXES.all, '#sort': LISTING_SORT_KEY, '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':type': 'settling', ':deploymentId': deploymentId, ':at': at, ':listing': SETTLING_PARTITION, ':sort': `${new Date(at).toISOString()}#${deploymentId}`, ':ttl': Math.ceil(at / 1000) + 14 * DAY_S },
        }),
      );
    } catch (error) {
      throw translate(error, `UpdateItem settling mark of ${deploymentId}`);
    }
  }

  async markSettled(deploymentId: string): Promise<void> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: settlingKey(deploymentId) }));
    } catch (error) {
      throw translate(error, `DeleteItem settling mark of ${deploymentId}`);
    }
  }

  async listSettling(): Promise<readonly SettlingMark[]> {
    return (await this.listPartition(SETTLING_PARTITION, 'settling marks')).map((item) => ({ deploymentId: String(item.deploymentId), at: Number(item.at) }));
  }

  async appendEvent(event: DeploymentEvent): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({ TableName: this.tableName, Item: { PK: `DEP#${event.deploymentId}`, SK: `EV#${event.key}`, type: 'event', ...event }, ConditionExpression: 'attribute_not_exists(PK)' }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw translate(error, `PutItem event ${event.key} of ${event.deploymentId}`);
    }
  }

  async listEvents(deploymentId: string): Promise<readonly DeploymentEvent[]> {
    const events: DeploymentEvent[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :ev)',
            ExpressionAttributeValues: { ':pk': `DEP#${deploymentId}`, ':ev': 'EV#' },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of out.Items ?? []) events.push(strip(item) as unknown as DeploymentEvent);
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw translate(error, `Query events of ${deploymentId}`);
    }
    return events.sort((a, b) => a.at - b.at || a.key.localeCompare(b.key));
  }

  async listEndings(query: EndingsQuery): Promise<readonly EndedDeployment[]> {
    const endings: EndedDeployment[] = [];
    if (!(query.to > query.from)) return endings;
    for (const month of monthsBetween(query.from, query.to - 1)) {
      const partition = { '#pk': ENDINGS_INDEX.partitionKey };
      // One function's endings in the window are one key range; every function's are the month, its edges filtered.
      const request = query.functionName
        ? {
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
            ExpressionAttributeNames: { ...partition, '#sk': ENDINGS_INDEX.sortKey },
            ExpressionAttributeValues: { ':pk': month, ':lo': `${query.functionName}#${new Date(query.from).toISOString()}`, ':hi': `${query.functionName}#${new Date(query.to - 1).toISOString()}#~` },
          }
        : {
            KeyConditionExpression: '#pk = :pk',
            FilterExpression: '#endedAt >= :from AND #endedAt < :to',
            ExpressionAttributeNames: { ...partition, '#endedAt': 'endedAt' },
            ExpressionAttributeValues: { ':pk': month, ':from': query.from, ':to': query.to },
          };
      let start: Record<string, unknown> | undefined;
      try {
        do {
          const out = await this.doc.send(new QueryCommand({ TableName: this.tableName, IndexName: ENDINGS_INDEX.name, ...request, ...(start ? { ExclusiveStartKey: start } : {}) }));
          for (const item of out.Items ?? []) endings.push(endedFrom(item));
          start = out.LastEvaluatedKey;
        } while (start);
      } catch (error) {
        throw translate(error, `Query ${ENDINGS_INDEX.name} ${month}`);
      }
    }
    return endings;
  }

  async listDeployments(query: DeploymentQuery): Promise<{ readonly items: readonly DeploymentRecord[]; readonly cursor?: string }> {
    const [indexName, attribute, value] = listingIndex(query);
    let start: Record<string, unknown> | undefined;
    if (query.cursor) {
      try {
        start = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch (error) {
        throw new InvalidTaskInputError('the cursor is not one this API returned', { cause: error });
      }
    }
    try {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': attribute },
          ExpressionAttributeValues: { ':pk': value },
          ScanIndexForward: false,
          Limit: Math.max(1, Math.min(100, query.limit)),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const items = (out.Items ?? []).map((item) => strip(item) as unknown as DeploymentRecord);
      return { items, ...(out.LastEvaluatedKey ? { cursor: Buffer.from(JSON.stringify(out.LastEvaluatedKey), 'utf8').toString('base64url') } : {}) };
    } catch (error) {
      throw translate(error, `Query ${indexName}`);
    }
  }

  async acquireLock(lock: AliasLock, now: number, takeOverFrom?: string): Promise<AliasLock | undefined> {
    const values: Record<string, unknown> = { ':me': lock.holder, ':now': now };
    let condition = 'attribute_not_exists(PK) OR holder = :me OR expiresAt < :now';
    if (takeOverFrom) {
      values[':previous'] = takeOverFrom;
      condition += ' OR holder = :previous';
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...lockKey(lock.functionName, lock.alias), ...lockListingKeys(lock), type: 'lock', ...lock, [TTL_ATTRIBUTE]: Math.ceil(lock.expiresAt / 1000) + DAY_S },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw translate(error, `PutItem lock ${lock.functionName}:${lock.alias}`);
      return (await this.getLock(lock.functionName, lock.alias)) ?? { ...lock, holder: 'unknown' };
    }
  }

  async getLock(functionName: string, alias: string): Promise<AliasLock | undefined> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: lockKey(functionName, alias), ConsistentRead: true }));
      return out.Item ? (strip(out.Item) as unknown as AliasLock) : undefined;
    } catch (error) {
      throw translate(error, `GetItem lock ${functionName}:${alias}`);
    }
  }

  async listLocks(): Promise<readonly AliasLock[]> {
    return (await this.listPartition(LOCKS_PARTITION, 'held locks')).map((item) => strip(item) as unknown as AliasLock);
  }

  /** Every item of one partition of the `all` index (held locks, settling marks: a few). */
  private async listPartition(partition: string, what: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'all',
            KeyConditionExpression: '#pk = :partition',
            ExpressionAttributeNames: { '#pk': LISTING_INDEXES.all },
            ExpressionAttributeValues: { ':partition': partition },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
    } catch (error) {
      throw translate(error, `Query ${what}`);
    }
    return items;
  }

  async releaseLock(functionName: string, alias: string, holder: string): Promise<void> {
    try {
      await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: lockKey(functionName, alias), ConditionExpression: 'holder = :me', ExpressionAttributeValues: { ':me': holder } }));
    } catch (error) {
      // Not ours (or already gone): nothing to release.
      if (isConditionFailure(error)) return;
      throw translate(error, `DeleteItem lock ${functionName}:${alias}`);
    }
  }

  async putApproval(approval: ApprovalRecord): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...approvalKey(approval.approvalId), type: 'approval', ...approval, [TTL_ATTRIBUTE]: Math.ceil(approval.expiresAt / 1000) + 30 * DAY_S },
          // A retried request replaces the token of a still-pending approval, never a decided one.
          ConditionExpression: 'attribute_not_exists(PK) OR #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING' },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw translate(error, `PutItem approval ${approval.approvalId}`);
    }
  }

  async getApproval(approvalId: string): Promise<ApprovalRecord | undefined> {
    try {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: approvalKey(approvalId), ConsistentRead: true }));
      return out.Item ? (strip(out.Item) as unknown as ApprovalRecord) : undefined;
    } catch (error) {
      throw translate(error, `GetItem approval ${approvalId}`);
    }
  }

  async decideApproval(approvalId: string, decision: { status: 'APPROVED' | 'REJECTED' | 'EXPIRED'; by?: string; at: number; comment?: string }): Promise<ApprovalRecord | undefined> {
    const values: Record<string, unknown> = { ':status': decision.status, ':at': decision.at, ':pending': 'PENDING' };
    const sets = ['#status = :status', 'decidedAt = :at'];
    if (decision.by) {
      values[':by'] = decision.by;
      sets.push('decidedBy = :by');
    }
    if (decision.comment) {
      values[':comment'] = decision.comment;
      sets.push('#comment = :comment');
    }
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: approvalKey(approvalId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status', ...(decision.comment ? { '#comment': 'comment' } : {}) },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      return out.Attributes ? (strip(out.Attributes) as unknown as ApprovalRecord) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw translate(error, `UpdateItem approval ${approvalId}`);
    }
  }

  async reopenApproval(approvalId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: approvalKey(approvalId),
          UpdateExpression: 'SET #status = :pending REMOVE decidedBy, decidedAt, #comment',
          ConditionExpression: '#status IN (:approved, :rejected)',
          ExpressionAttributeNames: { '#status': 'status', '#comment': 'comment' },
          ExpressionAttributeValues: { ':pending': 'PENDING', ':approved': 'APPROVED', ':rejected': 'REJECTED' },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw translate(error, `UpdateItem approval ${approvalId}`);
    }
  }
}

/** The key and listing-index attributes of a deployment record's item (bulk loaders reuse them). */
export function deploymentKeys(record: Pick<DeploymentRecord, 'deploymentId' | 'functionName' | 'alias' | 'status' | 'createdAt'>): Record<string, string> {
  const fn = `FN#${record.functionName}`;
  const alias = `${fn}#AL#${record.alias}`;
  return {
    PK: `DEP#${record.deploymentId}`,
    SK: 'META',
    type: 'deployment',
    [LISTING_SORT_KEY]: `${new Date(record.createdAt).toISOString()}#${record.deploymentId}`,
    [LISTING_INDEXES.byFunction]: fn,
    [LISTING_INDEXES.byFunctionAlias]: alias,
    [LISTING_INDEXES.byFunctionStatus]: `${fn}#ST#${record.status}`,
    [LISTING_INDEXES.byFunctionAliasStatus]: `${alias}#ST#${record.status}`,
    [LISTING_INDEXES.byStatus]: `ST#${record.status}`,
    [LISTING_INDEXES.all]: 'DEP',
  };
}

/** The metrics index's keys of a deployment that ended at `endedAt` (see `ENDINGS_INDEX`). */
export function endingKeys(functionName: string, deploymentId: string, endedAt: number): Record<string, string> {
  const iso = new Date(endedAt).toISOString();
  return { [ENDINGS_INDEX.partitionKey]: `ENDED#${iso.slice(0, 7)}`, [ENDINGS_INDEX.sortKey]: `${functionName}#${iso}#${deploymentId}` };
}

/** The metrics index's partitions (`ENDED#yyyy-mm`, UTC) from the month of `from` to that of `to`, both inclusive. */
function monthsBetween(from: number, to: number): string[] {
  const months: string[] = [];
  const first = new Date(from);
  const last = new Date(to);
  for (let y = first.getUTCFullYear(), m = first.getUTCMonth(); y < last.getUTCFullYear() || (y === last.getUTCFullYear() && m <= last.getUTCMonth()); m === 11 ? ((m = 0), (y += 1)) : (m += 1)) {
    months.push(`ENDED#${y}-${String(m + 1).padStart(2, '0')}`);
  }
  return months;
}

function endedFrom(item: Record<string, unknown>): EndedDeployment {
  return {
    deploymentId: String(item.deploymentId),
    functionName: String(item.functionName),
    alias: String(item.alias),
    status: item.status as EndedDeployment['status'],
    createdAt: Number(item.createdAt),
    endedAt: Number(item.endedAt),
    ...(item.tookTraffic === true ? { tookTraffic: true } : {}),
    ...(typeof item.failureDetectedAt === 'number' ? { failureDetectedAt: item.failureDetectedAt } : {}),
  };
}

function listingIndex(query: DeploymentQuery): [string, string, string] {
  const fn = query.functionName ? `FN#${query.functionName}` : undefined;
  if (query.alias && !fn) throw new InvalidTaskInputError('filtering by alias needs the function too');
  if (fn && query.alias && query.status) return ['byFunctionAliasStatus', LISTING_INDEXES.byFunctionAliasStatus, `${fn}#AL#${query.alias}#ST#${query.status}`];
  if (fn && query.alias) return ['byFunctionAlias', LISTING_INDEXES.byFunctionAlias, `${fn}#AL#${query.alias}`];
  if (fn && query.status) return ['byFunctionStatus', LISTING_INDEXES.byFunctionStatus, `${fn}#ST#${query.status}`];
  if (fn) return ['byFunction', LISTING_INDEXES.byFunction, fn];
  if (query.status) return ['byStatus', LISTING_INDEXES.byStatus, `ST#${query.status}`];
  return ['all', LISTING_INDEXES.all, 'DEP'];
}

/**
 * Held locks and settling marks are listed in the `all` index under partitions of their own
 * (deployments use `DEP`), so the sweeper finds every one with a single Query instead of a Scan.
 */
const LOCKS_PARTITION = 'LOCK';
const SETTLING_PARTITION = 'SETTLING';

function settlingKey(deploymentId: string) {
  return { PK: `SETTLING#${deploymentId}`, SK: 'SETTLING' };
}

function lockListingKeys(lock: Pick<AliasLock, 'functionName' | 'alias'>): Record<string, string> {
  return { [LISTING_INDEXES.all]: LOCKS_PARTITION, [LISTING_SORT_KEY]: `${lock.functionName}#${lock.alias}` };
}

function lockKey(functionName: string, alias: string) {
  return { PK: `LOCK#${functionName}#${alias}`, SK: 'LOCK' };
}

function approvalKey(approvalId: string) {
  return { PK: `APPROVAL#${approvalId}`, SK: 'APPROVAL' };
}

function strip(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).filter(([key]) => !KEY_ATTRIBUTES.has(key)));
}

function isConditionFailure(error: unknown): boolean {
  return sdkError(error).name === 'ConditionalCheckFailedException';
}
