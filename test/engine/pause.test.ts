import { describe, expect, it } from 'vitest';
import { judgeCheck, startBake } from '../../shared/domain/deployment/bake';

describe('a health check of a paused deployment', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const paused = { by: 'ops', at: t0 };

  it('holds at the pause\'s end, short of evidence, and with promote-now asked for: it only bakes on', () => {
    // Prepare: the bake's last scheduled check
    const bake = { ...startBake(t0, 60, 60) };
    const atEnd = bake.until;

    // Act
    const verdicts = [
      judgeCheck({ now: atEnd, record: { paused }, alarms: [], bake }),
      judgeCheck({ now: atEnd, record: { paused }, alarms: [], bake, evidence: { version: '2', invocations: 0, required: 10 } }),
      judgeCheck({ now: atEnd, record: { paused, promoteRequested: { by: 'ops', at: t0 } }, alarms: [], bake }),
      judgeCheck({ now: atEnd, record: {}, alarms: [], bake }),
    ];

    // Assess: the same checks without the pause move on
    expect(verdicts.map((v) => v.kind)).toEqual(['bake', 'bake', 'bake', 'next']);
  });

  it('still rolls back on a red check and on a stop, however long it is paused', () => {
    // Prepare
    const bake = startBake(t0, 60, 60);

    // Act
    const red = judgeCheck({ now: t0 + 60_000, record: { paused }, alarms: [{ name: 'errors', state: 'ALARM' }], bake });
    const stopped = judgeCheck({ now: t0 + 60_000, record: { paused, stopRequested: { by: 'ops', at: t0 } }, alarms: [], bake });

    // Assess
    expect(red.kind).toBe('unhealthy');
    expect(stopped.kind).toBe('stop');
  });
});
