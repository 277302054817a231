import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/** One AWS SDK v3 operation a function can call, named by its client package and operation. */
export interface SdkCall {
  /** `@aws-sdk/client-lambda`, `@aws-sdk/lib-dynamodb`, … */
  readonly pkg: string;
  /** The operation: `UpdateAlias` for `UpdateAliasCommand`. */
  readonly operation: string;
}

/** SDK v3 waiters poll one read operation; a waiter unknown here fails the analysis. */
const WAITERS: Readonly<Record<string, string>> = {
  waitUntilFunctionActive: 'GetFunctionConfiguration',
  waitUntilFunctionActiveV2: 'GetFunction',
  waitUntilFunctionExists: 'GetFunction',
  waitUntilFunctionUpdated: 'GetFunctionConfiguration',
  waitUntilFunctionUpdatedV2: 'GetFunction',
  waitUntilPublishedVersionActive: 'GetFunctionConfiguration',
  waitUntilObjectExists: 'HeadObject',
  waitUntilTableExists: 'DescribeTable',
};

/**
 * Libraries that send SDK commands through a client of their own making or of ours, out of the
 * walk's sight (their code is in node_modules): each function or method they export that sends
 * one, by `Class.member` or function name, and the operation it sends — Powertools Parameters'
 * SSMProvider.get is a GetParameter (decrypting it too). Any other function or method of these
 * packages that the code references fails the analysis until it is listed here, with the
 * operation it sends or `null` for none: a call cannot slip past the least-privilege test.
 */
const LIBRARY_CALLS: Readonly<Record<string, Readonly<Record<string, SdkCall | null>>>> = {
  '@aws-lambda-powertools/parameters': {
    'SSMProvider.get': { pkg: '@aws-sdk/client-ssm', operation: 'GetParameter' },
    'SSMProvider.getMultiple': { pkg: '@aws-sdk/client-ssm', operation: 'GetParametersByPath' },
    'SSMProvider.getParametersByName': { pkg: '@aws-sdk/client-ssm', operation: 'GetParameters' },
    'SSMProvider.set': { pkg: '@aws-sdk/client-ssm', operation: 'PutParameter' },
    getParameter: { pkg: '@aws-sdk/client-ssm', operation: 'GetParameter' },
    getParameters: { pkg: '@aws-sdk/client-ssm', operation: 'GetParametersByPath' },
    getParametersByName: { pkg: '@aws-sdk/client-ssm', operation: 'GetParameters' },
    setParameter: { pkg: '@aws-sdk/client-ssm', operation: 'PutParameter' },
    'SSMProvider.clearCache': null,
    clearCaches: null,
  },
};

/**
 * Which SDK operations each handler can reach, found from its source with the TypeScript type
 * checker rather than from its imports: a handler that imports an adapter class may call only a
 * few of its methods, and least privilege is about those. The walk follows every value reference
 * from the module's top-level code (what runs at import, including `export const handler = …`)
 * into the project's functions, methods and classes; a call on a port interface
 * (`deps.lambda.getAlias`) reaches that method of every class implementing the port that the walk
 * has instantiated; `new XCommand(…)`, waiters and paginators of `@aws-sdk/*` are the calls, and
 * the library functions of {@link LIBRARY_CALLS}.
 */
export class SdkCallAnalysis {
  private readonly program: ts.Program;
  private readonly checker: ts.TypeChecker;

  /** @param entryFiles the handler modules, absolute paths; one program serves them all. */
  constructor(entryFiles: readonly string[], tsconfigPath: string) {
    const config = ts.readConfigFile(tsconfigPath, ts.sys.readFile.bind(ts.sys));
    if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, dirname(tsconfigPath));
    this.program = ts.createProgram({ rootNames: entryFiles.map((f) => resolve(f)), options: { ...parsed.options, noEmit: true } });
    this.checker = this.program.getTypeChecker();
  }

  /** Whether `file` exports `handler`: a Lambda entry point rather than a helper module. */
  exportsHandler(file: string): boolean {
    const source = this.program.getSourceFile(resolve(file));
    const module = source && this.checker.getSymbolAtLocation(source);
    return module ? this.checker.getExportsOfModule(module).some((s) => s.name === 'handler') : false;
  }

  /** The SDK operations reachable from the module `entryFile`, sorted, deduplicated. */
  callsOf(entryFile: string): SdkCall[] {
    const source = this.program.getSourceFile(resolve(entryFile));
    if (!source) throw new Error(`${entryFile} is not part of the analysed program`);
    return new Walk(this.checker).run(source);
  }
}

class Walk {
  private readonly visited = new Set<ts.Node>();
  private readonly queue: ts.Node[] = [];
  private readonly portUses = new Map<ts.InterfaceDeclaration, Set<string>>();
  private readonly classes = new Set<ts.ClassDeclaration>();
  private readonly calls = new Map<string, SdkCall>();

  constructor(private readonly checker: ts.TypeChecker) {}

  run(entry: ts.SourceFile): SdkCall[] {
    this.enqueue(entry);
    for (;;) {
      while (this.queue.length > 0) this.visit(this.queue.pop()!);
      // Port calls meet the classes instantiated so far; repeat until nothing new is reached.
      for (const cls of this.classes) {
        for (const port of implementedPorts(cls, this.checker)) {
          for (const name of this.portUses.get(port) ?? []) {
            for (const member of cls.members) if (member.name && ts.isIdentifier(member.name) && member.name.text === name) this.enqueue(member);
          }
        }
      }
      if (this.queue.length === 0) break;
    }
    return [...this.calls.values()].sort((a, b) => `${a.pkg} ${a.operation}`.localeCompare(`${b.pkg} ${b.operation}`));
  }

  private enqueue(node: ts.Node): void {
    if (this.visited.has(node)) return;
    this.visited.add(node);
    this.queue.push(node);
    // Reaching anything in a module means the module was imported: its top-level code ran.
    const file = node.getSourceFile();
    if (file !== node && !this.visited.has(file)) this.enqueue(file);
  }

  private visit(node: ts.Node): void {
    if (ts.isSourceFile(node)) {
      for (const statement of node.statements) {
        // Declarations run when referenced; everything else at top level runs at import.
        if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement)) continue;
        if (ts.isTypeAliasDeclaration(statement) || ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) continue;
        this.walk(statement);
      }
      return;
    }
    if (ts.isClassDeclaration(node)) {
      this.classes.add(node);
      // Constructing runs the constructor and the field initialisers, not the methods.
      for (const member of node.members) {
        if (ts.isConstructorDeclaration(member) || ts.isPropertyDeclaration(member) || ts.isClassStaticBlockDeclaration(member)) this.walk(member);
      }
      return;
    }
    this.walk(node);
  }

  private walk(node: ts.Node): void {
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      this.reference(node);
      return;
    }
    ts.forEachChild(node, (child) => this.walk(child));
  }

  private reference(node: ts.Identifier | ts.PrivateIdentifier): void {
    let symbol = this.checker.getSymbolAtLocation(node);
    if (!symbol) return;
    if (symbol.flags & ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    for (const declaration of symbol.declarations ?? []) {
      const file = declaration.getSourceFile().fileName;
      const sdk = /\/node_modules\/(@aws-sdk\/[^/]+)\//.exec(file);
      if (sdk) {
        this.sdkReference(sdk[1]!, symbol.name, declaration);
        continue;
      }
      const library = /\/node_modules\/(@[^/]+\/[^/]+|[^@/][^/]*)\//.exec(file)?.[1];
      if (library && LIBRARY_CALLS[library]) {
        this.libraryReference(library, symbol.name, declaration);
        continue;
      }
      if (file.includes('/node_modules/') || declaration.getSourceFile().isDeclarationFile) continue;
      const owner = declaration.parent;
      if ((ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) && owner && ts.isInterfaceDeclaration(owner)) {
        const names = this.portUses.get(owner) ?? new Set<string>();
        names.add(symbol.name);
        this.portUses.set(owner, names);
        continue;
      }
      this.enqueue(declaration);
    }
  }

  private libraryReference(library: string, name: string, declaration: ts.Declaration): void {
    // Functions and methods may send; classes, types, constants and fields do not.
    const callable = ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration);
    if (!callable) return;
    const owner = declaration.parent;
    const key = owner && ts.isClassDeclaration(owner) && owner.name ? `${owner.name.text}.${name}` : name;
    const calls = LIBRARY_CALLS[library]!;
    if (!(key in calls)) throw new Error(`${library}: ${key} is not known to send AWS calls or not; list it in LIBRARY_CALLS in test/stack/support/sdk-calls.ts`);
    const call = calls[key];
    if (call) this.calls.set(`${call.pkg} ${call.operation}`, call);
  }

  private sdkReference(pkg: string, name: string, declaration: ts.Declaration): void {
    const add = (operation: string) => this.calls.set(`${pkg} ${operation}`, { pkg, operation });
    if (ts.isClassDeclaration(declaration) && name.endsWith('Command')) add(name.slice(0, -'Command'.length));
    else if (name.startsWith('paginate')) add(name.slice('paginate'.length));
    else if (name.startsWith('waitUntil') || name.startsWith('waitFor')) {
      const operation = WAITERS[name];
      if (!operation) throw new Error(`${pkg}.${name}: unknown waiter; add the operation it polls to WAITERS in test/stack/support/sdk-calls.ts`);
      add(operation);
    }
  }
}

/** The project interfaces a class declares it implements. */
function implementedPorts(cls: ts.ClassDeclaration, checker: ts.TypeChecker): ts.InterfaceDeclaration[] {
  const ports: ts.InterfaceDeclaration[] = [];
  for (const clause of cls.heritageClauses ?? []) {
    if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
    for (const type of clause.types) {
      let symbol = checker.getSymbolAtLocation(type.expression);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      for (const declaration of symbol?.declarations ?? []) if (ts.isInterfaceDeclaration(declaration)) ports.push(declaration);
    }
  }
  return ports;
}
