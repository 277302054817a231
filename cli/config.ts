import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { UsageError } from './program';

/** What `fledge configure` keeps so that `deploy`, `status`, … know fledge's API and bucket without flags. */
export interface FledgeConfig {
  /** fledge's API base URL (the stack's HttpApiUrl output). */
  readonly api?: string;
  /** fledge's artifacts bucket. */
  readonly bucket?: string;
  readonly region?: string;
  /** The AWS profile to use when neither --profile nor $AWS_PROFILE says. */
  readonly profile?: string;
}

const FIELDS = ['api', 'bucket', 'region', 'profile'] as const;

/** `$FLEDGE_CONFIG`, else `$XDG_CONFIG_HOME/fledge/config.yaml`, else `~/.config/fledge/config.yaml`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env['FLEDGE_CONFIG']) return env['FLEDGE_CONFIG'];
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'fledge', 'config.yaml');
}

/**
 * Reads the configuration file; an absent file is an empty configuration. A file that is not a
 * mapping of the known fields is a usage error naming the file and the field.
 */
export async function readConfig(path: string = configPath()): Promise<FledgeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read fledge's configuration ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = parse(text) ?? {};
  } catch (error) {
    throw new UsageError(`fledge's configuration ${path} is not YAML: ${(error as Error).message}; run \`fledge configure\` to write it again`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`fledge's configuration ${path} must be a mapping of ${FIELDS.join(', ')}`);
  const config: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw new UsageError(`fledge's configuration ${path}: unknown field "${key}" (known: ${FIELDS.join(', ')})`);
    if (item === null || item === undefined) continue;
    if (typeof item !== 'string' || item.trim() === '') throw new UsageError(`fledge's configuration ${path}: ${key} must be a non-empty string`);
    config[key] = item.trim();
  }
  return config;
}

/** Writes the configuration file atomically, readable by its owner only. */
export async function writeConfig(config: FledgeConfig, path: string = configPath()): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const kept = Object.fromEntries(FIELDS.filter((field) => config[field] !== undefined).map((field) => [field, config[field]]));
  await writeFile(temporary, `# fledge's configuration, written by \`fledge configure\` (docs/cli.md)\n${stringify(kept)}`, { mode: 0o600 });
  await rename(temporary, path);
}
