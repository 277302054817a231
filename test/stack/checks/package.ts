import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { StackContext } from '../support/context';
import { render, resourcesOfType } from '../support/template';

/** The bundles, their runtime settings, logs and environment. */
export function packageChecks(ctx: StackContext): void {
  describe('the offline package', () => {
    it('declares one function for every handler module (exporting handler) in functions/', () => {
      // Prepare
      const handlerFiles = [...ctx.calls.keys()].sort();

      // Act
      const declared = ctx.functions.map((f) => f.sourceFile).sort();

      // Assess
      expect(declared).toEqual(handlerFiles);
    });

    it('bundles each function as a minified ESM file with its source map, for Node 22 on arm64', () => {
      for (const fn of ctx.functions) {
        // Prepare
        const bundle = ctx.stack.bundles[fn.key];

        // Act
        const code = strFromU8(bundle!.files[fn.bundleFile]!);
        const map = JSON.parse(strFromU8(bundle!.files[`${fn.bundleFile}.map`]!)) as { sources: string[] };

        // Assess
        expect(Object.keys(bundle!.files).sort(), fn.key).toEqual([fn.bundleFile, `${fn.bundleFile}.map`]);
        expect(code, fn.key).toMatch(/\/\/# sourceMappingURL=\S+\.mjs\.map\s*$/);
        expect(code, `${fn.key} is an ES module exporting handler`).toMatch(/export\s*\{[^}]*\bas handler\b/);
        // Minified: thousands of characters per line (the few short lines are licence comments).
        expect(code.length / code.split('\n').length, `${fn.key} is minified`).toBeGreaterThan(1000);
        expect(map.sources.some((s) => s.endsWith(fn.sourceFile)), fn.key).toBe(true);
        expect(fn.properties.Runtime, fn.key).toBe('nodejs22.x');
        expect(fn.properties.Architectures, fn.key).toEqual(['arm64']);
      }
    });

    it('produces bundles that load as ES modules on Node and export a handler function', async () => {
      // Prepare: unzip every bundle side by side, as Lambda does into /var/task.
      const dir = await mkdtemp(join(tmpdir(), 'fledge-bundles-'));
      try {
        for (const fn of ctx.functions) {
          for (const [path, bytes] of Object.entries(ctx.stack.bundles[fn.key]!.files)) {
            await mkdir(dirname(join(dir, fn.key, path)), { recursive: true });
            await writeFile(join(dir, fn.key, path), bytes);
          }
        }
        const entries = ctx.functions.map((fn) => [fn.key, pathToFileURL(join(dir, fn.key, fn.bundleFile)).href]);
        const probe = `const out = {}; for (const [key, url] of ${JSON.stringify(entries)}) { const m = await import(url); out[key] = typeof m.handler; } console.log(JSON.stringify(out));`;

        // Act: a clean environment (no AWS settings): loading must neither need them nor call AWS.
        const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], { env: { PATH: process.env.PATH ?? '' } });

        // Assess
        expect(JSON.parse(stdout)).toEqual(Object.fromEntries(ctx.functions.map((fn) => [fn.key, 'function'])));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('bundles the AWS SDK clients it calls rather than relying on the runtime copy', () => {
      for (const fn of ctx.functions) {
        // Prepare
        const map = JSON.parse(strFromU8(ctx.stack.bundles[fn.key]!.files[`${fn.bundleFile}.map`]!)) as { sources: string[] };
        const packages = new Set((ctx.calls.get(fn.sourceFile) ?? []).map((c) => c.pkg));

        // Act: sources are relative to the build folder, so match the package path inside them.
        const bundled = (pkg: string) => map.sources.some((s) => s.includes(`/${pkg}/`));

        // Assess
        for (const pkg of packages) expect(bundled(pkg), `${fn.key} bundles ${pkg}`).toBe(true);
      }
    });

    it('gives every function a log group with a retention period', () => {
      for (const fn of ctx.functions) {
        // Act
        const group = ctx.resource(`${fn.logicalId.replace(/LambdaFunction$/, '')}LogGroup`);

        // Assess
        expect(group.Properties?.RetentionInDays, fn.key).toBe(30);
      }
      for (const [id, group] of resourcesOfType(ctx.template, 'AWS::Logs::LogGroup')) expect(group.Properties?.RetentionInDays, id).toBeGreaterThan(0);
    });

    it('points the approval pages at the generated signing key and the Slack notifier at its webhook parameter and its API', () => {
      // Act
      const variables = (key: string) => (ctx.functions.find((f) => f.key === key)!.properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const secretName = ctx.resource('ApprovalSigningSecret').Properties!.Name;

      // Assess
      expect(variables('approvals').FLEDGE_APPROVAL_SECRET_PARAMETER).toBe(`/aws/reference/secretsmanager/${String(secretName)}`);
      expect(variables('slackNotifier').FLEDGE_SLACK_WEBHOOK_PARAMETER).toEqual({ Ref: 'SlackWebhookParameter' });
      expect(variables('slackNotifier').FLEDGE_API_URL).toEqual({ 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] });
      expect(ctx.template.Parameters?.SlackWebhookParameter?.Default).toBe('/fledge/dev/slack-webhook-url');
    });

    it('passes every stack parameter from a Serverless param, with the safe defaults', () => {
      // Act
      const passed = Object.fromEntries(ctx.stack.stackParameters.map((p) => [p.ParameterKey, p.ParameterValue]));

      // Assess
      expect(Object.keys(passed).sort()).toEqual(Object.keys(ctx.template.Parameters ?? {}).sort());
      for (const [name, parameter] of Object.entries(ctx.template.Parameters ?? {})) expect(passed[name], name).toBe(parameter.Default);
    });

    it('configures every function with the table and topics that shared/config reads', () => {
      for (const fn of ctx.functions) {
        // Act
        const variables = ctx.environmentOf(fn);

        // Assess
        expect(render(variables.FLEDGE_TABLE_NAME), fn.key).toBe('{DeploymentsTable}');
        expect(render(variables.FLEDGE_NOTIFICATION_TOPIC_ARN), fn.key).toBe('{NotificationTopic}');
        expect(render(variables.FLEDGE_APPROVAL_TOPIC_ARN), fn.key).toBe('{ApprovalTopic}');
      }
    });
  });
}
