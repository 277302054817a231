import type { Command } from 'commander';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { sanitise } from '../../shared/text/sanitise';
import { formatProblems, formatWarnings } from '../format/problems';
import { styleFor } from '../format/style';
import { printResult } from '../output';
import { ExitCode } from '../program';
import { readSpecFile } from './spec-file';

const EXAMPLES = `
Examples:
  $ fledge validate examples/canary.yaml
  $ fledge validate deploy/orders-api.yaml --output json | jq '.problems[].path'
  $ fledge validate --first-deployment examples/new-function.yaml
  $ cat spec.yaml | fledge validate -
  $ fledge validate release.yaml --output yaml --query spec.strategy

Exit codes: 0 valid (warnings, if any, are listed as "warning: file:line:column  path  message"),
1 invalid (every problem is listed as file:line:column  path  message), 2 usage error (unknown
option, missing or unreadable file).
Spec reference: docs/spec.md`;

/** `fledge validate <spec>`: checks a deployment spec and lists every problem at once. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('Check a deployment spec (YAML or JSON) and list every problem with its place in the file.')
    .argument('<spec>', 'the deployment spec file, or - for standard input')
    .option('--first-deployment', 'the function does not exist yet: require what creating it needs (role, runtime, handler)')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, options: { firstDeployment?: boolean }) => {
      const result = parseDeploymentSpec(await readSpecFile(file), file, { functionExists: options.firstDeployment !== true });
      const output = result.ok
        ? { valid: true, source: file, spec: result.spec, ...(result.warnings ? { warnings: result.warnings } : {}) }
        : { valid: false, source: file, problems: result.problems };
      printResult(output, () => {
        const style = styleFor(process.stdout);
        if (!result.ok) return formatProblems(file, result.problems, style);
        return `${style.green(`${sanitise(file)}: valid`)} ${sanitise(`(function ${result.spec.function.name}, alias ${result.spec.alias}, ${result.spec.strategy.kind} strategy)`)}\n${formatWarnings(file, result.warnings, style)}`;
      });
      process.exitCode = result.ok ? ExitCode.ok : ExitCode.failure;
    });
}
