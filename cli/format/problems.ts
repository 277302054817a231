import type { SpecProblem } from '../../shared/domain/spec';
import type { Style } from './style';

/**
 * One line per problem, in the `file:line:col` form editors and CI annotators recognise:
 * `spec.yaml:12:9  strategy.canary.steps[2].setWeigth  unknown key "setWeigth" (did you mean "setWeight"?)`.
 */
export function formatProblems(source: string, problems: readonly SpecProblem[], style: Style): string {
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
