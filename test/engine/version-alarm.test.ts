import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPromote } from '../../shared/domain/deployment/controls';
import { InvalidTaskInputError } from '../../shared/model/engine-errors';
import { MAX_ALARM_NAME_LENGTH, versionAlarmName } from '../../shared/domain/deployment/version-alarm';
import { eventually } from '../support/local-aws';
import { deploymentId, executionEnd, existingFunction, historyOf, spec, startDeployment, startEngine, uploadArtifact, userCode, type EngineWorld } from '../support/engine';

const word = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9_-]{${min},${max}}$`));
const aliasName = word(1, 128).filter((text) => !/^[0-9]+$/.test(text));
const version = fc.stringMatching(/^[1-9][0-9]{0,11}$/);
// Short parts meet at many boundaries; long ones pass 255 characters and get hashed.
const tuple = fc.oneof(
  fc.tuple(word(1, 8), word(1, 8), aliasName.filter((text) => text.length <= 8), version),
  fc.tuple(word(1, 64), word(1, 64), aliasName, version),
  fc.tuple(word(40, 64), word(50, 64), word(110, 128).filter((text) => !/^[0-9]+$/.test(text)), version),
);

describe('the name of the version alarm', () => {
  it('tells apart a-x:z and a:x-z, which the old name gave one alarm', () => {
    // Act
    const one = versionAlarmName('prod', 'a-x', 'z', '2');
    const other = versionAlarmName('prod', 'a', 'x-z', '2');

    // Assess
    expect(one).toBe('fledge-prod.a-x.z.v2');
    expect(other).toBe('fledge-prod.a.x-z.v2');
  });

  it('gives distinct names to distinct stages, functions, aliases and versions, all within 255 characters', () => {
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        // Act
        const nameA = versionAlarmName(...a);
        const nameB = versionAlarmName(...b);

        // Assess
        expect(nameA.length).toBeLessThanOrEqual(MAX_ALARM_NAME_LENGTH);
        expect(nameA.startsWith(`fledge-${a[0]}.`) || nameA.length === MAX_ALARM_NAME_LENGTH).toBe(true);
        expect(nameA === nameB).toBe(a.every((part, i) => part === b[i]));
      }),
      { numRuns: 2000 },
    );
  });

  it('tells apart names made of the same characters cut at other places, however long', () => {
    // Prepare: stage, function and alias joined by "-", then cut again at two other places.
    const cuts = fc.tuple(fc.oneof(word(1, 20), word(100, 200)), fc.nat(), fc.nat());
    fc.assert(
      fc.property(cuts, ([text, i, j]) => {
        const joined = `${text}-${text.split('').reverse().join('')}-x`;
        const split = (a: number, b: number) => {
          const [p, q] = [1 + (a % (joined.length - 2)), 1 + (b % (joined.length - 2))].sort((x, y) => x - y) as [number, number];
          return [joined.slice(0, p), joined.slice(p + 1, q), joined.slice(q + 1)] as const;
        };
        const one = split(i, j);
        const other = split(i + 1, j);
        const legal = (parts: readonly string[]) =>
          parts[0]!.length >= 1 && parts[0]!.length <= 64 && parts[1]!.length >= 1 && parts[1]!.length <= 64 && parts[2]!.length >= 1 && parts[2]!.length <= 128 && !/^[0-9]+$/.test(parts[2]!);
        fc.pre(legal(one) && legal(other) && one.join('|') !== other.join('|'));

        // Act / Assess
        expect(versionAlarmName(one[0], one[1], one[2], '7')).not.toBe(versionAlarmName(other[0], other[1], other[2], '7'));
      }),
    );
  });

  it('keeps a readable prefix when the full name would pass 255 characters', () => {
    // Prepare
    const stage = `production-${'s'.repeat(53)}`;
    const fn = 'f'.repeat(64);
    const alias = 'a'.repeat(128);

    // Act
    const name = versionAlarmName(stage, fn, alias, '1234567890');
    const otherVersion = versionAlarmName(stage, fn, alias, '1234567891');

    // Assess
    expect(name).toHaveLength(MAX_ALARM_NAME_LENGTH);
    expect(name).toMatch(new RegExp(`^fledge-${stage}\\.${fn}\\.a+\\.h[0-9a-f]{64}$`));
    expect(otherVersion).not.toBe(name);
  });

  it('refuses parts that could make two names equal', () => {
    expect(() => versionAlarmName('prod.eu', 'fn', 'live', '1')).toThrow(InvalidTaskInputError);
    expect(() => versionAlarmName('prod', 'fn.x', 'live', '1')).toThrow(/function name "fn.x"/);
    expect(() => versionAlarmName('prod', 'fn', 'live', '$LATEST')).toThrow(/not a published version number/);
  });
});

describe('version alarms of two deployments on the embedded AWS', () => {
  let world: EngineWorld;

  beforeAll(async () => {
    world = await startEngine();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('does not delete the alarm of a deployment of a-x:z when one of a:x-z ends', async () => {
    // Prepare: a canary of a-x:z baking with its error-rate alarm.
    await existingFunction(world, 'a-x', 'v1', 'z');
    await existingFunction(world, 'a', 'v1', 'x-z');
    const health = { alarms: [], checkInterval: 60, errorRate: { thresholdPercent: 5, minInvocations: 5 } };
    const baking = deploymentId('alarm-a-x-z');
    const first = await startDeployment(world, {
      deploymentId: baking,
      spec: spec('a-x', { kind: 'canary', steps: [{ type: 'setWeight', percent: 10 }, { type: 'pause', duration: 3600 }] }, { alias: 'z', health }),
      artifact: await uploadArtifact(world, 'alarms/a-x.zip', userCode('v2')),
    });
    await eventually(async () => ((await historyOf(world, baking)).some((event) => event.kind === 'weight') ? true : undefined), { what: 'a-x:z to bake' });
    const alarmName = (await world.plane.deps.store.getDeployment(baking))?.alarmName;

    // Act: a deployment of a:x-z with an error-rate alarm runs from start to end.
    const second = await startDeployment(world, {
      deploymentId: deploymentId('alarm-a-x-z-other'),
      spec: spec('a', { kind: 'allAtOnce' }, { alias: 'x-z', health }),
      artifact: await uploadArtifact(world, 'alarms/a.zip', userCode('v2')),
    });
    const secondStatus = await executionEnd(world, second.executionArn);

    // Assess: the baking deployment's alarm is still there, and it promotes on a green check.
    expect(secondStatus).toBe('SUCCEEDED');
    const alarms = await world.plane.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName!] }));
    expect(alarms.MetricAlarms?.map((alarm) => alarm.AlarmName)).toEqual([alarmName]);
    expect(alarmName).toBe('fledge-local.a-x.z.v2');
    await requestPromote(world.plane.deps, { deploymentId: baking, by: 'test' });
    expect(await executionEnd(world, first.executionArn)).toBe('SUCCEEDED');
    expect((await historyOf(world, baking)).filter((event) => event.kind === 'check').every((event) => event.data?.verdict !== 'unhealthy')).toBe(true);
  });
});
