/** Approval by signed link: signing, the link pages' logic and their HTML, and the parsing of every approval input. */
export { DECISION_FORM_FIELDS, MAX_DECISION_COMMENT, parseApiDecisionBody, parseDecisionForm, parseLinkQuery, type ApiDecisionBody, type DecisionForm, type InputProblem, type LinkQuery } from '../../interfaces/http/approval/input';
export { ApprovalLinkSigner, approvalLinks, MIN_SECRET_BYTES, type LinkSignature, type LinkVerdict } from './signing';
export { INVALID_LINK, submitApprovalDecision, viewApproval, type ApprovalDecisionDeps, type ApprovalFacts, type ApprovalFormRequest, type ApprovalLinkRequest, type ApprovalOutcome, type ApprovalPageDeps, type ApprovalView } from './service';
export { escapeHtml, renderApprovalOutcome, renderApprovalView, type HtmlPage } from '../../interfaces/html/approval-page';
