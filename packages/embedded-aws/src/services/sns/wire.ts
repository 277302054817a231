import { escapeXml, newRequestId } from '../../protocol';
import { invalidParameter } from './errors';

/** The SNS API namespace, on every reply document. */
export const SNS_XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** Form parameters of an awsQuery request, flat (`Attributes.entry.1.key` → value). */
export type QueryParams = ReadonlyMap<string, string>;

export function parseQuery(body: Buffer, url: string | undefined): QueryParams {
  const params = new Map<string, string>();
  // The SDK POSTs a form; a GET with the same parameters in the URL is accepted too, as SNS does.
  for (const [key, value] of new URL(url ?? '/', 'http://localhost').searchParams) params.set(key, value);
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.set(key, value);
  return params;
}

export function optional(params: QueryParams, name: string): string | undefined {
  return params.get(name);
}

export function required(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw invalidParameter(`${name} Reason: the parameter is required`);
  return value;
}

/** Indexed structures under a prefix: `Tags.member.1.Key`… → [{Key, Value}, …] in index order. */
export function indexed(params: QueryParams, prefix: string): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>();
  for (const [key, value] of params) {
    if (!key.startsWith(`${prefix}.`)) continue;
    const [index, ...rest] = key.slice(prefix.length + 1).split('.');
    const n = Number(index);
    if (!Number.isInteger(n)) continue;
    const item = byIndex.get(n) ?? {};
    item[rest.join('.')] = value;
    byIndex.set(n, item);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
}

/** A string map serialised as `<prefix>.entry.N.key` / `.value`. */
export function stringMap(params: QueryParams, prefix: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const entry of indexed(params, `${prefix}.entry`)) {
    if (entry.key === undefined) throw invalidParameter(`${prefix} Reason: an entry has no key`);
    map[entry.key] = entry.value ?? '';
  }
  return map;
}

/** A value in an XML reply: text, a nested element list, or a list of `<member>`s. */
export type XmlValue = string | number | boolean | undefined | { readonly [name: string]: XmlValue } | readonly XmlValue[];

/** Renders `{Name: value}` as `<Name>value</Name>`; arrays become `<member>` lists, undefined is left out. */
export function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (typeof value !== 'object') return escapeXml(String(value));
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item as XmlValue)}</member>`).join('');
  return Object.entries(value as Record<string, XmlValue>)
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `<${name}>${toXml(v)}</${name}>`)
    .join('');
}

/** A string map as SNS replies with it: `<entry><key>…</key><value>…</value></entry>`. */
export function mapToXml(map: Readonly<Record<string, string>>): string {
  return Object.entries(map).map(([key, value]) => `<entry><key>${escapeXml(key)}</key><value>${escapeXml(value)}</value></entry>`).join('');
}

/** The whole reply document of an action. `result` is already-rendered XML for the `<ActionResult>` element. */
export function replyDocument(action: string, result: string | undefined): { body: string; requestId: string } {
  const requestId = newRequestId();
  const resultXml = result === undefined ? '' : `<${action}Result>${result}</${action}Result>`;
  return { body: `<${action}Response xmlns="${SNS_XMLNS}">${resultXml}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`, requestId };
}
