import type { SpecProblem } from '../../shared/domain/spec';
import { sanitise, sanitiseDeep } from '../../shared/domain/text/sanitise';
import type { Style } from './style';

/**
 * One line per problem, in the `file:line:col` form editors and CI annotators recognise:
 * `spec.yaml:12:9  strategy.canary.steps[2].setWeigth  unknown key "setWeigth" (did you mean "setWeight"?)`.
 * Problems quote the spec (keys, values), so their text is shown with control characters escaped.
 */
export function formatProblems(file: string, found: readonly SpecProblem[], style: Style): string {
  const source = sanitise(file);
  const problems = sanitiseDeep(found);
  const lines = problems.map((problem) => {
    const where = style.bold(`${source}:${problem.line}:${problem.column}`);
    const path = style.cyan(problem.path === '' ? '(spec)' : problem.path);
    const hint = problem.suggestion === undefined ? '' : ` ${style.yellow(`(did you mean "${problem.suggestion}"?)`)}`;
    return `${where}  ${path}  ${problem.message}${hint}`;
  });
  const count = problems.length;
  lines.push(style.red(`${source}: ${count} problem${count === 1 ? '' : 's'}; the spec is not valid`));
  return `${lines.join('\n')}\n`;
}
