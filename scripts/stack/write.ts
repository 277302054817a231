import { writeFileSync } from 'node:fs';
import { GENERATED_FILES } from './generate';

// `npm run generate` runs this (bundled by scripts/generate-stack.mjs): writes each generated file.
for (const [path, generate] of Object.entries(GENERATED_FILES)) {
  writeFileSync(path, generate());
  console.log(`wrote ${path}`);
}
