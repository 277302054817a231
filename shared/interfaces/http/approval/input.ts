import { BadRequestError, UnsupportedMediaTypeError } from '../errors';
import type { HttpRequest } from '../http';
import { readJsonBody } from '../json-body';
import { APPROVAL_ID } from '../../../domain/deployment/approval';

/**
 * Every parse of approval input, in one place: the query of a signed link, the form its page
 * posts, and the JSON body of the management API's approve/reject. Each has exactly one accepted
 * shape — a field given twice, a field nobody sends, or another spelling of the same value is
 * refused, never resolved by "first wins" or "last wins": a decision must mean one thing only.
 */

/** A problem with one field of the input. */
export interface InputProblem {
  readonly path: string;
  readonly message: string;
}

/** The link parameters fledge itself writes; anything else in a link's query is ignored (mail gateways add tracking). */
const LINK_PARAMETERS = ['sig', 'exp', 'intent'] as const;
type LinkParameter = (typeof LINK_PARAMETERS)[number];

/** What a link's query carries, raw (not percent-decoded: the signer checks the one spelling it issued). */
export type LinkQuery = Partial<Record<LinkParameter, string>>;

/**
 * Reads `sig`, `exp` and `intent` from a link's raw query string. `undefined` when the query
 * cannot be the one fledge wrote: one of them given twice, or with a percent-encoded name.
 */
export function parseLinkQuery(rawQuery: string): LinkQuery | undefined {
  const found: Record<string, string> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? '' : pair.slice(at + 1);
    const known = LINK_PARAMETERS.find((p) => p === name || p === safeDecode(name));
    if (!known) continue;
    // `%73ig` names sig too, but not as fledge spells it: that link was not written by fledge.
    if (known !== name || known in found) return undefined;
    found[known] = value;
  }
  return found;
}

/** The fields of the confirmation page's form. */
export const DECISION_FORM_FIELDS = ['decision', 'name', 'comment'] as const;
type DecisionFormField = (typeof DECISION_FORM_FIELDS)[number];

/** The decision form as posted, or why it cannot be read. */
export type DecisionForm = { readonly ok: true; readonly fields: Partial<Record<DecisionFormField, string>> } | { readonly ok: false; readonly message: string };

/**
 * Reads an `application/x-www-form-urlencoded` decision: each of `decision`, `name`, `comment`
 * at most once (the page's form sends each once), nothing else.
 */
export function parseDecisionForm(text: string): DecisionForm {
  const fields: Partial<Record<DecisionFormField, string>> = {};
  const repeated = new Set<string>();
  const unknown = new Set<string>();
  for (const [name, value] of new URLSearchParams(text)) {
    const field = DECISION_FORM_FIELDS.find((f) => f === name);
    if (!field) unknown.add(name);
    else if (field in fields) repeated.add(field);
    else fields[field] = value;
  }
  if (repeated.size > 0) {
    return { ok: false, message: `The form sent ${listed(repeated)} more than once; the approval page sends each field once, so this was not its form. Nothing was changed.` };
  }
  if (unknown.size > 0) {
    return { ok: false, message: `The form has ${unknown.size === 1 ? 'a field' : 'fields'} the approval page does not send: ${listed(unknown)} (it sends decision, name and comment). Nothing was changed.` };
  }
  return { ok: true, fields };
}

/** What `POST /deployments/{id}/approve|reject` may carry. */
export interface ApiDecisionBody {
  /** The approval the caller looked at: the decision applies to it only. */
  readonly approvalId?: string;
  readonly comment?: string;
}

const API_DECISION_FIELDS = ['approvalId', 'comment'] as const;
/** Longest comment recorded with a decision (as on the approval page). */
export const MAX_DECISION_COMMENT = 1000;

/**
 * Reads the optional JSON body of the API's approve/reject. Refuses, listing every problem in
 * `details.problems`: a body that is not a JSON object, a field given twice, an unknown field, an
 * `approvalId` that is not an approval id, a comment that is not a string of at most
 * {@link MAX_DECISION_COMMENT} characters. `null` counts as absent.
 */
export function parseApiDecisionBody(request: HttpRequest): ApiDecisionBody {
  if (request.body.length === 0) return {};
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json') throw new UnsupportedMediaTypeError(`content type "${type || '(none)'}" is not accepted: the body, when given, is application/json {"approvalId": "...", "comment": "..."}`);
  // Depth first, then JSON, refused in fledge's words (the parser's would leak into the answer).
  const { value, duplicates } = readJsonBody(request.body);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRequestError('the body must be a JSON object {"approvalId": "...", "comment": "..."}', { problems: [{ path: '', message: 'must be a JSON object' }] });
  }
  const body = value as Record<string, unknown>;
  const problems: InputProblem[] = [];
  for (const path of duplicates) problems.push({ path: clip(path), message: 'is given more than once' });
  for (const key of Object.keys(body)) {
    if (!(API_DECISION_FIELDS as readonly string[]).includes(key)) problems.push({ path: clip(key), message: 'is not a field of this body (it has approvalId and comment)' });
  }
  const approvalId = body['approvalId'];
  if (approvalId !== undefined && approvalId !== null && (typeof approvalId !== 'string' || !APPROVAL_ID.test(approvalId))) {
    problems.push({ path: 'approvalId', message: 'must be the approval id shown by GET /deployments/{id} (<deployment id>.a<step>)' });
  }
  const comment = body['comment'];
  if (comment !== undefined && comment !== null && (typeof comment !== 'string' || comment.length > MAX_DECISION_COMMENT)) {
    problems.push({ path: 'comment', message: `must be a string of at most ${MAX_DECISION_COMMENT} characters` });
  }
  if (problems.length > 0) {
    throw new BadRequestError(`the body has ${problems.length} problem${problems.length === 1 ? '' : 's'} (${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}); nothing was decided`, { problems });
  }
  const trimmed = typeof comment === 'string' ? comment.trim() : '';
  return { ...(typeof approvalId === 'string' ? { approvalId } : {}), ...(trimmed ? { comment: trimmed } : {}) };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Names as they may appear in a message: quoted, at most 40 characters each, at most 5 of them. */
function listed(names: ReadonlySet<string>): string {
  const all = [...names];
  const shown = all.slice(0, 5).map((name) => JSON.stringify(clip(name)));
  return `${shown.join(', ')}${all.length > 5 ? ` and ${all.length - 5} more` : ''}`;
}

function clip(name: string): string {
  return name.length > 40 ? `${name.slice(0, 40)}…` : name;
}
