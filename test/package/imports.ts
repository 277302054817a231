import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

/** One import of a package by a source file: where, and which package. */
export interface PackageImport {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  /** `@scope/name` or `name`: what package.json must declare. */
  readonly packageName: string;
}

/** The package a bare specifier names, or undefined for a relative path or a Node.js built-in. */
export function packageNameOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

/** Every `.ts` file under `folder` (recursively). */
export function typeScriptFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * The packages a file loads at run time: static imports and re-exports (not `import type`/`export
 * type`, which the compiler erases), dynamic `import('…')`, `require('…')` calls and
 * `import.meta.resolve('…')` — so a package loaded through `createRequire` (dynalite) counts too.
 */
export function runtimePackageImports(file: string): PackageImport[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: PackageImport[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined): void => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const packageName = packageNameOf(literal.text);
    if (packageName === undefined) return;
    found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, specifier: literal.text, packageName });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) add(node, node.moduleSpecifier);
    else if (ts.isExportDeclaration(node) && !node.isTypeOnly) add(node, node.moduleSpecifier);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isResolve = ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' && (ts.isIdentifier(callee.expression) ? callee.expression.text === 'require' : ts.isMetaProperty(callee.expression));
      if (isDynamicImport || isRequire || isResolve) add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
