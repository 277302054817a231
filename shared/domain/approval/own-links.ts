const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Whether `link` points under fledge's own API, `apiUrl`: same scheme, host and port, no user
 * name or password, and a path under the API's path. The API must be https — or http on a
 * loopback address, which is local mode. Anything else (another host, `javascript:`, a lookalike
 * such as `https://api.example.com.evil.test`) is not fledge's link, whatever a message claims.
 * The link must also be spelt as the URL parser reads it (fledge's links are): the text a
 * message carries is what gets checked, not a version the parser cleaned of spaces, tabs, line
 * breaks or backslashes that another client may read differently.
 */
export function isOwnLink(link: string, apiUrl: string): boolean {
  let url: URL;
  let base: URL;
  try {
    url = new URL(link);
    base = new URL(apiUrl);
  } catch {
    return false;
  }
  if (url.href !== link) return false;
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && LOOPBACK.test(base.hostname))) return false;
  if (url.protocol !== base.protocol || url.host !== base.host || url.username !== '' || url.password !== '') return false;
  // Both paths are normalised by the URL parser (`..`, `%2e%2e`), so a prefix test cannot be walked out of.
  const prefix = `${base.pathname.replace(/\/+$/, '')}/`;
  return url.pathname.startsWith(prefix);
}

/** Where a refused link pointed, for a log line: scheme and host only, never its path or query (they carry signatures). */
export function linkOrigin(link: string): string {
  try {
    const url = new URL(link);
    return url.origin === 'null' ? `${url.protocol}…` : url.origin;
  } catch {
    return '(not a URL)';
  }
}
