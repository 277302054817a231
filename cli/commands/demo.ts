import { InvalidArgumentError, Option, type Command } from 'commander';
import { sanitise } from '../../shared/text/sanitise';
import { styleFor } from '../format/style';
import { ExitCode } from '../program';
import { loadEmbeddedAws } from '../embedded-aws-loader';

const EXAMPLES = `
Examples:
  $ npm run demo                      # the same as: fledge demo
  $ fledge demo --time-scale 0.005    # twice as fast

Everything runs in this process on an embedded AWS (no account, no network): fledge deploys
examples/demo/ v1 (first deployment), sends traffic, deploys v2 as a canary that waits for an
approval (the demo opens the e-mailed link and presses Approve on the page), then v3, which fails a
third of its requests, so its alarm fires and fledge rolls back to v2.
Exit codes: 0 every outcome was the expected one, 1 something differed (it says what).`;

const parseTimeScale = (text: string): number => {
  const scale = Number(text);
  if (!(scale >= 0.001 && scale <= 1)) throw new InvalidArgumentError('must be between 0.001 and 1 (0.01: one simulated second lasts 10 ms)');
  return scale;
};

const parseRps = (text: string): number => {
  const rps = Number(text);
  if (!(rps >= 10 && rps <= 500)) throw new InvalidArgumentError('must be between 10 and 500');
  return rps;
};

/** `fledge demo`: the whole job end to end, checked. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Watch fledge do its job in about ten seconds, with no AWS account: a first deployment, an approved canary, and a broken canary rolled back.')
    .addOption(new Option('--time-scale <scale>', 'real seconds per simulated second').argParser(parseTimeScale).default(0.01))
    .addOption(new Option('--rps <n>', 'invocations per second of the demo traffic').argParser(parseRps).default(80))
    .addHelpText('after', EXAMPLES)
    .action(async (options: { timeScale: number; rps: number }) => {
      const { runDemo } = await loadEmbeddedAws('fledge demo', () => import('../demo/run'));
      // fledge's task functions log JSON lines for CloudWatch; in the demo they would drown the story.
      process.env['FLEDGE_LOG'] ??= 'off';
      const style = styleFor(process.stdout);
      const result = await runDemo({ timeScale: options.timeScale, rps: options.rps, style, write: (text) => process.stdout.write(text) });
      const seconds = (result.wallMs / 1000).toFixed(1);
      if (result.ok) {
        process.stdout.write(`\n${style.green(style.bold(`fledge demo: every outcome was the expected one (${seconds} s)`))}\n`);
        process.exitCode = ExitCode.ok;
        return;
      }
      process.stdout.write(`\n${style.red(style.bold(`fledge demo: FAILED after ${seconds} s: these outcomes differed from what was expected:`))}\n`);
      for (const outcome of result.outcomes.filter((candidate) => !candidate.ok)) process.stdout.write(`  ${sanitise(`${outcome.what}: expected ${outcome.expected}, got ${outcome.actual}`)}\n`);
      process.exitCode = ExitCode.failure;
    });
}
