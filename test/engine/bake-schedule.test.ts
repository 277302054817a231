import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceBake, startBake } from '../../shared/domain/deployment/bake';

describe('bake schedule', () => {
  it('reaches the end of a bake in ceil(pause / interval) checks even when it starts at a fractional millisecond', () => {
    // A simulated clock's now is fractional; the check times travel as whole-millisecond ISO
    // strings. Before the fix, the last check time never reached a fractional end and the bake
    // never ended (it checked back to back until the deployment's deadline).
    fc.assert(
      fc.property(
        fc.double({ min: 1.7e12, max: 1.8e12, noNaN: true }),
        fc.integer({ min: 10, max: 3_600 }),
        fc.integer({ min: 10, max: 600 }),
        (now, pauseSeconds, intervalSeconds) => {
          // Prepare
          let bake = startBake(now, pauseSeconds, intervalSeconds);
          const expectedChecks = Math.ceil(pauseSeconds / Math.max(1, intervalSeconds));
          // Act: walk the checks until the one scheduled at the bake's end
          let checks = 1;
          while (Date.parse(bake.nextCheckAt) < bake.until && checks <= expectedChecks) {
            bake = advanceBake(bake);
            checks += 1;
          }
          // Assess
          expect(Date.parse(bake.nextCheckAt)).toBe(bake.until);
          expect(checks).toBe(expectedChecks);
        },
      ),
    );
  });
});
