/** A form on an approval page, as a browser would submit it. */
export interface PageForm {
  readonly method: string;
  /** Absolute URL the form posts to. */
  readonly action: string;
  /** Named fields a browser sends without any typing: hidden inputs and filled-in values. */
  readonly fields: Readonly<Record<string, string>>;
  /** Submit buttons: their visible label and the name/value they add to the submission. */
  readonly buttons: readonly { readonly label: string; readonly name?: string; readonly value?: string }[];
}

/** The answer of a page fetched or submitted like a browser does. */
export interface PageResponse {
  readonly status: number;
  readonly html: string;
}

/** Raised when an approval page cannot be used the way a person would use it. */
export class ApprovalPageError extends Error {
  override readonly name = 'ApprovalPageError';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decode(text: string): string {
  return text.replace(/&(#\d+|#x[\da-f]+|[a-z]+\d*);/gi, (entity, name: string) => {
    if (/^#x/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? entity;
  });
}

function attributes(tag: string): Record<string, string> {
  const found: Record<string, string> = {};
  const inside = tag.replace(/^<\s*[\w-]+/, '').replace(/\/?>$/, '');
  for (const match of inside.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    found[match[1]!.toLowerCase()] = decode(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return found;
}

const text = (html: string): string => decode(html.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();

/**
 * The forms of a page, read as a browser reads them: method, action resolved against the page's
 * URL, hidden and pre-filled inputs, and submit buttons with their labels. Enough HTML for the
 * approval page (which works without JavaScript), not a general parser.
 */
export function formsOf(html: string, pageUrl: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const form = attributes(`<form ${match[1]!}>`);
    const body = match[2]!;
    const fields: Record<string, string> = {};
    const buttons: { label: string; name?: string; value?: string }[] = [];
    for (const input of body.matchAll(/<input\b[^>]*>/gi)) {
      const attrs = attributes(input[0]);
      const type = (attrs['type'] ?? 'text').toLowerCase();
      if (type === 'submit') buttons.push({ label: attrs['value'] ?? 'Submit', ...(attrs['name'] ? { name: attrs['name'], value: attrs['value'] ?? '' } : {}) });
      else if (attrs['name'] && !['checkbox', 'radio', 'button', 'reset', 'file'].includes(type)) fields[attrs['name']] = attrs['value'] ?? '';
      else if (attrs['name'] && (type === 'checkbox' || type === 'radio') && 'checked' in attrs) fields[attrs['name']] = attrs['value'] ?? 'on';
    }
    for (const area of body.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
      const attrs = attributes(`<textarea ${area[1]!}>`);
      if (attrs['name']) fields[attrs['name']] = decode(area[2]!);
    }
    for (const button of body.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
      const attrs = attributes(`<button ${button[1]!}>`);
      if ((attrs['type'] ?? 'submit').toLowerCase() !== 'submit') continue;
      buttons.push({ label: text(button[2]!), ...(attrs['name'] ? { name: attrs['name'], value: attrs['value'] ?? '' } : {}) });
    }
    forms.push({ method: (form['method'] ?? 'get').toLowerCase(), action: new URL(form['action'] ?? '', pageUrl).toString(), fields, buttons });
  }
  return forms;
}

/** GET a page as a browser would (no credentials, HTML accepted). */
export async function openPage(url: string): Promise<PageResponse> {
  const response = await fetch(url, { headers: { accept: 'text/html' }, redirect: 'follow' });
  return { status: response.status, html: await response.text() };
}

/**
 * Presses the submit button whose label matches `label` (e.g. /approve/i) on the page at `url`,
 * exactly as a person would: read the page, fill in nothing but what the form carries, and post
 * it url-encoded to the form's action.
 *
 * @throws {ApprovalPageError} when the page does not load or has no such button.
 */
export async function pressButton(url: string, label: RegExp, extra: Record<string, string> = {}): Promise<{ page: PageResponse; result: PageResponse; form: PageForm }> {
  const page = await openPage(url);
  if (page.status !== 200) throw new ApprovalPageError(`GET ${new URL(url).pathname} answered ${page.status}: ${text(page.html).slice(0, 200)}`);
  for (const form of formsOf(page.html, url)) {
    const button = form.buttons.find((candidate) => label.test(candidate.label));
    if (!button) continue;
    const body = new URLSearchParams({ ...form.fields, ...extra, ...(button.name ? { [button.name]: button.value ?? '' } : {}) });
    const response = await fetch(form.action, {
      method: form.method.toUpperCase(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: new URL(url).origin },
      body: form.method === 'post' ? body.toString() : undefined,
      redirect: 'follow',
    });
    return { page, result: { status: response.status, html: await response.text() }, form };
  }
  throw new ApprovalPageError(`the page at ${new URL(url).pathname} has no button labelled ${label}: ${text(page.html).slice(0, 300)}`);
}

/** The visible text of a page, for messages and assertions. */
export function pageText(html: string): string {
  return text(html.replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, ''));
}
