import { describe, expect, it } from 'vitest';
import { formatStatus, type DeploymentDetail } from '../../cli/format/deployment';
import { styleFor } from '../../cli/format/style';

describe('fledge status and the caller audit', () => {
  it('shows the callers that bypass the alias, as the history recorded them', () => {
    // Prepare
    const message = 'a caller bypasses alias orders-api:live and will not see the canary: event source mapping 6f1c from arn:aws:sqs:us-east-1:1:q invokes orders-api through $LATEST, not alias live';
    const detail = {
      deploymentId: 'api-1', functionName: 'orders-api', alias: 'live', status: 'RUNNING', currentWeight: 10, startedBy: 'me', source: 'api', createdAt: '2026-01-01T00:00:00Z',
      events: [{ at: '2026-01-01T00:00:00Z', kind: 'callers', message }, { at: '2026-01-01T00:00:01Z', kind: 'started', message: 'started' }],
    } as unknown as DeploymentDetail;
    // Act
    const lines = formatStatus(detail, styleFor({ isTTY: false }));
    // Assess
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^Callers +${message.replace(/[$().]/g, '\\$&')}$`)));
  });
});
