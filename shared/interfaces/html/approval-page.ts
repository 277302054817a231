import { sanitise } from '../../text/sanitise';
import type { ApprovalFacts, ApprovalOutcome, ApprovalView } from '../../domain/approval/service';

/** An HTML page and its HTTP status. */
export interface HtmlPage {
  readonly status: number;
  readonly html: string;
}

/**
 * Escapes text for HTML element content and double-quoted attributes: control, bidi and
 * zero-width characters are escaped visibly first ({@link sanitise}; line breaks, which HTML
 * shows as spaces, are kept), then markup.
 */
export function escapeHtml(value: unknown): string {
  return sanitise(String(value), { keepNewlines: true }).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;padding:.25rem .75rem .25rem 0;vertical-align:top}
th{color:#555;font-weight:600}form{display:inline-block;margin:.5rem 1rem .5rem 0}
label{display:block;margin:.5rem 0 .25rem}input[type=text],textarea{width:100%;max-width:36rem;box-sizing:border-box}
button{font-size:1.1rem;padding:.5rem 1.5rem;border-radius:.3rem;border:1px solid #333;cursor:pointer}
.approve{background:#1f7a34;color:#fff}.reject{background:#b3261e;color:#fff}.chosen{outline:3px solid #f5b400}
.note{color:#555;font-size:.9rem}.message{background:#f4f4f4;padding:.75rem;border-left:4px solid #888}`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow"><title>${escapeHtml(title)} · fledge</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function factsTable(facts: ApprovalFacts): string {
  const rows: [string, string][] = [
    ['Function', `${facts.functionName}:${facts.alias}`],
    ['Versions', `${facts.previousVersion ? `version ${facts.previousVersion}` : 'nothing'} → ${facts.newVersion ? `version ${facts.newVersion}` : 'a new version'}`],
    ['Traffic now', `${facts.currentWeight}% on the new version, ${100 - facts.currentWeight}% on the old`],
    ['Health so far', facts.health],
    ['Started by', facts.startedBy],
    ['Decide before', `${new Date(facts.expiresAt).toISOString()} (no decision means rejection)`],
    ['Deployment', facts.deploymentId],
  ];
  return `<table>${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}

/**
 * The confirmation page of a GET: the facts and two POST forms, no JavaScript. The forms post
 * back to the same signed URL; the page itself changed nothing.
 */
function confirmPage(view: Extract<ApprovalView, { kind: 'confirm' }>): string {
  const { facts } = view;
  const action = `?sig=${encodeURIComponent(view.sig)}&exp=${encodeURIComponent(view.exp)}`;
  const form = (decision: 'approve' | 'reject', label: string) => `<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="decision" value="${decision}">
<label for="name-${decision}">Your name (recorded in the history)</label><input type="text" id="name-${decision}" name="name" maxlength="100" autocomplete="name">
<label for="comment-${decision}">Comment (optional)</label><textarea id="comment-${decision}" name="comment" maxlength="1000" rows="2"></textarea>
<p><button type="submit" class="${decision}${view.intent === decision ? ' chosen' : ''}">${label}</button></p>
</form>`;
  return layout(`Approve ${facts.functionName}:${facts.alias}?`, `<p>A deployment is waiting for a decision.</p>
${facts.message ? `<p class="message">${escapeHtml(facts.message)}</p>` : ''}
${factsTable(facts)}
${form('approve', 'Approve')}
${form('reject', 'Reject')}
<p class="note">Opening this page changed nothing. Only the buttons decide, once.</p>`);
}

/** The page for a GET on an approval link. */
export function renderApprovalView(view: ApprovalView): HtmlPage {
  if (view.kind === 'refused') return { status: view.status, html: layout(view.title, `<p>${escapeHtml(view.message)}</p>`) };
  return { status: 200, html: confirmPage(view) };
}

/** The page for a POST of a decision. */
export function renderApprovalOutcome(outcome: ApprovalOutcome): HtmlPage {
  if (outcome.kind === 'refused') return { status: outcome.status, html: layout(outcome.title, `<p>${escapeHtml(outcome.message)}</p>`) };
  const verb = outcome.decision === 'APPROVED' ? 'Approved' : 'Rejected';
  const next = outcome.decision === 'APPROVED' ? 'The deployment continues with its next step.' : 'The deployment rolls back to the version it served before.';
  return {
    status: 200,
    html: layout(`${verb}: ${outcome.facts.functionName}:${outcome.facts.alias}`, `<p>${escapeHtml(`${verb} by ${outcome.by} at ${new Date(outcome.at).toISOString()}.`)} ${escapeHtml(next)}</p>
${factsTable(outcome.facts)}`),
  };
}
