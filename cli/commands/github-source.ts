import { isDeepStrictEqual } from 'node:util';
import { Option, type Command } from 'commander';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { withGithubSource } from '../../shared/domain/spec/set-source';
import type { GitHubSource } from '../../shared/model/notification';
import type { DeploymentSpec } from '../../shared/model/spec';
import { UsageError } from '../program';

/** The `--github-*` options of `fledge deploy`, as commander gives them. */
export interface GithubSourceOptions {
  githubRepository?: string;
  githubRef?: string;
  githubEnvironment?: string;
}

/** Which option sets which field of `source.github`. */
const FLAGS = { repository: '--github-repository', ref: '--github-ref', environment: '--github-environment' } as const;

/** Adds the `--github-*` options (docs/spec.md#source, docs/ci.md). */
export function withGithubSourceOptions(command: Command): Command {
  return command
    .addOption(new Option(`${FLAGS.repository} <owner/name>`, 'sets the spec\'s source.github.repository: fledge reports the deployment to that repository\'s GitHub deployments (with --github-ref)'))
    .addOption(new Option(`${FLAGS.ref} <ref>`, 'sets source.github.ref: the branch, tag or commit SHA deployed (with --github-repository)'))
    .addOption(new Option(`${FLAGS.environment} <name>`, 'sets source.github.environment: the GitHub environment (default: the alias)'));
}

/**
 * The `source.github` the options ask for, or undefined when they ask for none. Checked before the
 * spec is read: a GitHub deployment needs both the repository and the ref.
 *
 * @throws {@link UsageError} when only some of them are given.
 */
export function githubSourceOf(options: GithubSourceOptions): GitHubSource | undefined {
  const { githubRepository: repository, githubRef: ref, githubEnvironment: environment } = options;
  if (repository === undefined && ref === undefined && environment === undefined) return undefined;
  if (repository === undefined || ref === undefined) {
    const given = [repository !== undefined && FLAGS.repository, ref !== undefined && FLAGS.ref, environment !== undefined && FLAGS.environment].filter(Boolean).join(' and ');
    const missing = [repository === undefined && FLAGS.repository, ref === undefined && FLAGS.ref].filter(Boolean).join(' and ');
    throw new UsageError(`${given} ${given.includes(' and ') ? 'need' : 'needs'} ${missing} too: a GitHub deployment is of a repository's ref (docs/spec.md#source)`);
  }
  return { repository, ref, ...(environment !== undefined ? { environment } : {}) };
}

/**
 * The spec's bytes and normalised spec with `source.github` as the options say: the document edited
 * (comments kept, `withGithubSource`), read again by the same parser as any spec, so a malformed value
 * is refused as the spec's field would be — but named by its option. A spec that already says the
 * same is sent as it is; one that says something else is refused, never overridden: the spec is what
 * the user wrote, and a CI job that disagrees with it is a mistake to show, not to settle silently.
 *
 * @throws {@link UsageError} for a malformed value or a spec whose source.github differs.
 */
export function applyGithubSource(bytes: Uint8Array, specPath: string, spec: DeploymentSpec, github: GitHubSource): { bytes: Uint8Array; spec: DeploymentSpec } {
  const existing = spec.source?.github;
  if (existing !== undefined) {
    const differs = (['repository', 'ref', 'environment'] as const).filter((field) => github[field] !== undefined && github[field] !== existing[field]);
    if (differs.length === 0) return { bytes, spec };
    throw new UsageError(
      `the spec already has source.github (${describe(existing)}); ${differs.map((field) => `${FLAGS[field]} "${github[field]}"`).join(' and ')} would change it: ` +
        'fledge does not override the spec — remove source.github from it (the CI integration writes it), or leave out the --github-* options',
    );
  }
  const edited = withGithubSource(new TextDecoder().decode(bytes), github);
  const parsed = parseDeploymentSpec(edited, specPath);
  if (!parsed.ok) {
    const fieldOf = (path: string) => (Object.keys(FLAGS) as (keyof typeof FLAGS)[]).find((name) => path === `source.github.${name}`);
    const mine = parsed.problems.filter((problem) => fieldOf(problem.path) !== undefined);
    // Every malformed value by its option, its first problem (exit 2); anything else is the edited spec's own problem.
    if (mine.length === parsed.problems.length) {
      const byField = new Map<keyof typeof FLAGS, string>();
      for (const problem of mine) if (!byField.has(fieldOf(problem.path)!)) byField.set(fieldOf(problem.path)!, problem.message);
      throw new UsageError([...byField].map(([field, message]) => `${FLAGS[field]} "${github[field]}": ${message}`).join('; '));
    }
    throw new UsageError(`with source.github added, the spec is refused: ${parsed.problems.map((problem) => `${problem.path ? `${problem.path}: ` : ''}${problem.message}`).join('; ')}`);
  }
  // The edit must add the source and change nothing else of what fledge reads.
  const wanted: DeploymentSpec = { ...spec, source: { ...spec.source, github } };
  if (!isDeepStrictEqual(parsed.spec, wanted)) throw new Error(`adding source.github to ${specPath} would change more of the spec than its source: write source.github in the spec instead (docs/spec.md#source)`);
  return { bytes: new TextEncoder().encode(edited), spec: parsed.spec };
}

function describe(github: GitHubSource): string {
  return `repository ${github.repository}, ref ${github.ref}${github.environment !== undefined ? `, environment ${github.environment}` : ''}`;
}
