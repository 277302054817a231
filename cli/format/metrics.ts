import type { MetricsView } from '../../shared/interfaces/http/api/metrics-view';
import { sanitiseDeep } from '../../shared/text/sanitise';
import { formatDuration } from './deployment';
import type { Style } from './style';
import { renderTable } from './table';

export type { MetricsView };

type Summary = MetricsView['overall'];

const percent = (rate: number | null): string => (rate === null ? '–' : `${Math.round(rate * 1000) / 10}%`);
const duration = (ms: number | null): string => (ms === null ? '–' : formatDuration(ms));
const spread = (d: Summary['leadTime']): string => (d.samples === 0 ? '–' : `${duration(d.medianMs)} (p90 ${duration(d.p90Ms)}, n=${d.samples})`);

function row(label: string, s: Summary): string[] {
  return [label, String(s.deployments), String(s.deploymentsPerWeek), percent(s.changeFailureRate), spread(s.leadTime), spread(s.timeToRestore)];
}

/** The tables `fledge metrics` prints: overall, per function, per ISO week. Function names are sanitised like every API text. */
export function formatMetrics(view: MetricsView, style: Style): string[] {
  const m = sanitiseDeep(view);
  const head = ['', 'DEPLOYMENTS', 'PER WEEK', 'CHANGE FAILURE', 'LEAD TIME (MEDIAN)', 'TIME TO RESTORE (MEDIAN)'].map((h) => style.bold(h));
  return [
    `delivery metrics ${m.from.replace(/\.\d+Z$/, 'Z')} → ${m.to.replace(/\.\d+Z$/, 'Z')}${m.function ? ` for ${m.function}` : ''}`,
    '',
    ...renderTable([head, row('overall', m.overall), ...m.functions.map((f) => row(f.functionName, f))]),
    '',
    ...renderTable([head.map((h, i) => (i === 0 ? style.bold('WEEK') : h)), ...m.weekly.map((w) => row(w.week, w))]),
    '',
    style.dim('deployments: SUCCEEDED, or ROLLED_BACK/FAILED after the new version served traffic; change failure: ROLLED_BACK or FAILED of those (docs/api.md#get-metrics)'),
  ];
}
