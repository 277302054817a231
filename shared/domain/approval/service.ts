import { decideApproval } from '../deployment/approval';
import { ApprovalClosedError, NotFoundError, TransientAwsError } from '../../model/engine-errors';
import type { ApprovalRecord, DeploymentEvent, DeploymentRecord } from '../../model/deployment';
import type { Clock } from '../../ports/clock';
import type { DeploymentStore } from '../../ports/deployment-store';
import type { Orchestrator } from '../../ports/orchestrator';
import type { ApprovalLinkSigner } from './signing';

/** What the confirmation page shows about the deployment that waits. */
export interface ApprovalFacts {
  readonly approvalId: string;
  readonly deploymentId: string;
  readonly functionName: string;
  readonly alias: string;
  readonly previousVersion?: string;
  readonly newVersion?: string;
  /** Percent of traffic on the new version now. */
  readonly currentWeight: number;
  readonly health: string;
  readonly startedBy: string;
  /** Epoch ms: no decision by then counts as a rejection. */
  readonly expiresAt: number;
  readonly message?: string;
}

/** A refusal: the page to show and the HTTP status that fits. Nothing was changed. */
export interface ApprovalRefusal {
  readonly kind: 'refused';
  readonly status: 400 | 403 | 404 | 409 | 410 | 503;
  readonly title: string;
  readonly message: string;
}

/** What a GET on a link shows. */
export type ApprovalView =
  | { readonly kind: 'confirm'; readonly facts: ApprovalFacts; readonly intent?: 'approve' | 'reject'; readonly sig: string; readonly exp: string }
  | ApprovalRefusal;

/** What a POST on a link did. */
export type ApprovalOutcome = { readonly kind: 'decided'; readonly decision: 'APPROVED' | 'REJECTED'; readonly by: string; readonly at: number; readonly facts: ApprovalFacts } | ApprovalRefusal;

/** A link as it arrived: the path's approval id and the query's signature and expiry (untrusted). */
export interface ApprovalLinkRequest {
  readonly approvalId: string;
  readonly sig?: string;
  readonly exp?: string;
  /** Which button the message's link preselects; grants nothing. */
  readonly intent?: string;
}

/** A decision posted from the confirmation page (untrusted form fields). */
export interface ApprovalFormRequest extends ApprovalLinkRequest {
  readonly decision?: string;
  /** Who the person says they are: recorded as given, next to the fact that a signed link was used. */
  readonly name?: string;
  readonly comment?: string;
}

/** Ports the link pages read. */
export interface ApprovalPageDeps {
  readonly store: DeploymentStore;
  readonly clock: Clock;
  readonly signer: ApprovalLinkSigner;
}

/** Ports a decision uses: the page's, plus the orchestrator that resumes the execution. */
export interface ApprovalDecisionDeps extends ApprovalPageDeps {
  readonly orchestrator: Orchestrator;
}

/** Longest name and comment accepted from the form. */
export const MAX_NAME_LENGTH = 100;
export const MAX_COMMENT_LENGTH = 1000;

/**
 * The GET on a link: verifies it and reads the facts. Changes NOTHING — mail scanners and chat
 * unfurlers follow links, so only the POST from the page acts.
 */
export async function viewApproval(deps: ApprovalPageDeps, request: ApprovalLinkRequest): Promise<ApprovalView> {
  const checked = await checkLink(deps, request);
  if (checked.kind === 'refused') return checked;
  const intent = request.intent;
  return { kind: 'confirm', facts: checked.facts, sig: request.sig ?? '', exp: request.exp ?? '', ...(intent === 'approve' || intent === 'reject' ? { intent } : {}) };
}

/**
 * The POST from the confirmation page: verifies the link again, claims the approval (single
 * use: the store's conditional transition), resumes the execution with the stored token and
 * records who decided. A decision that could not be delivered for a transient reason reopens
 * the approval, so the same link works again.
 */
export async function submitApprovalDecision(deps: ApprovalDecisionDeps, request: ApprovalFormRequest): Promise<ApprovalOutcome> {
  const form = checkForm(request);
  if (form.kind === 'refused') return form;
  const checked = await checkLink(deps, request);
  if (checked.kind === 'refused') return checked;
  const by = form.name ? `${form.name} (signed link)` : 'an approver with the signed link';
  try {
    const decided = await decideApproval(deps, { approvalId: request.approvalId, approve: form.decision === 'approve', by, ...(form.comment ? { comment: form.comment } : {}) });
    return { kind: 'decided', decision: decided.status === 'APPROVED' ? 'APPROVED' : 'REJECTED', by, at: decided.decidedAt ?? deps.clock.now(), facts: checked.facts };
  } catch (error) {
    if (error instanceof TransientAwsError) {
      return refused(503, 'Please try again', 'The decision could not be delivered to the deployment just now. Nothing was decided; the link still works — try again in a minute.');
    }
    if (error instanceof NotFoundError) return refused(404, 'Approval not found', 'This approval no longer exists.');
    if (error instanceof ApprovalClosedError) {
      const now = await deps.store.getApproval(request.approvalId);
      return now ? closedRefusal(now, deps.clock.now()) : refused(404, 'Approval not found', 'This approval no longer exists.');
    }
    throw error;
  }
}

type Checked = { readonly kind: 'ok'; readonly facts: ApprovalFacts } | ApprovalRefusal;

/** The refusal of a link that fledge did not write as it stands: incomplete, altered, forged or spelled otherwise. */
export const INVALID_LINK: ApprovalRefusal = {
  kind: 'refused',
  status: 403,
  title: 'This link is not valid',
  message: 'The link is incomplete or was not issued by fledge. Use the link from the approval message exactly as it arrived.',
};

async function checkLink(deps: ApprovalPageDeps, request: ApprovalLinkRequest): Promise<Checked> {
  const now = deps.clock.now();
  const verdict = deps.signer.verify(request.approvalId, request.sig, request.exp, now);
  if (verdict === 'malformed' || verdict === 'forged') return INVALID_LINK;
  if (verdict === 'expired') return refused(410, 'This link has expired', 'The time to decide on this deployment is over; without a decision it counts as rejected.');
  const approval = await deps.store.getApproval(request.approvalId);
  if (!approval) return refused(404, 'Approval not found', 'This approval no longer exists.');
  if (approval.status !== 'PENDING' || now > approval.expiresAt) return closedRefusal(approval, now);
  const record = await deps.store.getDeployment(approval.deploymentId);
  if (!record) return refused(404, 'Deployment not found', `The deployment ${approval.deploymentId} no longer exists.`);
  const events = await deps.store.listEvents(approval.deploymentId);
  return { kind: 'ok', facts: factsFor(approval, record, events) };
}

function closedRefusal(approval: ApprovalRecord, now: number): ApprovalRefusal {
  if (approval.status === 'APPROVED' || approval.status === 'REJECTED') {
    const when = approval.decidedAt ? ` at ${new Date(approval.decidedAt).toISOString()}` : '';
    return refused(409, 'Already decided', `This deployment was already ${approval.status.toLowerCase()}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''}${when}. Nothing was changed.`);
  }
  const reason = approval.comment ? ` (${approval.comment})` : now > approval.expiresAt ? ` at ${new Date(approval.expiresAt).toISOString()}` : '';
  return refused(410, 'This approval is closed', `The approval is no longer open${reason}. Nothing was changed.`);
}

function checkForm(request: ApprovalFormRequest): { kind: 'ok'; decision: 'approve' | 'reject'; name?: string; comment?: string } | ApprovalRefusal {
  if (request.decision !== 'approve' && request.decision !== 'reject') {
    return refused(400, 'No decision', 'The form must say whether to approve or reject (field "decision" must be "approve" or "reject"). Nothing was changed.');
  }
  const name = clean(request.name);
  const comment = clean(request.comment);
  if (name && name.length > MAX_NAME_LENGTH) return refused(400, 'Name too long', `The name may have at most ${MAX_NAME_LENGTH} characters. Nothing was changed.`);
  if (comment && comment.length > MAX_COMMENT_LENGTH) return refused(400, 'Comment too long', `The comment may have at most ${MAX_COMMENT_LENGTH} characters. Nothing was changed.`);
  return { kind: 'ok', decision: request.decision, ...(name ? { name } : {}), ...(comment ? { comment } : {}) };
}

/** Trims and drops control characters: the text ends up in history lines and notifications. */
function clean(value: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex
  const text = value?.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return text ? text : undefined;
}

function factsFor(approval: ApprovalRecord, record: DeploymentRecord, events: readonly DeploymentEvent[]): ApprovalFacts {
  const checks = events.filter((event) => event.kind === 'check');
  const last = checks.at(-1);
  const health = checks.length === 0 ? 'no health checks yet' : `${checks.length} health check${checks.length === 1 ? '' : 's'} so far; last: ${last?.message ?? ''}`;
  return {
    approvalId: approval.approvalId,
    deploymentId: record.deploymentId,
    functionName: record.functionName,
    alias: record.alias,
    ...(record.snapshot?.alias ? { previousVersion: record.snapshot.alias.version } : {}),
    ...(record.newVersion ? { newVersion: record.newVersion } : {}),
    currentWeight: record.currentWeight ?? 0,
    health,
    startedBy: record.startedBy,
    expiresAt: approval.expiresAt,
    ...(approval.message ? { message: approval.message } : {}),
  };
}

function refused(status: ApprovalRefusal['status'], title: string, message: string): ApprovalRefusal {
  return { kind: 'refused', status, title, message };
}
