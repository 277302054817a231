import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../shared/domain/spec/duration';

describe('durations', () => {
  it.each([
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['1h30m15s', 5415],
    ['2d', 172_800],
    [' 90s ', 90],
    [45, 45],
    [0, 0],
  ])('reads %j as %i seconds', (text, seconds) => {
    // Act / Assess
    expect(parseDuration(text)).toEqual({ ok: true, seconds });
  });

  it.each(['5 minutes', '1m1h', '5', '', '1.5m', '-5s', 'm', '5ms', 1.5, -1, null, true, [], {}])('refuses %j with a message showing the expected form', (value) => {
    // Act
    const result = parseDuration(value);
    // Assess
    expect(result).toEqual({ ok: false, message: expect.stringContaining('"1h30m"') });
  });

  it('writes durations back in a form it reads', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * 86_400 }), (seconds) => {
        // Act
        const text = formatDuration(seconds);
        // Assess
        expect(parseDuration(text)).toEqual({ ok: true, seconds });
      }),
    );
  });
});
