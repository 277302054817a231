// @ts-check
// An ESLint rule that keeps parts of the tree apart by where an import lands, not by how its path
// is spelled (a pattern on the text cannot tell `../../types` inside a package from
// `../../shared/x` outside it): each relative import (import, export … from, import()) is resolved
// against the importing file and refused when it leaves `inside` or enters one of `outside`.
import { dirname, relative, resolve, sep } from 'node:path';

/** `dir` contains `path` (or is it). */
function within(dir, path) {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** @type {import('eslint').Rule.RuleModule} */
const importFence = {
  meta: {
    type: 'problem',
    docs: { description: 'Relative imports stay inside a folder, or out of some folders' },
    schema: {
      type: 'array',
      items: {
        type: 'object',
        properties: { inside: { type: 'string' }, outside: { type: 'string' }, message: { type: 'string' } },
        required: ['message'],
        additionalProperties: false,
      },
    },
  },
  create(context) {
    /** @type {{ inside?: string; outside?: string; message: string }[]} */
    const fences = context.options;
    const root = context.cwd;
    const check = (/** @type {any} */ node) => {
      const source = node?.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = resolve(dirname(context.filename), source.value);
      for (const fence of fences) {
        const leaves = fence.inside !== undefined && !within(resolve(root, fence.inside), target);
        const enters = fence.outside !== undefined && within(resolve(root, fence.outside), target);
        if (leaves || enters) return context.report({ node: source, message: `'${source.value}': ${fence.message}` });
      }
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

/** The plugin: `fence/imports`. */
export default { rules: { imports: importFence } };
