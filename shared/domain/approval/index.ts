/** Approval by signed link: signing, the link pages' logic and their HTML. */
export { ApprovalLinkSigner, approvalLinks, MIN_SECRET_BYTES, type LinkSignature, type LinkVerdict } from './signing';
export { submitApprovalDecision, viewApproval, type ApprovalDecisionDeps, type ApprovalFacts, type ApprovalFormRequest, type ApprovalLinkRequest, type ApprovalOutcome, type ApprovalPageDeps, type ApprovalView } from './service';
export { escapeHtml, renderApprovalOutcome, renderApprovalView, type HtmlPage } from './page';
