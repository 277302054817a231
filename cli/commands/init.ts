import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { formatProblems } from '../format/problems';
import { styleFor } from '../format/style';
import { ExitCode, UsageError } from '../program';
import { packageRoot } from '../stack/service';

const HELP = `
Examples:
  $ fledge init                                                  # asks, then writes fledge.yaml
  $ fledge init deploy/orders.yaml --yes --function orders-api --zip build/orders.zip --preset Linear10PercentEvery1Minute
  $ fledge init --yes --function orders-api --from-latest --alarm orders-api-errors   # adopt what SAM/CDK/Terraform publish

Writes a starter spec for an existing function: the function and alias, the artifact (a zip next
to the spec, a published version, or the highest published version), a preset strategy and the
health rules. Without --yes it asks for each, the flags' values as defaults. It never overwrites
a file unless --force. The spec is validated before it is written; edit it further with
docs/spec.md (editors complete it from its $schema line). Exit codes: 0 written, 1 the answers
make an invalid spec, 2 usage error (the file exists, a bad flag).`;

interface InitOptions {
  yes?: boolean;
  force?: boolean;
  function?: string;
  alias: string;
  zip?: string;
  publishedVersion?: string;
  fromLatest?: boolean;
  preset: string;
  alarm: string[];
  errorRate?: string;
}

/** The answers a starter spec is written from. */
interface Answers {
  functionName: string;
  alias: string;
  artifact: { zip: string } | { version: string } | { fromLatest: true };
  preset: string;
  alarms: string[];
  errorRate?: string;
}

/** Registers `fledge init`. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Write a starter deployment spec for an existing function (asks, or --yes with flags)')
    .argument('[file]', 'where to write it', 'fledge.yaml')
    .option('-y, --yes', 'ask nothing: take the flags (and defaults)')
    .option('--force', 'overwrite the file if it exists')
    .option('--function <name>', 'the Lambda function (name or ARN)')
    .option('--alias <name>', 'the alias whose traffic moves', 'live')
    .option('--zip <path>', "the function's zip, relative to the spec (default build/<function>.zip)")
    .option('--published-version <n>', 'adopt this version, already published by SAM/CDK/Terraform/Serverless')
    .option('--from-latest', 'adopt the highest published version when the deployment starts')
    .option('--preset <name>', 'the strategy preset (docs/spec.md#presets)', 'Canary10Percent5Minutes')
    .option('--alarm <name>', 'a CloudWatch alarm that rolls back (repeatable)', (value: string, all: string[]) => [...all, value], [])
    .option('--error-rate <percent>', "roll back above this error rate of the new version (e.g. 5); 'none' for no error-rate rule", '5')
    .addHelpText('after', HELP)
    .action(async (file: string, options: InitOptions) => {
      const path = resolve(file);
      if (existsSync(path) && !options.force) throw new UsageError(`${file} exists: pass --force to overwrite it`);
      if ([options.zip !== undefined, options.publishedVersion !== undefined, options.fromLatest === true].filter(Boolean).length > 1) {
        throw new UsageError('give at most one of --zip, --published-version and --from-latest');
      }
      const answers = options.yes ? fromFlags(options) : await ask(options);
      const text = starterSpec(answers, schemaReference(path));
      const parsed = parseDeploymentSpec(text, file);
      if (!parsed.ok) {
        process.stderr.write(formatProblems(file, parsed.problems, styleFor(process.stderr)));
        process.stderr.write(`fledge: ${file} was not written\n`);
        process.exitCode = ExitCode.failure;
        return;
      }
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text, { flag: options.force ? 'w' : 'wx' });
      process.stdout.write(`wrote ${file} (function ${parsed.spec.function.name}, alias ${parsed.spec.alias}): check it with \`fledge plan ${file}\`, deploy it with \`fledge deploy ${file}\`\n`);
    });
}

function fromFlags(options: InitOptions): Answers {
  if (options.function === undefined) throw new UsageError('--yes needs --function <name>');
  return {
    functionName: options.function,
    alias: options.alias,
    artifact: artifactOf(options, options.function),
    preset: options.preset,
    alarms: options.alarm,
    ...(options.errorRate !== undefined && options.errorRate !== 'none' && { errorRate: options.errorRate }),
  };
}

function artifactOf(options: Pick<InitOptions, 'zip' | 'publishedVersion' | 'fromLatest'>, functionName: string): Answers['artifact'] {
  if (options.publishedVersion !== undefined) return { version: options.publishedVersion };
  if (options.fromLatest) return { fromLatest: true };
  return { zip: options.zip ?? `build/${functionName.replace(/^.*:function:/, '')}.zip` };
}

/** Asks for each answer on standard error, reading standard input; an empty answer takes the default in brackets. */
async function ask(options: InitOptions): Promise<Answers> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  const lines = prompt[Symbol.asyncIterator]();
  const question = async (text: string, fallback = ''): Promise<string> => {
    process.stderr.write(`${text}${fallback ? ` [${fallback}]` : ''}: `);
    const next = await lines.next();
    if (next.done) throw new UsageError(`no answer to "${text}" (standard input ended): answer each question, or use --yes with flags`);
    return next.value.trim() || fallback;
  };
  try {
    const functionName = await question('Lambda function (name or ARN)', options.function);
    if (functionName === '') throw new UsageError('a function is required');
    const alias = await question('Alias whose traffic fledge moves', options.alias);
    const current = options.publishedVersion !== undefined ? 'version' : options.fromLatest ? 'latest' : 'zip';
    const kind = await question('New version from: zip (fledge publishes it), version (already published), latest (highest published)', current);
    let artifact: Answers['artifact'];
    if (kind === 'zip') artifact = { zip: await question('Zip, relative to the spec', options.zip ?? `build/${functionName.replace(/^.*:function:/, '')}.zip`) };
    else if (kind === 'version') artifact = { version: await question('Published version', options.publishedVersion) };
    else if (kind === 'latest') artifact = { fromLatest: true };
    else throw new UsageError(`answer zip, version or latest, not "${kind}"`);
    const preset = await question('Strategy preset', options.preset);
    const alarms = (await question('CloudWatch alarms that roll back (comma-separated, empty for none)', options.alarm.join(',')))
      .split(',')
      .map((alarm) => alarm.trim())
      .filter(Boolean);
    const errorRate = await question('Roll back above this error rate of the new version, in percent (none for no rule)', options.errorRate ?? '5');
    return { functionName, alias, artifact, preset, alarms, ...(errorRate !== 'none' && { errorRate }) };
  } finally {
    prompt.close();
  }
}

/** The `$schema` reference: the shipped schema relative to the spec, so editors find it offline. */
function schemaReference(specPath: string): string {
  const schema = join(packageRoot(), 'schema', 'fledge-spec.schema.json');
  return existsSync(schema) ? relative(dirname(specPath), schema) : 'https://unpkg.com/fledge-deploy/schema/fledge-spec.schema.json';
}

/** The starter spec's text: every value quoted as JSON (valid YAML), so no answer can change its structure. */
function starterSpec(answers: Answers, schema: string): string {
  const q = (value: string): string => JSON.stringify(value);
  const artifact = 'zip' in answers.artifact ? `  zip: ${q(answers.artifact.zip)}` : 'version' in answers.artifact ? `  version: ${/^\d+$/.test(answers.artifact.version) ? answers.artifact.version : q(answers.artifact.version)}` : '  fromLatest: true';
  const health = [
    ...(answers.alarms.length > 0 ? [`  alarms: [${answers.alarms.map(q).join(', ')}]`] : []),
    ...(answers.errorRate !== undefined ? [`  errorRate: { threshold: ${/^\d+(\.\d+)?$/.test(answers.errorRate) ? answers.errorRate : q(answers.errorRate)} }`] : []),
  ];
  return [
    `# yaml-language-server: $schema=${schema}`,
    '# Written by `fledge init`. Every field: docs/spec.md; check it with `fledge validate` and `fledge plan`.',
    'version: 1',
    `function: ${q(answers.functionName)}`,
    `alias: ${q(answers.alias)}`,
    'artifact:',
    artifact,
    'strategy:',
    `  preset: ${q(answers.preset)}`,
    ...(health.length > 0 ? ['health:', ...health] : []),
    '',
  ].join('\n');
}
