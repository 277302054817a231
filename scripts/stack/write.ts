import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SCHEMA_FILE, specJsonSchemaText } from '../schema/generate';
import { GENERATED_FILES } from './generate';

// `npm run generate` runs this (bundled by scripts/generate-stack.mjs): writes each generated file.
for (const [path, generate] of Object.entries(GENERATED_FILES)) {
  writeFileSync(path, generate());
  console.log(`wrote ${path}`);
}

// The spec's JSON Schema, from the validator's own schema (scripts/schema/generate.ts).
mkdirSync(dirname(SCHEMA_FILE), { recursive: true });
writeFileSync(SCHEMA_FILE, specJsonSchemaText());
console.log(`wrote ${SCHEMA_FILE}`);
