import { firstTooDeep } from '../json-depth';
import { InvalidInputError } from './errors';

/**
 * How deeply a JSON body of the API may nest arrays and objects. A spec nests about six levels;
 * the rest is room. Deeper bodies are refused before they are parsed, so nothing downstream
 * (stringifying the spec, the schema) recurses into them.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses a JSON request body, refusing (400, naming the limit) one nested deeper than
 * {@link MAX_JSON_DEPTH} before parsing it, and one that is not JSON with the position of the
 * first error — in fledge's words, not the parser's.
 */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  const deep = firstTooDeep(text, MAX_JSON_DEPTH);
  if (deep !== undefined) {
    throw new InvalidInputError([{ in: 'body', field: 'body', message: `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at character ${deep + 1})`, limit: `at most ${MAX_JSON_DEPTH} levels of nesting` }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new InvalidInputError([{ in: 'body', field: 'body', message: `is not valid JSON${position !== undefined ? ` (near character ${Number(position) + 1})` : ''}`, limit: 'a JSON document' }], { cause: error });
  }
}
