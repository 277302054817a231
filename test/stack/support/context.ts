import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { packageStack, ROOT, type PackagedStack, type Template } from './package-stack';
import { SdkCallAnalysis, type SdkCall } from './sdk-calls';
import { functionsOf, type TemplateFunction } from './template';

/**
 * What every stack check reads: ONE offline `serverless package` (5–20 s) and the SDK calls
 * each handler in functions/ can make. {@link stackContext} fills it in a `beforeAll`.
 */
export class StackContext {
  private packaged?: PackagedStack;
  private declared?: TemplateFunction[];
  /** SDK calls by handler module (`functions/prepare.ts`); only modules that export `handler`. */
  readonly calls = new Map<string, SdkCall[]>();

  get stack(): PackagedStack {
    if (!this.packaged) throw new Error('the stack is packaged in beforeAll');
    return this.packaged;
  }

  get template(): Template {
    return this.stack.template;
  }

  /** The template's Lambda functions. */
  get functions(): TemplateFunction[] {
    this.declared ??= functionsOf(this.template);
    return this.declared;
  }

  /** A resource by logical id; a missing one fails the test that asked. */
  resource(logicalId: string): NonNullable<Template['Resources'][string]> {
    const r = this.template.Resources[logicalId];
    if (!r) throw new Error(`the template has no ${logicalId}`);
    return r;
  }

  /** A function's environment variables. */
  environmentOf(fn: TemplateFunction): Record<string, unknown> {
    return (fn.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  }

  /** Packages the stack while the type checker walks the handlers (the packager is a child process). */
  async load(): Promise<void> {
    const packaging = packageStack();
    const modules = readdirSync(join(ROOT, 'functions'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(ROOT, 'functions', f));
    const analysis = new SdkCallAnalysis(modules, join(ROOT, 'tsconfig.json'));
    for (const file of modules.filter((m) => analysis.exportsHandler(m))) this.calls.set(file.slice(ROOT.length + 1), analysis.callsOf(file));
    this.packaged = await packaging;
  }
}

/** A {@link StackContext} loaded once before the suite's tests. */
export function stackContext(): StackContext {
  const ctx = new StackContext();
  beforeAll(() => ctx.load(), 120_000);
  return ctx;
}
