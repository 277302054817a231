import type { TrafficStats } from '../../local/traffic';
import { sanitise, sanitiseDeep } from '../../shared/text/sanitise';
import { formatPercent } from './bar';
import type { Style } from './style';
import { renderTable } from './table';

/** Versions in numeric order (`$LATEST` and unknowns last). */
function versionsOf(stats: TrafficStats): string[] {
  return Object.keys(stats.byVersion).sort((a, b) => (Number(a) || Infinity) - (Number(b) || Infinity) || a.localeCompare(b));
}

/** Percent of `part` in `whole`; 0 when `whole` is 0. (Here rather than imported: local mode's code stays out of the CLI's main bundle.) */
function percentOf(part: number, whole: number): number {
  return whole > 0 ? (100 * part) / whole : 0;
}

const oneDecimal = (percent: number): string => formatPercent(Number(percent.toFixed(1)));

/**
 * One line of live progress: `  12s  120 sent  v1 108 (0 err)  v2 12 (3 err, 25%)`. Error rates
 * are shown per version because that is what fledge's alarm judges: the new version alone.
 */
export function formatTrafficProgress(counted: TrafficStats, style: Style): string {
  // Versions and error names come from the endpoint's answers: shown with control characters escaped.
  const stats = sanitiseDeep(counted);
  const seconds = `${Math.round(stats.elapsedMs / 1000)}s`.padStart(4);
  const parts = versionsOf(stats).map((version) => {
    const { invocations, errors } = stats.byVersion[version]!;
    const rate = errors > 0 ? style.red(`${errors} err, ${oneDecimal(percentOf(errors, invocations))}`) : style.dim('0 err');
    return `v${version} ${invocations} (${rate})`;
  });
  const refused = Object.values(stats.callErrors).reduce((sum, count) => sum + count, 0);
  if (refused > 0) parts.push(style.yellow(`${refused} refused`));
  return `${seconds}  ${stats.sent} sent  ${parts.join('  ') || style.dim('waiting for answers…')}`;
}

/** The end-of-run summary: totals, then a table of versions with share and error rate, then refused calls. */
export function formatTrafficSummary(alias: string, counted: TrafficStats, style: Style): string {
  const target = sanitise(alias);
  const stats = sanitiseDeep(counted);
  const seconds = stats.elapsedMs / 1000;
  const rate = seconds > 0 ? (stats.sent / seconds).toFixed(1) : '0';
  const lines = [style.bold(`traffic to ${target}: ${stats.sent} invocations in ${seconds.toFixed(1)}s (${rate}/s), ${stats.answered} answered`)];
  const versions = versionsOf(stats);
  if (versions.length > 0) {
    const rows = [['VERSION', 'INVOCATIONS', 'SHARE', 'ERRORS', 'ERROR RATE']];
    for (const version of versions) {
      const { invocations, errors } = stats.byVersion[version]!;
      const errorRate = oneDecimal(percentOf(errors, invocations));
      rows.push([version, String(invocations), oneDecimal(percentOf(invocations, stats.answered)), String(errors), errors > 0 ? style.red(errorRate) : errorRate]);
    }
    lines.push(...renderTable(rows, '  '));
  }
  for (const [name, count] of Object.entries(stats.callErrors)) lines.push(style.yellow(`  refused by Lambda: ${count} × ${name}`));
  if (stats.skipped > 0) lines.push(style.yellow(`  ${stats.skipped} invocations not sent: too many were still waiting for an answer (the rate is more than the function keeps up with)`));
  return `${lines.join('\n')}\n`;
}
