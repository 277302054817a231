import { describe, expect, it } from 'vitest';
import { formsOf, pageText } from '../../cli/demo/approval-page';
import { renderApprovalView } from '../../shared/interfaces/html/approval-page';

describe("the demo's reading of the approval page", () => {
  it('finds both forms of the real confirmation page, with the action and fields a browser would post', () => {
    // Prepare
    const { html } = renderApprovalView({
      kind: 'confirm',
      intent: 'approve',
      sig: 'a-b_c',
      exp: '1795324991',
      facts: { approvalId: 'd1.a2', deploymentId: 'd1', functionName: 'hello-fledge', alias: 'live', previousVersion: '1', newVersion: '2', currentWeight: 10, health: 'green <so far> & "fine"', startedBy: 'ci', expiresAt: 0 },
    });
    const url = 'http://127.0.0.1:4567/approvals/d1.a2?sig=a-b_c&exp=1795324991&intent=approve';

    // Act
    const forms = formsOf(html, url);

    // Assess
    expect(forms.map((form) => [form.method, form.action, form.fields['decision'], form.buttons.map((button) => button.label)])).toEqual([
      ['post', 'http://127.0.0.1:4567/approvals/d1.a2?sig=a-b_c&exp=1795324991', 'approve', ['Approve']],
      ['post', 'http://127.0.0.1:4567/approvals/d1.a2?sig=a-b_c&exp=1795324991', 'reject', ['Reject']],
    ]);
    expect(forms[0]!.fields).toEqual({ decision: 'approve', name: '', comment: '' });
    expect(pageText(html)).toContain('green <so far> & "fine"');
  });
});
