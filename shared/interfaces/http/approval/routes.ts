import type { Clock } from '../../../ports/clock';
import type { DeploymentStore } from '../../../ports/deployment-store';
import type { Orchestrator } from '../../../ports/orchestrator';
import { html, type HttpRequest, type HttpResponse } from '../http';
import { ApiError } from '../errors';
import { APPROVAL_ID } from '../../../domain/deployment/approval';
import { parseDecisionForm, parseLinkQuery } from './input';
import { escapeHtml, renderApprovalOutcome, renderApprovalView } from '../../html/approval-page';
import { INVALID_LINK, submitApprovalDecision, viewApproval } from '../../../domain/approval/service';
import type { ApprovalLinkSigner } from '../../../domain/approval/signing';

/** What the approval routes need; the signer is resolved lazily (its secret lives in SSM on AWS). */
export interface ApprovalRouteDeps {
  readonly store: DeploymentStore;
  readonly orchestrator: Orchestrator;
  readonly clock: Clock;
  readonly signer: () => Promise<ApprovalLinkSigner>;
}

const PATH = /^\/approvals\/([^/]+)\/?$/;

/**
 * Routes `GET|POST /approvals/{id}`; anything else under the function gets a 404/405 page. A link
 * is taken exactly as fledge wrote it: the id as it stands in the path (fledge never
 * percent-encodes one), `sig` and `exp` once each and unencoded. Any other spelling — even one
 * that decodes to the same link — is refused like a forged link (403), so a link has one form only.
 */
export async function handleApprovalRequest(deps: ApprovalRouteDeps, request: HttpRequest): Promise<HttpResponse> {
  const approvalId = PATH.exec(request.path)?.[1];
  if (!approvalId) return page(404, 'Not found', 'There is no approval page at this address.');
  if (request.method !== 'GET' && request.method !== 'POST' && request.method !== 'HEAD') {
    return { ...page(405, 'Method not allowed', 'Approval links are opened with GET and decided with the page\'s buttons (POST).'), headers: { ...html(405, '').headers, allow: 'GET, POST' } };
  }
  const query = parseLinkQuery(request.rawQuery ?? new URLSearchParams(request.query).toString());
  if (!query || !APPROVAL_ID.test(approvalId)) {
    const rendered = renderApprovalView(INVALID_LINK);
    return html(rendered.status, request.method === 'HEAD' ? '' : rendered.html);
  }
  const link = { approvalId, ...opt('sig', query.sig), ...opt('exp', query.exp) };
  if (request.method !== 'POST') {
    const signer = await deps.signer();
    const rendered = renderApprovalView(await viewApproval({ ...deps, signer }, { ...link, ...opt('intent', query.intent) }));
    return html(rendered.status, request.method === 'HEAD' ? '' : rendered.html);
  }
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') {
    return page(415, 'Unsupported form', 'Decisions are sent by the buttons of the approval page (application/x-www-form-urlencoded). Nothing was changed.');
  }
  const form = parseDecisionForm(request.body.toString('utf8'));
  if (!form.ok) {
    const rendered = renderApprovalOutcome({ kind: 'refused', status: 400, title: 'Form refused', message: form.message });
    return html(rendered.status, rendered.html);
  }
  const signer = await deps.signer();
  const outcome = await submitApprovalDecision({ ...deps, signer }, { ...link, ...form.fields });
  const rendered = renderApprovalOutcome(outcome);
  return html(rendered.status, rendered.html);
}

/** The HTML error mapper of the approval function: known errors as a page, the rest as a 500 with a request id. */
export function approvalErrorPage(error: unknown, requestId: string): { response: HttpResponse; expected: boolean } {
  if (error instanceof ApiError) return { response: page(error.status, 'Request refused', error.message), expected: true };
  return { response: page(500, 'Something went wrong', `fledge could not handle this request; nothing was decided. Quote request id ${requestId} when reporting it.`), expected: false };
}

function page(status: number, title: string, message: string): HttpResponse {
  return html(status, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · fledge</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>\n`);
}

function opt<K extends string>(key: K, value: string | null | undefined): Partial<Record<K, string>> {
  return value === null || value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
