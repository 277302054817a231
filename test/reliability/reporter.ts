import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { machine } from '../../bench/lib/machine';
import { matrixCases } from './support/matrix';
import { withFigures } from './report/render';
import { totalsOf, type CaseResult, type ReliabilityResults } from './report/results';
import './support/figures';

const ROOT = join(import.meta.dirname, '..', '..');
const RESULTS = join(ROOT, 'test/reliability/results/latest.json');
const DOC = join(ROOT, 'docs/reliability.md');
const PARTIAL = join(ROOT, 'node_modules/.cache/fledge-reliability/partial.json');

/**
 * Collects every case's figures (the tests' meta) into test/reliability/results/latest.json and
 * the figures section of docs/reliability.md — only after a complete run (every file of the
 * suite, every matrix case, nothing skipped), as `npm run bench` does for docs/performance.md.
 * A partial run (one file, `-t`) writes node_modules/.cache/fledge-reliability/partial.json.
 */
export default class ReliabilityReporter implements Reporter {
  private readonly startedAt = new Date();
  private workers = 0;

  onInit(vitest: Vitest): void {
    this.workers = vitest.config.maxWorkers;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const cases: CaseResult[] = [];
    const checks: { name: string; passed: boolean }[] = [];
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state !== 'passed' && state !== 'failed') {
          skipped += 1;
          continue;
        }
        const figures = test.meta().reliability;
        if (figures) cases.push({ ...figures, passed: state === 'passed' });
        else checks.push({ name: test.name, passed: state === 'passed' });
      }
    }
    const files = readdirSync(join(ROOT, 'test/reliability')).filter((f) => f.endsWith('.test.ts'));
    const ran = new Set(testModules.map((m) => m.moduleId.split('/').at(-1)));
    const matrixRan = cases.filter((c) => c.suite === 'matrix').length;
    const complete = skipped === 0 && files.every((f) => ran.has(f)) && matrixRan === matrixCases().length;
    const results: ReliabilityResults = {
      startedAt: this.startedAt.toISOString(),
      seconds: (Date.now() - this.startedAt.getTime()) / 1000,
      workers: this.workers,
      machine: machine(),
      commit: commitOf(),
      matrix: totalsOf(cases.filter((c) => c.suite === 'matrix')),
      crash: totalsOf(cases.filter((c) => c.suite === 'crash')),
      checks,
      cases,
    };
    const json = `${JSON.stringify(results, null, 2)}\n`;
    const m = results.matrix;
    const summary = `reliability: ${m.cases} matrix cases (${m.failed} failed), ${results.crash.cases} crash cases (${results.crash.failed} failed); faults injected ${m.faultsInjected}; aliases left split ${m.aliasesSplit + results.crash.aliasesSplit}; deployments lost ${m.deploymentsLost + results.crash.deploymentsLost}; outcome changes ${m.outcomeChanges}`;
    if (complete) {
      mkdirSync(join(ROOT, 'test/reliability/results'), { recursive: true });
      writeFileSync(RESULTS, json);
      writeFileSync(DOC, withFigures(readFileSync(DOC, 'utf8'), results));
      process.stdout.write(`\n${summary}\nreliability: wrote test/reliability/results/latest.json and the figures of docs/reliability.md\n`);
    } else {
      mkdirSync(join(PARTIAL, '..'), { recursive: true });
      writeFileSync(PARTIAL, json);
      process.stdout.write(`\n${summary}\nreliability: partial run (${matrixRan} of ${matrixCases().length} matrix cases, ${skipped} skipped): figures in node_modules/.cache/fledge-reliability/partial.json; latest.json and docs/reliability.md unchanged\n`);
    }
  }
}

function commitOf(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
