import type { ArtifactLocation } from '../../../model/deployment';
import { formatPath } from '../../../domain/spec/problems';
import { tooDeep } from '../../../domain/spec/measure';
import { tooDeepMessage } from '../../../domain/spec/source';
import { parseArtifactOverride } from '../../../domain/starter/override';
import { InvalidInputError, UnprocessableError, UnsupportedMediaTypeError } from '../errors';
import type { HttpRequest } from '../http';
import { refuseUnknownFields } from './inputs';
import { parseJsonBody } from '../json-body';

/** What `POST /deployments` carries. */
export interface StartBody {
  /** The spec text (YAML or JSON). */
  readonly specText: string;
  /** Overrides the spec's `artifact.zip` (e.g. the CLI uploaded the zip first). */
  readonly artifact?: ArtifactLocation;
}

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml']);
const FIELDS = ['spec', 'artifact'];
const SPEC_LIMIT = 'the spec as YAML or JSON text, or as a JSON object';

/**
 * Reads the body of `POST /deployments`: either JSON `{spec, artifact?}` — `spec` the YAML/JSON
 * text or the spec as an object, `artifact` `{bucket, key, versionId?}`, `{imageUri}` or
 * `"s3://bucket/key"` — or the spec itself as `application/yaml`. The spec's own content is the
 * spec parser's to judge (422); everything around it is judged here (400).
 */
export function parseStartBody(request: HttpRequest): StartBody {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (request.body.length === 0) throw new InvalidInputError([{ in: 'body', field: 'spec', message: 'is missing: the request has no body; send {"spec": "<YAML or JSON text>", "artifact": {...}} as application/json, or the spec as application/yaml', limit: SPEC_LIMIT }]);
  if (YAML_TYPES.has(type)) return { specText: request.body.toString('utf8') };
  if (type !== 'application/json') throw new UnsupportedMediaTypeError(`content type ${JSON.stringify((type || '(none)').slice(0, 60))} is not accepted: use application/json or application/yaml`);
  const value = parseJsonBody(request.body);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError([{ in: 'body', field: 'body', message: 'must be a JSON object {"spec": ..., "artifact": ...}' }]);
  const body = value as Record<string, unknown>;
  refuseUnknownFields(body, FIELDS);
  const spec = body['spec'];
  let specText: string;
  if (typeof spec === 'string') specText = spec;
  else if (spec && typeof spec === 'object' && !Array.isArray(spec)) specText = specAsText(spec);
  else throw new InvalidInputError([{ in: 'body', field: 'spec', message: `is ${spec === undefined ? 'missing' : 'not text nor an object'}: ${SPEC_LIMIT}`, limit: SPEC_LIMIT }]);
  if (specText.trim() === '') throw new InvalidInputError([{ in: 'body', field: 'spec', message: `is empty: ${SPEC_LIMIT}`, limit: SPEC_LIMIT }]);
  if (body['artifact'] === undefined) return { specText };
  const artifact = parseArtifactOverride(body['artifact']);
  if (!artifact.ok) throw new InvalidInputError(artifact.problems.map((p) => ({ in: 'body', ...p })));
  return { specText, artifact: artifact.value };
}

/**
 * A spec sent as a JSON object, as text for the spec reader. Nesting is checked first, with the
 * reader's limit and words: writing out thousands of levels would exhaust the stack.
 */
function specAsText(spec: object): string {
  const deep = tooDeep(spec);
  if (deep !== undefined) {
    const problems = [{ path: formatPath(deep), message: tooDeepMessage() }];
    throw new UnprocessableError('SpecInvalid', 'the spec has 1 problem; nothing was started', { problems });
  }
  return JSON.stringify(spec);
}
