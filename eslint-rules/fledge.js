// @ts-check
// fledge's own lint rules, all of them (the `fledge` plugin of eslint.config.js): the floors of the house
// (CONTRIBUTING.md, "Map of the house") — the embedded AWS among them, a closed floor that imports nothing of
// fledge and is imported by its package name only — and the rule for index files.
// Relative imports are resolved against the importing file, so a rule holds whatever the `../` count (a pattern on
// the text cannot tell `../../types` inside a package from `../../shared/x` outside it).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The floors, lowest first, each with the floors its files may import (its own always included); every file of the
 * tree is on one (the last, the tooling, holds what no other does). A `closed` floor is a workspace package: it
 * imports nothing outside its folder by a relative path, and no other floor imports its files by a path — fledge
 * uses it through its package name (`packageName`) and public exports only.
 * @type {readonly { name: string; dir: string; mayImport: readonly string[]; closed?: boolean; packageName?: string }[]}
 */
export const FLOORS = [
  { name: 'embedded-aws', dir: 'packages/embedded-aws', mayImport: [], closed: true, packageName: '@fledge-local/embedded-aws' },
  { name: 'text', dir: 'shared/text', mayImport: [] },
  { name: 'model', dir: 'shared/model', mayImport: ['text'] },
  { name: 'ports', dir: 'shared/ports', mayImport: ['model'] },
  { name: 'domain', dir: 'shared/domain', mayImport: ['text', 'model', 'ports'] },
  { name: 'adapters', dir: 'shared/adapters', mayImport: ['text', 'model', 'ports'] },
  { name: 'interfaces', dir: 'shared/interfaces', mayImport: ['text', 'model', 'ports', 'domain'] },
  { name: 'config', dir: 'shared/config', mayImport: ['text', 'model', 'domain'] },
  { name: 'functions', dir: 'functions', mayImport: ['text', 'model', 'ports', 'domain', 'adapters', 'interfaces', 'config', 'state-machines'] },
  { name: 'local', dir: 'local', mayImport: ['text', 'model', 'ports', 'domain', 'adapters', 'interfaces', 'config', 'functions', 'state-machines'] },
  { name: 'cli', dir: 'cli', mayImport: ['text', 'model', 'ports', 'domain', 'adapters', 'interfaces', 'config', 'functions', 'local', 'state-machines'] },
  { name: 'state-machines', dir: 'state-machines', mayImport: ['text', 'model', 'ports', 'domain'] },
  // The bench and the tests stand on everything; nothing stands on them (the bench and the demo start fledge in
  // the shared world, local/world/, never in the tests' harness).
  { name: 'bench', dir: 'bench', mayImport: ['text', 'model', 'ports', 'domain', 'adapters', 'interfaces', 'config', 'functions', 'local', 'cli', 'state-machines'] },
  { name: 'test', dir: 'test', mayImport: ['text', 'model', 'ports', 'domain', 'adapters', 'interfaces', 'config', 'functions', 'local', 'cli', 'state-machines', 'bench'] },
  // Everything else (scripts/, the root's configuration files, package.json): the tooling, which builds and checks
  // the rest. Its own imports are held to its list; importing it is not refused.
  { name: 'tooling', dir: '', mayImport: ['text', 'model', 'ports', 'domain', 'adapters', 'interfaces', 'config', 'functions', 'local', 'cli', 'state-machines', 'bench', 'test'] },
];

/** @param {string} rel a path relative to the repository root */
function floorOf(rel) {
  const posix = rel.split(path.sep).join('/');
  return FLOORS.find((f) => f.dir === '' || posix === f.dir || posix.startsWith(`${f.dir}/`));
}

const EXTENSIONS = ['', '.ts', '.mts', '.js', '.mjs'];

/** The file (or folder) a relative specifier names, relative to the root; undefined when it names nothing. */
function resolve(/** @type {string} */ root, /** @type {string} */ file, /** @type {string} */ specifier) {
  const base = path.resolve(path.dirname(file), specifier);
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    if (existsSync(candidate)) return { rel: path.relative(root, candidate), isFolder: statSync(candidate).isDirectory() };
  }
  return undefined;
}

/** Calls `check` with every relative specifier of an import, export-from or dynamic import. */
function eachSpecifier(/** @type {(node: any, specifier: string) => void} */ check) {
  /** @param {any} node */
  const source = (node) => {
    if (node.source && typeof node.source.value === 'string' && node.source.value.startsWith('.')) check(node.source, node.source.value);
  };
  return { ImportDeclaration: source, ExportNamedDeclaration: source, ExportAllDeclaration: source, ImportExpression: source };
}

/** @type {import('eslint').Rule.RuleModule} */
const floors = {
  meta: { type: 'problem', docs: { description: 'A floor imports only the floors below it that it may use (CONTRIBUTING.md, "Map of the house").' }, schema: [] },
  create(context) {
    const root = context.cwd;
    const from = floorOf(path.relative(root, context.filename));
    if (!from) return {};
    return eachSpecifier((node, specifier) => {
      if (from.closed && !within(path.resolve(root, from.dir), path.resolve(path.dirname(context.filename), specifier))) {
        return context.report({ node, message: `${from.name} (${from.dir}/) imports nothing outside its folder ('${specifier}'): it may import nothing of fledge; take what it needs as an option instead. See CONTRIBUTING.md, "Map of the house".` });
      }
      const target = resolve(root, context.filename, specifier);
      if (!target) return;
      const to = floorOf(target.rel);
      // The tooling is what is left: the rule holds its imports, not imports of it (the CLI reads package.json).
      if (!to || to === from || to.dir === '' || from.mayImport.includes(to.name)) return;
      if (to.packageName) {
        return context.report({ node, message: `${from.name} (${from.dir || '.'}/) may not import the files of ${to.name} (${target.rel.split(path.sep).join('/')}): import the package by its name ('${to.packageName}') and its public exports.` });
      }
      context.report({ node, message: `${from.name} (${from.dir || '.'}/) may not import ${to.name} (${target.rel.split(path.sep).join('/')}): it may import ${from.mayImport.length ? from.mayImport.join(', ') : 'nothing of fledge'}. See CONTRIBUTING.md, "Map of the house".` });
    });
  },
};

/** @type {import('eslint').Rule.RuleModule} */
const noBarrels = {
  meta: {
    type: 'problem',
    docs: { description: 'No index files and no folder imports: a module is imported from the file that defines it (CONTRIBUTING.md, "Index files").' },
    schema: [{ type: 'object', properties: { entries: { type: 'array', items: { type: 'string' } } }, additionalProperties: false }],
  },
  create(context) {
    const root = context.cwd;
    /** @type {string[]} the index files allowed: a workspace package's public entry */
    const entries = (context.options[0]?.entries ?? []).map((/** @type {string} */ e) => e.split('/').join(path.sep));
    const self = path.relative(root, context.filename);
    const isEntry = (/** @type {string} */ rel) => entries.some((e) => rel === e || rel === path.join(e, 'index.ts'));
    return {
      Program(node) {
        if (/^index\.[mc]?[jt]s$/.test(path.basename(self)) && !isEntry(self)) {
          context.report({ node, message: 'No index files: import each name from the module that defines it (a barrel pulls every module of its folder into a bundle and hides cycles). Only a package\'s public entry may be an index.' });
        }
      },
      ...eachSpecifier((node, specifier) => {
        const target = resolve(root, context.filename, specifier);
        if (!target) return;
        const named = target.isFolder ? path.join(target.rel, 'index.ts') : target.rel;
        if ((target.isFolder || /(^|[\\/])index(\.[mc]?[jt]s)?$/.test(specifier)) && !isEntry(named) && !isEntry(target.rel)) {
          context.report({ node, message: `Import the module that defines the name, not the folder ${specifier}.` });
        }
      }),
    };
  },
};

/** `dir` contains `file` (or is it). */
function within(/** @type {string} */ dir, /** @type {string} */ file) {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export default { rules: { floors, 'no-barrels': noBarrels } };
