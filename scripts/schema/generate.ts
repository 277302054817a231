import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { LAMBDA_RUNTIMES } from '../../shared/domain/spec/names';
import { PRESET_SPELLINGS } from '../../shared/domain/spec/presets';
import { specSchema } from '../../shared/domain/spec/schema';

/*
 * The JSON Schema of the deployment spec (issue 18), generated from the very zod schema the
 * validator uses (shared/domain/spec/schema.ts) by zod's own `z.toJSONSchema`, then completed with
 * what zod cannot see through its refinements: durations and latencies as patterns (fields.ts and
 * signals.ts mark them), presets and runtimes as enums, the one-of rules of artifact, strategy and
 * canary steps, and a description per field taken from docs/spec.md. Editors use it
 * (`# yaml-language-server: $schema=…`); the validator stays the judge (test/spec/json-schema.test.ts
 * lists what only the validator checks).
 */

/** Where the schema is written (`npm run generate`) and shipped in the package. */
export const SCHEMA_FILE = 'schema/fledge-spec.schema.json';

/** The URL the examples' `$schema` line names: the file as published on npm (unpkg serves package files). */
export const SCHEMA_URL = 'https://unpkg.com/fledge-deploy/schema/fledge-spec.schema.json';

type JsonSchema = { [key: string]: unknown; properties?: Record<string, JsonSchema>; items?: JsonSchema; description?: string };

/** The JSON Schema text, as `npm run generate` writes it. */
export function specJsonSchemaText(docs = readFileSync('docs/spec.md', 'utf8')): string {
  return `${JSON.stringify(specJsonSchema(docs), null, 2)}\n`;
}

/** The JSON Schema of a spec file (YAML or JSON), draft 2020-12. */
export function specJsonSchema(docs: string): JsonSchema {
  const generated = z.toJSONSchema(specSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  const schema: JsonSchema = {
    $schema: generated['$schema'],
    $id: SCHEMA_URL,
    title: 'fledge deployment spec, version 1',
    description: 'A fledge deployment: the function and alias, the new version (artifact), how traffic moves onto it (strategy) and how its health is judged. docs/spec.md has every rule; `fledge validate` is the judge.',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
  };
  const props = schema.properties!;
  props['version'] = { const: 1, description: 'The spec format: 1, a number.' };

  const artifact = props['artifact']!;
  artifact.oneOf = ['zip', 'image', 'version', 'fromLatest'].map((key) => ({ required: [key] }));
  artifact.dependentRequired = { objectVersion: ['zip'] };

  const runtime = props['configuration']!.properties!['runtime']!;
  runtime.enum = [...LAMBDA_RUNTIMES];

  const strategy = props['strategy']!;
  strategy.oneOf = ['preset', 'canary', 'linear', 'blueGreen', 'allAtOnce'].map((key) => ({ required: [key] }));
  strategy.properties!['preset']!.enum = [...PRESET_SPELLINGS];
  const step = strategy.properties!['canary']!.properties!['steps']!.items!;
  step.oneOf = ['setWeight', 'pause', 'approval'].map((key) => ({ required: [key] }));
  for (const percent of [step.properties!['setWeight']!, strategy.properties!['linear']!.properties!['percent']!]) Object.assign(percent, { exclusiveMinimum: 0, maximum: 100 });
  strategy.properties!['linear']!.properties!['percent']!['exclusiveMaximum'] = 100;
  delete strategy.properties!['linear']!.properties!['percent']!['maximum'];

  const errorRate = props['health']!.properties!['errorRate']!.properties!['threshold']!;
  Object.assign(errorRate, { exclusiveMinimum: 0, maximum: 100 });

  describeFromDocs(schema, docs);
  return schema;
}

/**
 * Descriptions from docs/spec.md: a `### \`field\`` section's first paragraph describes the
 * top-level field, and each table row `| \`name\` | … |` in it describes `field.name` (dotted names
 * reach deeper: `errorRate.threshold`). `####` sections of `strategy` describe its keys.
 */
function describeFromDocs(schema: JsonSchema, docs: string): void {
  let section: string[] = [];
  let paragraph: string[] | undefined;
  const setDescription = (path: readonly string[], text: string): void => {
    const node = at(schema, path);
    if (node !== undefined && node.description === undefined && text !== '') node.description = plain(text);
  };
  for (const line of docs.split('\n')) {
    const heading = /^(#{3,4}) `([A-Za-z]+)(?::[^`]*)?`/.exec(line);
    if (heading) {
      section = heading[1] === '###' ? [heading[2]!] : [section[0] ?? '', heading[2]!];
      paragraph = [];
      continue;
    }
    if (/^#{1,4} /.test(line)) {
      section = [];
      paragraph = undefined;
      continue;
    }
    if (paragraph !== undefined) {
      if (line.trim() === '' && paragraph.length > 0) {
        setDescription(section, paragraph.join(' '));
        paragraph = undefined;
      } else if (line.trim() !== '' && !line.startsWith('|') && !line.startsWith('```')) paragraph.push(line.trim());
    }
    const row = /^\| `([A-Za-z.]+)`(?:[^|]*)\|(.*)\|\s*$/.exec(line);
    if (row && section.length === 1) {
      const cells = row[2]!.split(/(?<!\\)\|/).map((cell) => cell.trim()).filter((cell) => cell !== '' && cell !== '—');
      setDescription([...section, ...row[1]!.split('.')], cells.join(' — '));
    }
  }
}

/** The node of `path` (property names) in the schema, through properties and list items. */
function at(schema: JsonSchema, path: readonly string[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const name of path) {
    if (node === undefined) return undefined;
    if (node.properties === undefined && node.items !== undefined) node = node.items;
    node = node.properties?.[name];
  }
  return node;
}

/** Markdown to plain text: links to their text, no backticks or emphasis. */
function plain(text: string): string {
  return text
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\\\|/g, '|')
    .trim();
}
