import type { ArtifactLocation } from '../deployment/model';
import { formatPath, tooDeep, tooDeepMessage } from '../spec';
import { BadRequestError, UnprocessableError, UnsupportedMediaTypeError } from './errors';
import type { HttpRequest } from './http';

/** What `POST /deployments` carries. */
export interface StartBody {
  /** The spec text (YAML or JSON). */
  readonly specText: string;
  /** Overrides the spec's `artifact.zip` (e.g. the CLI uploaded the zip first). */
  readonly artifact?: ArtifactLocation;
}

const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml']);

/**
 * Reads the body of `POST /deployments`: either JSON `{spec, artifact?}` — `spec` the YAML/JSON
 * text or the spec as an object, `artifact` `{bucket, key, versionId?}` or `"s3://bucket/key"` —
 * or the spec itself as `application/yaml`.
 */
export function parseStartBody(request: HttpRequest): StartBody {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (request.body.length === 0) throw new BadRequestError('the request has no body: send {"spec": "<YAML or JSON text>", "artifact": {...}} as application/json, or the spec as application/yaml');
  const text = request.body.toString('utf8');
  if (YAML_TYPES.has(type)) return { specText: text };
  if (type !== 'application/json') throw new UnsupportedMediaTypeError(`content type "${type || '(none)'}" is not accepted: use application/json or application/yaml`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`the body is not valid JSON: ${(error as Error).message}`, undefined, { cause: error });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadRequestError('the body must be a JSON object {"spec": ..., "artifact": ...}');
  const body = value as Record<string, unknown>;
  const unknown = Object.keys(body).filter((key) => key !== 'spec' && key !== 'artifact');
  if (unknown.length > 0) throw new BadRequestError(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')} in the body; known: spec, artifact`, { fields: unknown });
  const spec = body['spec'];
  let specText: string;
  if (typeof spec === 'string') specText = spec;
  else if (spec && typeof spec === 'object' && !Array.isArray(spec)) specText = specAsText(spec);
  else throw new BadRequestError('"spec" is required: the spec as YAML or JSON text, or as an object', { field: 'spec' });
  if (specText.trim() === '') throw new BadRequestError('"spec" is empty', { field: 'spec' });
  return { specText, ...(body['artifact'] !== undefined ? { artifact: parseArtifact(body['artifact']) } : {}) };
}

function parseArtifact(value: unknown): ArtifactLocation {
  if (typeof value === 'string') {
    const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.{1,1024})$/.exec(value);
    if (!match) throw new BadRequestError(`"artifact" must be s3://bucket/key, got ${JSON.stringify(value.slice(0, 100))}`, { field: 'artifact' });
    return { bucket: match[1]!, key: match[2]! };
  }
  const a = value as Record<string, unknown> | null;
  if (!a || typeof a !== 'object' || typeof a['bucket'] !== 'string' || typeof a['key'] !== 'string' || !a['bucket'] || !a['key']) {
    throw new BadRequestError('"artifact" must be {"bucket": "...", "key": "...", "versionId"?: "..."} or "s3://bucket/key"', { field: 'artifact' });
  }
  if (a['versionId'] !== undefined && typeof a['versionId'] !== 'string') throw new BadRequestError('"artifact.versionId" must be a string', { field: 'artifact.versionId' });
  return { bucket: a['bucket'], key: a['key'], ...(typeof a['versionId'] === 'string' && a['versionId'] ? { versionId: a['versionId'] } : {}) };
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
