import { firstTooDeep } from './json-depth';
import { duplicateKeys } from './json-keys';
import { InvalidInputError } from './errors';

/**
 * How deeply a JSON body of the API may nest arrays and objects. A spec nests about six levels;
 * the rest is room. Deeper bodies are refused before they are parsed, so nothing downstream
 * (stringifying the spec, the schema) recurses into them.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses a JSON request body, refusing (400, naming the limit) one nested deeper than
 * {@link MAX_JSON_DEPTH} before parsing it, one that is not JSON with the position of the
 * first error — in fledge's words, not the parser's — and one that gives a key twice in one
 * object, naming where (`JSON.parse` would silently keep the last: a request must not say two
 * things at once).
 */
export function parseJsonBody(body: Buffer): unknown {
  const { value, duplicates } = readJsonBody(body);
  if (duplicates.length > 0) {
    throw new InvalidInputError(duplicates.map((path) => ({ in: 'body', field: path, message: 'is given more than once', limit: 'each field once' })));
  }
  return value;
}

/**
 * {@link parseJsonBody} without refusing repeated keys: the value, and the paths of keys given
 * twice in one object (at most five), for a caller that reports them in its own words.
 */
export function readJsonBody(body: Buffer): { readonly value: unknown; readonly duplicates: readonly string[] } {
  const text = body.toString('utf8');
  const deep = firstTooDeep(text, MAX_JSON_DEPTH);
  if (deep !== undefined) {
    throw new InvalidInputError([{ in: 'body', field: 'body', message: `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at character ${deep + 1})`, limit: `at most ${MAX_JSON_DEPTH} levels of nesting` }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new InvalidInputError([{ in: 'body', field: 'body', message: `is not valid JSON${position !== undefined ? ` (near character ${Number(position) + 1})` : ''}`, limit: 'a JSON document' }], { cause: error });
  }
  return { value, duplicates: duplicateKeys(text) };
}
