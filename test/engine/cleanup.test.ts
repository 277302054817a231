import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { protectedVersions, RECENTLY_ENDED_MS, stillNeeds, versionsToDelete, type CleanupFacts } from '../../shared/domain/deployment/cleanup';

const alias = (version: string, weights: Record<string, number> = {}) => ({ version, weights });
const snapshotOn = (version: string) => ({ alias: { version, weights: {}, revisionId: 'r' }, functionExisted: true });

describe('which old versions a cleanup deletes', () => {
  it('keeps the version the deployment moved away from even with keepVersions 1', () => {
    // Prepare: live moved from 3 to 4 a moment ago.
    const facts: CleanupFacts = { versions: ['1', '2', '3', '4'], aliases: [alias('4')], deployment: { newVersion: '4', snapshot: snapshotOn('3') }, others: [], keep: 1 };

    // Act
    const doomed = versionsToDelete(facts);

    // Assess
    expect(doomed).toEqual(['2', '1']);
  });

  it('keeps every version an alias points at or routes to', () => {
    // Prepare: `beta` splits 2 and 5, `stable` points at 1.
    const facts: CleanupFacts = { versions: ['1', '2', '3', '4', '5', '6'], aliases: [alias('6'), alias('2', { 5: 0.1 }), alias('1')], deployment: { newVersion: '6', snapshot: snapshotOn('4') }, others: [], keep: 1 };

    // Act / Assess
    expect(versionsToDelete(facts)).toEqual(['3']);
  });

  it('keeps the versions other open or recent deployments of the function published or left', () => {
    // Prepare: a deployment of `beta` published 5 and has not routed traffic to it yet; one of
    // `canary` just left 2.
    const facts: CleanupFacts = {
      versions: ['1', '2', '3', '4', '5', '6'],
      aliases: [alias('6'), alias('1'), alias('3')],
      deployment: { newVersion: '6', snapshot: snapshotOn('4') },
      others: [{ newVersion: '5', snapshot: snapshotOn('1') }, { newVersion: '3', snapshot: snapshotOn('2') }],
      keep: 1,
    };

    // Act / Assess
    expect(versionsToDelete(facts)).toEqual([]);
  });

  it('never deletes a protected version nor one of the newest keepVersions, whatever the facts', () => {
    const version = fc.integer({ min: 1, max: 40 }).map(String);
    const record = fc.record({ newVersion: fc.option(version, { nil: undefined }), snapshot: fc.option(version.map(snapshotOn), { nil: undefined }) });
    const facts = fc.record({
      versions: fc.uniqueArray(version, { maxLength: 40 }),
      aliases: fc.array(fc.record({ version, weights: fc.option(version.map((v) => ({ [v]: 0.1 })), { nil: {} }) }), { maxLength: 4 }),
      deployment: record,
      others: fc.array(record, { maxLength: 3 }),
      keep: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(facts, (f) => {
        // Act
        const doomed = versionsToDelete(f);

        // Assess
        const kept = new Set([...protectedVersions(f), ...[...f.versions].sort((a, b) => Number(b) - Number(a)).slice(0, f.keep)]);
        expect(doomed.filter((v) => kept.has(v))).toEqual([]);
        expect(new Set(doomed).size).toBe(doomed.length);
        for (const v of doomed) expect(f.versions).toContain(v);
        // Everything else unprotected beyond the newest `keep` goes.
        expect(f.versions.filter((v) => !kept.has(v)).sort()).toEqual([...doomed].sort());
      }),
    );
  });

  it('keeps the versions of a successful deployment or a rollback through the undo window, of any other ending for 15 minutes', () => {
    // Prepare
    const now = 1_000_000_000_000;
    const day = 86_400_000;
    const endedAgo = (status: 'SUCCEEDED' | 'ROLLED_BACK' | 'NO_CHANGE', ms: number, undo = false) => ({
      status,
      updatedAt: now - ms,
      ...(undo ? { undo: { fromVersion: '3', toVersion: '2', requestedBy: 'alice' } } : {}),
    });

    // Act / Assess
    expect(stillNeeds({ status: 'RUNNING', updatedAt: now - 30 * day }, now, day)).toBe(true);
    expect(stillNeeds(endedAgo('ROLLED_BACK', RECENTLY_ENDED_MS - 1), now, day)).toBe(true);
    expect(stillNeeds(endedAgo('ROLLED_BACK', RECENTLY_ENDED_MS + 1), now, day)).toBe(false);
    expect(stillNeeds(endedAgo('NO_CHANGE', 2 * RECENTLY_ENDED_MS), now, day)).toBe(false);
    expect(stillNeeds(endedAgo('SUCCEEDED', day - 1), now, day)).toBe(true);
    expect(stillNeeds(endedAgo('SUCCEEDED', day + 1), now, day)).toBe(false);
    expect(stillNeeds(endedAgo('ROLLED_BACK', day - 1, true), now, day)).toBe(true);
  });
});
