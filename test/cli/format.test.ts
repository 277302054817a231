import { describe, expect, it } from 'vitest';
import { formatPercent, trafficBar } from '../../cli/format/bar';
import { styleFor, visibleWidth } from '../../cli/format/style';
import { renderTable } from '../../cli/format/table';

describe('terminal output helpers', () => {
  it.each([
    [0, '░░░░░░░░░░   0%'],
    [40, '████░░░░░░  40%'],
    [1, '█░░░░░░░░░   1%'],
    [99, '█████████░  99%'],
    [100, '██████████ 100%'],
    [12.5, '█░░░░░░░░░ 12.5%'],
  ])('draws %d%% of traffic as a bar that never looks like 0%% or 100%% when it is not', (percent, bar) => {
    // Act / Assess
    expect(trafficBar(percent, 10)).toBe(bar);
  });

  it('writes percentages with at most two decimals', () => {
    // Act / Assess
    expect([formatPercent(10), formatPercent(0.5), formatPercent(100 / 3)]).toEqual(['10%', '0.5%', '33.33%']);
  });

  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: true }, { NO_COLOR: '1' }, false],
    [{ isTTY: true }, { NO_COLOR: '' }, true],
    [{ isTTY: false }, {}, false],
    [{}, {}, false],
  ])('colours output only on a terminal without NO_COLOR (%j, %j)', (stream, env, coloured) => {
    // Act
    const style = styleFor(stream, env);
    // Assess
    expect(style.enabled).toBe(coloured);
    expect(style.red('x') === 'x').toBe(!coloured);
    expect(visibleWidth(style.red('x'))).toBe(1);
  });

  it('aligns columns by what is visible, ignoring colour codes', () => {
    // Prepare
    const style = styleFor({ isTTY: true }, {});
    // Act
    const lines = renderTable([
      [style.bold('a'), 'one'],
      ['long', 'two'],
    ]);
    // Assess
    expect(lines.map(visibleWidth)).toEqual([9, 9]);
  });
});
