import type { SpecProblem } from '../../shared/model/spec';
import { sanitise, sanitiseDeep } from '../../shared/text/sanitise';
import type { Style } from './style';

/**
 * One line per problem, in the `file:line:col` form editors and CI annotators recognise:
 * `spec.yaml:12:9  strategy.canary.steps[2].setWeigth  unknown key "setWeigth" (did you mean "setWeight"?)`.
 * Problems quote the spec (keys, values), so their text is shown with control characters escaped.
 */
export function formatProblems(file: string, found: readonly SpecProblem[], style: Style): string {
  const source = sanitise(file);
  const problems = sanitiseDeep(found);
  const lines = problems.map((problem) => problemLine(source, problem, style));
  const count = problems.length;
  lines.push(style.red(`${source}: ${count} problem${count === 1 ? '' : 's'}; the spec is not valid`));
  return `${lines.join('\n')}\n`;
}

/**
 * The warnings of a valid spec, in the same `file:line:col  path  message` form, each marked
 * `warning:`; empty when there are none.
 */
export function formatWarnings(file: string, found: readonly SpecProblem[] | undefined, style: Style): string {
  if (found === undefined || found.length === 0) return '';
  const source = sanitise(file);
  const warnings = sanitiseDeep(found);
  return `${warnings.map((warning) => `${style.yellow('warning:')} ${problemLine(source, warning, style)}`).join('\n')}\n`;
}

function problemLine(source: string, problem: SpecProblem, style: Style): string {
  const where = style.bold(`${source}:${problem.line}:${problem.column}`);
  const path = style.cyan(problem.path === '' ? '(spec)' : problem.path);
  const hint = problem.suggestion === undefined ? '' : ` ${style.yellow(`(did you mean "${problem.suggestion}"?)`)}`;
  return `${where}  ${path}  ${problem.message}${hint}`;
}
