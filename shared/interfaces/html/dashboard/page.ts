import { DASHBOARD_CSS } from './style';
import { DASHBOARD_SCRIPT } from './script';

/*
 * The dashboard (issue 17): one static page, one stylesheet, one script — no framework, no build
 * step, nothing fetched from outside. It reads and drives fledge only through fledge's own API
 * (`apiBase`): `fledge dashboard` serves it with a signing proxy under `/api`, local mode at its
 * API's own address. Every text from the API reaches the page through `textContent` or an
 * attribute, never as markup, so user text (names, reasons, messages) cannot become HTML.
 */

/** Where the page's script and stylesheet are served, relative to the page. */
export const DASHBOARD_ASSETS = { script: 'dashboard.js', style: 'dashboard.css' } as const;

/**
 * Headers of every dashboard response: nothing cached, nothing framed, scripts and styles only
 * from the page's own origin, requests only to it, no Referer.
 */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The page shell; `apiBase` is the path prefix of fledge's API as seen from the page (`/api`, or `` at the API itself). */
export function dashboardHtml(apiBase: string, assetBase: string): string {
  const attr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fledge dashboard</title>
<link rel="stylesheet" href="${attr(assetBase)}${DASHBOARD_ASSETS.style}">
<script defer src="${attr(assetBase)}${DASHBOARD_ASSETS.script}"></script>
</head>
<body data-api="${attr(apiBase)}">
<a class="skip" href="#main">Skip to content</a>
<header>
  <span class="brand">fledge</span>
  <nav aria-label="Sections">
    <a href="#/" data-nav="list">Deployments</a>
    <a href="#/metrics" data-nav="metrics">Delivery metrics</a>
  </nav>
</header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<div id="announce" class="visually-hidden" role="status" aria-live="polite"></div>
<dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
  <form method="dialog">
    <h2 id="confirm-title">Confirm</h2>
    <p id="confirm-text"></p>
    <p id="confirm-comment-row"><label for="confirm-comment">Comment (optional)</label><br><textarea id="confirm-comment" rows="3" maxlength="1000"></textarea></p>
    <div class="actions"><button value="cancel" type="submit">Cancel</button> <button id="confirm-ok" value="ok" type="submit" class="primary">Confirm</button></div>
  </form>
</dialog>
<noscript>The dashboard needs JavaScript; <code>fledge status</code> and <code>fledge history</code> show the same facts.</noscript>
</body>
</html>
`;
}

export { DASHBOARD_CSS, DASHBOARD_SCRIPT };
