import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { s3Errors } from './errors';

/** The namespace of S3's XML documents. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', processEntities: true, suppressEmptyNode: false, suppressBooleanAttributes: false });

/**
 * An S3 response document: `<?xml…?>` and the root element (in S3's namespace) holding `content`.
 * Arrays become repeated elements, undefined members are left out, values are escaped.
 */
export function xmlDocument(root: string, content: Readonly<Record<string, unknown>> | string): string {
  const body = typeof content === 'string' ? { '#text': content } : content;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: { '@_xmlns': S3_XMLNS, ...body } }) as string}`;
}

/**
 * Parses a request body S3 expects as XML (DeleteObjects, CompleteMultipartUpload,
 * CreateBucketConfiguration): element text is kept exactly as sent (keys may start or end with
 * spaces), character references are decoded (the SDK writes a newline in a key as `&#x0A;`), and
 * the elements named in `arrays` are always arrays. Throws `MalformedXML` when the body is not
 * XML or its root is not `root`.
 */
export function parseRequestXml(body: Buffer, root: string, arrays: readonly string[]): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw s3Errors.malformedXml();
  const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, htmlEntities: true, isArray: (name) => arrays.includes(name) });
  const document = parser.parse(text) as Record<string, unknown>;
  const element = document[root];
  if (element === undefined) throw s3Errors.malformedXml(`expected <${root}>`);
  return typeof element === 'object' && element !== null ? (element as Record<string, unknown>) : {};
}

/** The text of a child element (`undefined` when absent); elements with children are not text. */
export function textOf(element: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = element[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : '';
}
