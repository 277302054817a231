import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { abortFigure } from './figures/abort';
import { coldStartFigure } from './figures/cold-start';
import { concurrencyFigure } from './figures/concurrency';
import { costFigure } from './figures/cost';
import { historyFigure } from './figures/history';
import { latencyFigure } from './figures/latency';
import { metricsFigure } from './figures/metrics';
import { overheadFigure } from './figures/overhead';
import { reactionFigure } from './figures/reaction';
import { load, machine } from './lib/machine';
import { renderPerformance, type BenchReport } from './lib/report';
import type { Figure, FigureResult } from './lib/result';

/*
 * The bench: each figure in turn (they share two cores, so never in parallel), then
 * bench/results/latest.json and docs/performance.md. `--only a,b` runs some figures (and writes
 * neither file unless all ran, or `--merge` is given: then their entries replace their own in
 * latest.json, every other figure's kept as it was, and the doc is re-rendered), `--quick` fewer
 * repetitions for trying the harness out, `--render` only re-renders docs/performance.md from latest.json.
 */

const FIGURES: readonly Figure[] = [reactionFigure, abortFigure, overheadFigure, costFigure, coldStartFigure, historyFigure, metricsFigure, concurrencyFigure, latencyFigure];

const args = process.argv.slice(2);

// `--render`: rewrite docs/performance.md from bench/results/latest.json without measuring (after changing the wording only).
if (args.includes('--render')) {
  const saved = JSON.parse(readFileSync(new URL('../../../bench/results/latest.json', import.meta.url), 'utf8')) as BenchReport;
  writeFileSync(new URL('../../../docs/performance.md', import.meta.url), renderPerformance(saved));
  console.log('bench: rendered docs/performance.md from bench/results/latest.json');
  process.exit(0);
}
const onlyArg = args.find((arg) => arg.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1])?.split(',') : undefined;
const quick = args.includes('--quick');
const merge = args.includes('--merge');
const selected = FIGURES.filter((figure) => !only || only.includes(figure.id));

const startedAt = new Date();
const loadBefore = load();
const figures: FigureResult[] = [];
let failed = false;
for (const figure of selected) {
  const began = performance.now();
  const before = load();
  console.log(`bench: ${figure.title} …`);
  try {
    const result = await figure.run({ quick });
    const done: FigureResult = { id: figure.id, title: figure.title, ...result, load: { before, after: load() }, seconds: (performance.now() - began) / 1000 };
    figures.push(done);
    for (const row of done.rows) console.log(`  ${row.pass === undefined ? ' ' : row.pass ? '✓' : '✗'} ${row.measure}: ${row.value} (target ${row.target})`);
    console.log(`  (${done.seconds.toFixed(1)} s)`);
  } catch (error) {
    failed = true;
    console.error(`bench: ${figure.title} failed:`, error);
  }
}

const report: BenchReport = { startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, machine: machine(), load: { before: loadBefore, after: load() }, figures };
const outDir = new URL('../../../bench/results/', import.meta.url);
if (only && merge && !quick && !failed && figures.length > 0) {
  // The saved run stays the report; these figures replace their own entries (or join in the bench's order), marked with when they were measured.
  const saved = JSON.parse(readFileSync(new URL('latest.json', outDir), 'utf8')) as BenchReport;
  const fresh = new Map(figures.map((figure) => [figure.id, { ...figure, measuredAt: startedAt.toISOString() }]));
  const order = (id: string) => FIGURES.findIndex((figure) => figure.id === id);
  const kept = saved.figures.filter((figure) => !fresh.has(figure.id));
  const merged: BenchReport = { ...saved, figures: [...kept, ...fresh.values()].sort((a, b) => order(a.id) - order(b.id)) };
  writeFileSync(new URL('latest.json', outDir), `${JSON.stringify(merged, null, 2)}\n`);
  writeFileSync(new URL('../../../docs/performance.md', import.meta.url), renderPerformance(merged));
  console.log(`bench: merged ${[...fresh.keys()].join(', ')} into bench/results/latest.json and docs/performance.md (${report.seconds.toFixed(0)} s)`);
} else if (!only && !quick && !failed) {
  mkdirSync(outDir, { recursive: true });
  writeFileSync(new URL('latest.json', outDir), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(new URL('../../../docs/performance.md', import.meta.url), renderPerformance(report));
  console.log(`bench: wrote bench/results/latest.json and docs/performance.md (${report.seconds.toFixed(0)} s)`);
} else {
  // Beside this bundle (node_modules/.cache/fledge-bench/), so a partial run leaves the repo untouched.
  writeFileSync(new URL('./partial.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  console.log(`bench: partial run (${failed ? 'a figure failed' : 'some figures or --quick'}): results in node_modules/.cache/fledge-bench/partial.json; latest.json and docs/performance.md unchanged (${report.seconds.toFixed(0)} s)`);
}
process.exit(failed ? 1 : 0);
