import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The demo's sample function and specs, `examples/demo/`: found from this module's folder up, since
 * the module sits two levels below the package root in the sources (`cli/demo/`) and one in the
 * bundled CLI (`dist/`), whether in a checkout or installed under `node_modules/`.
 */
export const DEMO_EXAMPLES = examplesFrom(dirname(fileURLToPath(import.meta.url)));

function examplesFrom(folder: string): string {
  const candidate = join(folder, 'examples', 'demo');
  if (existsSync(candidate) || dirname(folder) === folder) return `${candidate}/`;
  return examplesFrom(dirname(folder));
}
