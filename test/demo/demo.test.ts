import { describe, expect, it } from 'vitest';
import { runFledge } from '../local-mode/process';

describe('npm run demo (fledge demo)', () => {
  it('deploys v1, approves v2 through the e-mailed page, rolls v3 back, and exits 0 with the history', async () => {
    // Act
    const result = await runFledge(['demo']);

    // Assess
    expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);
    const out = result.stdout;
    expect(out).toContain('✓ v1 (first deployment): SUCCEEDED');
    expect(out).toContain('✓ alias live after v1: version 1');
    expect(out).toMatch(/✉ e-mail to you@fledge\.local: "fledge: approve hello-fledge:live\?"/);
    expect(out).toMatch(/opening http:\/\/127\.0\.0\.1:\d+\/approvals\/[^?\s]+\?sig=\S+&exp=\d+&intent=approve/);
    expect(out).toContain('pressed Approve → 200: Approved: hello-fledge:live');
    expect(out).toMatch(/v2 +\+\S+ +█+░+ +10% +approvalGiven +approved by Demo Approver/);
    expect(out).toContain('✓ v2 (canary, approved through the e-mailed link): SUCCEEDED');
    expect(out).toContain('✓ alias live after v2: version 2');
    // Rolled back by the check that saw it, or at once by the alarm's event (event-driven abort).
    expect(out).toMatch(/v3 +\+\S+ +.+check +check \d+ at 20%: (alarm fledge-local\.hello-fledge\.live\.v3 is in ALARM|error rate of version 3 is)|v3 +\+\S+ +░+ +0% +rolledBack +rolled back at once: alarm fledge-local\.hello-fledge\.live\.v3 went to ALARM/);
    expect(out).toMatch(/v3 +\+\S+ +░+ +0% +rolledBack +rolled back(: fledge\.HealthCheckFailed| at once: alarm fledge-local\.hello-fledge\.live\.v3 went to ALARM)/);
    expect(out).toContain('✓ v3 (broken canary): ROLLED_BACK');
    expect(out).toContain('✓ alias live after v3: version 2');
    expect(out).toContain('✓ errors seen by users of v1 and v2: 0');
    expect(out).toContain('History of hello-fledge:live (fledge history hello-fledge --alias live)');
    expect(out).toMatch(/^ {2}\S+ +live +ROLLED_BACK +v2 → v3 +.+(fledge\.HealthCheckFailed: (alarm fledge-local\.hello-fledge\.live\.v3 is in ALARM|error rate of version 3 is)|alarm fledge-local\.hello-fledge\.live\.v3 went to ALARM)/m);
    expect(out).toMatch(/^ {2}\S+ +live +SUCCEEDED +v1 → v2 /m);
    expect(out).toMatch(/^ {2}\S+ +live +SUCCEEDED +– → v1 /m);
    expect(out).toMatch(/fledge demo: every outcome was the expected one \(\d+\.\d s\)/);
    expect(result.stderr).toBe('');
  }, 120_000);
});
