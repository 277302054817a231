import { isAlias, isMap, parseDocument } from 'yaml';
import type { GitHubSource } from '../../model/notification';

/**
 * The spec's text with `source.github` set to `github` (docs/spec.md#source), everything else as the
 * user wrote it: a YAML spec is edited through the `yaml` package's Document, so its comments,
 * anchors, key order and scalar styles survive (indentation is re-written two spaces a level); a JSON
 * spec stays JSON (there are no comments to keep), pretty-printed. `source`'s other keys, if any, stay.
 *
 * Expects a spec that {@link parseDeploymentSpec} accepted (one document, a mapping at the top);
 * whether it already had a different `source.github` is the caller's decision, and so is reading
 * the result again to validate the values (they are data here, quoted as YAML needs).
 *
 * @throws {Error} when the text is not a mapping at the top (a spec the parser refused).
 */
export function withGithubSource(text: string, github: GitHubSource): string {
  const value = github.environment === undefined ? { repository: github.repository, ref: github.ref } : { repository: github.repository, ref: github.ref, environment: github.environment };
  const json = asJsonObject(text);
  if (json !== undefined) {
    const source = typeof json['source'] === 'object' && json['source'] !== null ? (json['source'] as Record<string, unknown>) : {};
    return `${JSON.stringify({ ...json, source: { ...source, github: value } }, null, 2)}\n`;
  }
  // The options of the spec's reader (source.ts): YAML 1.2 core, no merge keys, duplicates already refused.
  const document = parseDocument(text, { schema: 'core', merge: false, uniqueKeys: false });
  if (!isMap(document.contents)) throw new Error('the spec is not a mapping: it cannot be given a source');
  const source = document.get('source', true);
  if (isMap(source)) source.set('github', document.createNode(value));
  // Absent, or an alias of a mapping without github (the only key source may hold): a mapping of its own.
  else if (source === undefined || source === null || isAlias(source)) document.set('source', document.createNode({ github: value }));
  else throw new Error('the spec\'s source is not a mapping: it cannot be given source.github');
  // lineWidth 0: long strings stay on their line, as written.
  return document.toString({ lineWidth: 0 });
}

/** The text's object when it is a JSON document (a spec written as JSON), else undefined. */
function asJsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // A YAML flow mapping ({ version: 1, … }) is not JSON: edited as YAML.
    return undefined;
  }
}
