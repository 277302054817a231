import { AliasDriftedError } from '../../shared/model/engine-errors';
import type { AliasLock, AliasRouting, AliasState, ApprovalRecord, DeploymentEvent, DeploymentRecord, NotificationClaim } from '../../shared/model/deployment';
import type { DeploymentPatch, DeploymentStore, UpdateConditions } from '../../shared/ports/deployment-store';
import type { LambdaRegistry } from '../../shared/ports/lambda-registry';
import type { DeploymentNotification } from '../../shared/model/notification';
import type { Notifier } from '../../shared/ports/notifier';
import type { WebhookSender } from '../../shared/ports/webhooks';

/**
 * In-memory stand-ins for the two ports the alias logic uses, for unit tests of the domain
 * (integration tests use the real adapters against the embedded AWS). The alias keeps Lambda's
 * revision semantics: every change gets a new revision; a stale revision is a precondition failure.
 */
export class FakeAliases implements Pick<LambdaRegistry, 'getAlias' | 'updateAlias' | 'createAlias' | 'deleteAlias'> {
  alias: AliasState | undefined;
  private revision = 0;
  /** When set, the next update is applied but its response is lost (the call throws this error). */
  loseNextResponse: Error | undefined;
  calls: string[] = [];

  constructor(initial?: AliasRouting) {
    if (initial) this.alias = { ...initial, revisionId: this.nextRevision() };
  }

  /** A change by someone else (a person, another tool). */
  changeBySomeoneElse(routing: AliasRouting): void {
    this.alias = { ...routing, revisionId: this.nextRevision() };
  }

  async getAlias(): Promise<AliasState | undefined> {
    this.calls.push('getAlias');
    return this.alias;
  }

  async updateAlias(input: { routing: AliasRouting; revisionId: string }): Promise<AliasState> {
    this.calls.push('updateAlias');
    if (!this.alias || this.alias.revisionId !== input.revisionId) throw new AliasDriftedError('precondition failed');
    this.alias = { ...input.routing, revisionId: this.nextRevision() };
    return this.respond();
  }

  async createAlias(input: { routing: AliasRouting }): Promise<AliasState> {
    this.calls.push('createAlias');
    if (this.alias) throw new AliasDriftedError('alias exists');
    this.alias = { ...input.routing, revisionId: this.nextRevision() };
    return this.respond();
  }

  async deleteAlias(): Promise<void> {
    this.calls.push('deleteAlias');
    this.alias = undefined;
  }

  private respond(): AliasState {
    const lost = this.loseNextResponse;
    this.loseNextResponse = undefined;
    if (lost) throw lost;
    return this.alias!;
  }

  private nextRevision(): string {
    this.revision += 1;
    return `rev-${this.revision}`;
  }
}

/** A record store holding one deployment, applying patches and their conditions as the DynamoDB adapter does. */
export class FakeRecords implements Pick<DeploymentStore, 'updateDeployment' | 'getDeployment'> {
  constructor(public record: DeploymentRecord) {}

  async getDeployment(): Promise<DeploymentRecord | undefined> {
    return this.record;
  }

  async updateDeployment(_id: string, patch: DeploymentPatch, options: UpdateConditions = {}): Promise<DeploymentRecord | undefined> {
    if (options.onlyIfStatusIn && !options.onlyIfStatusIn.includes(this.record.status)) return undefined;
    if (options.unlessAbandoned && this.record.abandonedAt !== undefined) return undefined;
    const next: Record<string, unknown> = { ...this.record };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete next[key];
      else if (value !== undefined) next[key] = value;
    }
    this.record = next as unknown as DeploymentRecord;
    return this.record;
  }
}

/**
 * The table as the endings use it: the record (with FakeRecords' conditions), its history, the
 * notification marker, the settling mark and the lock. `failing` makes a method throw (the table or a permission
 * failing) while it is set; `failOnce` makes its next call throw.
 */
export class FakeStore extends FakeRecords implements Pick<DeploymentStore, 'appendEvent' | 'claimNotification' | 'markNotified' | 'releaseNotificationClaim' | 'getLock' | 'releaseLock' | 'decideApproval' | 'listEvents' | 'markSettling' | 'markSettled'> {
  events: DeploymentEvent[] = [];
  lockHolder: string | undefined;
  /** Whether the ending is marked as still settling (the sweeper's list). */
  settling = false;
  readonly failing = new Map<string, Error>();
  readonly failOnce = new Map<string, Error>();

  constructor(record: DeploymentRecord) {
    super(record);
    this.lockHolder = record.deploymentId;
  }

  private check(method: string): void {
    const once = this.failOnce.get(method);
    if (once) {
      this.failOnce.delete(method);
      throw once;
    }
    const always = this.failing.get(method);
    if (always) throw always;
  }

  override async getDeployment(): Promise<DeploymentRecord | undefined> {
    this.check('getDeployment');
    return super.getDeployment();
  }

  override async updateDeployment(id: string, patch: DeploymentPatch, options: UpdateConditions = {}): Promise<DeploymentRecord | undefined> {
    this.check(patch.status ? 'updateDeployment:status' : 'updateDeployment');
    return super.updateDeployment(id, patch, options);
  }

  async appendEvent(event: DeploymentEvent): Promise<boolean> {
    this.check('appendEvent');
    if (this.events.some((known) => known.key === event.key)) return false;
    this.events.push(event);
    return true;
  }

  async listEvents(): Promise<readonly DeploymentEvent[]> {
    return this.events;
  }

  async claimNotification(_id: string, claim: NotificationClaim, now: number): Promise<boolean> {
    this.check('claimNotification');
    const held = this.record.notifying;
    if (this.record.notified?.includes(claim.key)) return false;
    if (held && held.until > now && held.claimant !== claim.claimant) return false;
    this.record = { ...this.record, notifying: claim };
    return true;
  }

  async markNotified(_id: string, key: string, claimant?: string): Promise<boolean> {
    this.check('markNotified');
    if (this.record.notified?.includes(key)) return false;
    const { notifying, ...rest } = this.record;
    this.record = { ...(notifying && notifying.claimant === claimant ? rest : this.record), notified: [...(this.record.notified ?? []), key] };
    return true;
  }

  async releaseNotificationClaim(_id: string, claimant: string): Promise<void> {
    this.check('releaseNotificationClaim');
    const { notifying, ...rest } = this.record;
    if (notifying?.claimant === claimant) this.record = rest;
  }

  async markSettling(): Promise<void> {
    this.check('markSettling');
    this.settling = true;
  }

  async markSettled(): Promise<void> {
    this.check('markSettled');
    this.settling = false;
  }

  async getLock(functionName: string, alias: string): Promise<AliasLock | undefined> {
    this.check('getLock');
    return this.lockHolder === undefined ? undefined : { functionName, alias, holder: this.lockHolder, expiresAt: Number.MAX_SAFE_INTEGER };
  }

  async releaseLock(_fn: string, _alias: string, holder: string): Promise<void> {
    this.check('releaseLock');
    if (this.lockHolder === holder) this.lockHolder = undefined;
  }

  async decideApproval(): Promise<ApprovalRecord | undefined> {
    this.check('decideApproval');
    return undefined;
  }
}

/** A notifier that remembers what it sent; `failing` makes every send throw while set. */
export class FakeNotifier implements Notifier {
  sent: DeploymentNotification[] = [];
  failing: Error | undefined;

  async notify(notification: DeploymentNotification): Promise<void> {
    if (this.failing) throw this.failing;
    this.sent.push(notification);
  }
}

/** The webhooks port of a unit test whose spec has none: calling it is a bug in the test. */
export const NO_WEBHOOKS: WebhookSender = {
  deliver: () => Promise.reject(new Error('this spec has no webhooks: nothing should be sent')),
};
