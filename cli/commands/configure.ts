import type { Command } from 'commander';
import { configPath, readConfig, writeConfig, type FledgeConfig } from '../config';
import { printResult } from '../output';
import { EXIT_CODES_HELP, UsageError } from '../program';

const HELP = `
Examples:
  $ fledge configure --api https://abc123.execute-api.eu-west-1.amazonaws.com --bucket my-fledge-artifacts
  $ fledge configure --profile prod --region eu-west-1
  $ fledge configure                      # shows what is configured, and where
  $ fledge configure --unset profile

Writes fledge's configuration file (0600): $FLEDGE_CONFIG, else $XDG_CONFIG_HOME/fledge/config.yaml,
else ~/.config/fledge/config.yaml. The API and bucket are the stack's HttpApiUrl and artifacts
bucket outputs. Flags and environment variables win over it: --endpoint/$FLEDGE_API_URL,
--bucket/$FLEDGE_ARTIFACTS_BUCKET, --profile/$AWS_PROFILE, --region/$AWS_REGION.
${EXIT_CODES_HELP}`;

interface ConfigureOptions {
  api?: string;
  bucket?: string;
  profile?: string;
  region?: string;
  unset?: string[];
}

const FIELDS = ['api', 'bucket', 'profile', 'region'] as const;

/** Registers `fledge configure`. */
export function registerConfigure(program: Command): void {
  program
    .command('configure')
    .description("Keep fledge's API, artifacts bucket, AWS profile and region in a config file, so deploy and the other commands need no flags")
    .option('--api <url>', "fledge's API base URL (the stack's HttpApiUrl output)")
    .option('--bucket <name>', "fledge's artifacts bucket")
    .option('--unset <field...>', `remove fields (${FIELDS.join(', ')})`)
    .addHelpText('after', HELP)
    .action(async (options: ConfigureOptions, command: Command) => {
      // --profile and --region are global options: here they are what to keep.
      const globals = command.optsWithGlobals<{ profile?: string; region?: string }>();
      const path = configPath();
      const current: Record<string, string | undefined> = { ...(await readConfig(path)) };
      const changes: Partial<Record<(typeof FIELDS)[number], string>> = {
        ...(options.api !== undefined ? { api: options.api } : {}),
        ...(options.bucket !== undefined ? { bucket: options.bucket } : {}),
        ...(globals.profile !== undefined ? { profile: globals.profile } : {}),
        ...(globals.region !== undefined ? { region: globals.region } : {}),
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
        const lines = [`${changed ? 'wrote' : 'configuration in'} ${path}${!changed && Object.keys(next).length === 0 ? ' (none yet: pass --api, --bucket, --profile, --region)' : ''}`];
        for (const field of FIELDS) if (next[field] !== undefined) lines.push(`  ${field.padEnd(8)} ${next[field]}`);
        return `${lines.join('\n')}\n`;
      });
    });
}
