import type { Command } from 'commander';
import { configPath, readConfig, writeConfig, type FledgeConfig } from '../config';
import { printResult } from '../output';
import { EXIT_CODES_HELP, UsageError } from '../program';
import { awsRegion } from '../api-client';
import { fledgeStackOutputs } from '../stack-outputs';

const HELP = `
Examples:
  $ fledge configure --stack fledge-prod --region eu-west-1   # the API and bucket from the stack's outputs
  $ fledge configure --api https://abc123.execute-api.eu-west-1.amazonaws.com --bucket my-fledge-artifacts
  $ fledge configure --profile prod --region eu-west-1
  $ fledge configure                      # shows what is configured, and where
  $ fledge configure --unset profile

Writes fledge's configuration file (0600): $FLEDGE_CONFIG, else $XDG_CONFIG_HOME/fledge/config.yaml,
else ~/.config/fledge/config.yaml. The API and bucket are the stack's HttpApiUrl and
ArtifactsBucketName outputs: --stack reads them (CloudFormation DescribeStacks, with the AWS
credentials and region as every command finds them) and keeps the region with them. Flags and
environment variables win over the file: --endpoint/$FLEDGE_API_URL,
--bucket/$FLEDGE_ARTIFACTS_BUCKET, --profile/$AWS_PROFILE, --region/$AWS_REGION.
${EXIT_CODES_HELP}`;

interface ConfigureOptions {
  stack?: string;
  awsEndpoint?: string;
  api?: string;
  bucket?: string;
  profile?: string;
  region?: string;
  unset?: string[];
}

const FIELDS = ['api', 'bucket', 'profile', 'region'] as const;

/** `--stack`: the stack's API and bucket outputs, and the region they were read in. */
async function fromStack(options: ConfigureOptions, given: string | undefined, configured: string | undefined): Promise<{ api: string; bucket: string; region: string }> {
  if (options.api !== undefined || options.bucket !== undefined) throw new UsageError('--stack reads the API and the bucket from the stack: leave out --api and --bucket');
  const stackName = options.stack!;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) throw new UsageError(`--stack must be a CloudFormation stack name (letters, digits, "-"; e.g. fledge-prod), got "${stackName}"`);
  const region = await awsRegion(given, configured);
  if (!region) throw new UsageError('--stack needs the region the stack is in: pass --region, set AWS_REGION, or give the profile a region (aws configure)');
  const outputs = await fledgeStackOutputs({ stackName, region, ...(options.awsEndpoint === undefined ? {} : { awsEndpoint: options.awsEndpoint }) });
  return { ...outputs, region };
}

/** Registers `fledge configure`. */
export function registerConfigure(program: Command): void {
  program
    .command('configure')
    .description("Keep fledge's API, artifacts bucket, AWS profile and region in a config file, so deploy and the other commands need no flags")
    .option('--stack <name>', "read the API and bucket from fledge's stack (fledge stack deploy names it fledge-<stage>)")
    .option('--aws-endpoint <url>', 'with --stack: read CloudFormation at this endpoint (e.g. an embedded AWS)')
    .option('--api <url>', "fledge's API base URL (the stack's HttpApiUrl output)")
    .option('--bucket <name>', "fledge's artifacts bucket")
    .option('--unset <field...>', `remove fields (${FIELDS.join(', ')})`)
    .addHelpText('after', HELP)
    .action(async (options: ConfigureOptions, command: Command) => {
      // --profile and --region are global options: here they are what to keep.
      const globals = command.optsWithGlobals<{ profile?: string; region?: string }>();
      const path = configPath();
      const current: Record<string, string | undefined> = { ...(await readConfig(path)) };
      if (options.awsEndpoint !== undefined && options.stack === undefined) throw new UsageError('--aws-endpoint goes with --stack: it is where the stack is read');
      const changes: Partial<Record<(typeof FIELDS)[number], string>> = {
        ...(options.api !== undefined ? { api: options.api } : {}),
        ...(options.bucket !== undefined ? { bucket: options.bucket } : {}),
        ...(globals.profile !== undefined ? { profile: globals.profile } : {}),
        ...(globals.region !== undefined ? { region: globals.region } : {}),
        ...(options.stack !== undefined ? await fromStack(options, globals.region, current['region']) : {}),
      };
      if (changes.api !== undefined) {
        try {
          if (!/^https?:$/.test(new URL(changes.api).protocol)) throw new Error('not http(s)');
        } catch {
          throw new UsageError(`--api must be an http(s) URL such as https://abc123.execute-api.eu-west-1.amazonaws.com, got "${changes.api}"`);
        }
      }
      for (const field of options.unset ?? []) {
        if (!(FIELDS as readonly string[]).includes(field)) throw new UsageError(`--unset ${field}: not a field of fledge's configuration (${FIELDS.join(', ')})`);
        delete current[field];
      }
      const next = { ...current, ...changes } as FledgeConfig;
      const changed = Object.keys(changes).length > 0 || (options.unset?.length ?? 0) > 0;
      if (changed) await writeConfig(next, path);
      printResult({ path, ...next }, () => {
        const lines = [`${changed ? 'wrote' : 'configuration in'} ${path}${!changed && Object.keys(next).length === 0 ? ' (none yet: pass --stack, or --api and --bucket; --profile, --region)' : ''}`];
        for (const field of FIELDS) if (next[field] !== undefined) lines.push(`  ${field.padEnd(8)} ${next[field]}`);
        return `${lines.join('\n')}\n`;
      });
    });
}
