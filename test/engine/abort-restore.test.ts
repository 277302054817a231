import { describe, expect, it } from 'vitest';
import { restoreAlias } from '../../shared/domain/deployment/alias';
import { routingFor } from '../../shared/domain/deployment/routing';
import type { AliasRouting, AliasState, DeploymentRecord } from '../../shared/model/deployment';
import type { DeploymentStore } from '../../shared/ports/deployment-store';
import type { LambdaRegistry } from '../../shared/ports/lambda-registry';
import { spec } from '../support/engine';
import { FakeAliases, FakeStore } from '../support/engine-fakes';

/** Lambda where a change announced earlier lands just before fledge's own update (which then fails its revision guard). */
class RacedAliases extends FakeAliases {
  constructor(
    initial: AliasRouting,
    private readonly landing: AliasRouting,
  ) {
    super(initial);
  }

  private landed = false;

  override async updateAlias(input: { routing: AliasRouting; revisionId: string }): Promise<AliasState> {
    if (!this.landed) {
      this.landed = true;
      this.changeBySomeoneElse(this.landing);
    }
    return super.updateAlias(input);
  }
}

const canary = spec('fn', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 600 }, { type: 'setWeight', percent: 50 }, { type: 'pause', duration: 600 }] });

function recordOf(aliases: FakeAliases, snapshot: AliasState, intent?: DeploymentRecord['intent']): DeploymentRecord {
  return {
    deploymentId: 'dep-1',
    functionName: 'fn',
    alias: 'live',
    status: 'RUNNING',
    spec: canary,
    artifact: { bucket: 'b', key: 'k' },
    startedBy: 'test',
    source: 'test',
    createdAt: 0,
    updatedAt: 0,
    snapshot: { alias: snapshot, functionExisted: true },
    aliasRevisionId: aliases.alias!.revisionId,
    newVersion: '2',
    currentWeight: 10,
    ...(intent ? { intent } : {}),
  };
}

describe('restoring the alias while a change announced before it lands', () => {
  it('recognises the announced change that landed between its read and its update, and restores from there', async () => {
    // Prepare: v2 at 10%; a check announced 50% (the record's intent) and its update lands during the abort's restore.
    const aliases = new RacedAliases({ version: '1', weights: {} }, routingFor('1', '2', 50));
    const snapshot = aliases.alias!;
    aliases.changeBySomeoneElse(routingFor('1', '2', 10));
    const record = recordOf(aliases, snapshot, { target: routingFor('1', '2', 50), expectedRevisionId: aliases.alias!.revisionId, description: 'set 50% on version 2' });
    const store = new FakeStore(record);

    // Act
    const outcome = await restoreAlias({ lambda: aliases as unknown as LambdaRegistry, store: store as unknown as DeploymentStore }, record, 'abort');

    // Assess: wholly back on version 1, not left at 50% as "someone else's".
    expect(outcome.kind).toBe('restored');
    expect(aliases.alias).toMatchObject({ version: '1', weights: {} });
  });

  it('still leaves a change nobody announced alone (drift)', async () => {
    // Prepare: someone else sets 30% just before the restore's update.
    const aliases = new RacedAliases({ version: '1', weights: {} }, routingFor('1', '2', 30));
    const snapshot = aliases.alias!;
    aliases.changeBySomeoneElse(routingFor('1', '2', 10));
    const record = recordOf(aliases, snapshot);
    const store = new FakeStore(record);

    // Act
    const outcome = await restoreAlias({ lambda: aliases as unknown as LambdaRegistry, store: store as unknown as DeploymentStore }, record, 'abort');

    // Assess
    expect(outcome.kind).toBe('drifted');
    expect(aliases.alias).toMatchObject({ version: '1', weights: { '2': 0.3 } });
  });
});
