import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existingFunction, guardAliases } from '../support/engine';
import { eventually } from '../support/local-aws';
import { cliEnv, startCliWorld, type CliWorld } from './cli-world';
import { approveAsPerson, settle, startApprovalCanary } from './deployments';
import { ROOT } from './run-cli';

/**
 * A real terminal, 80 columns wide: tmux runs the CLI in a pane, and the test reads the screen
 * as a person sees it (`capture-pane`), after every redraw has been applied.
 */
class Tmux {
  private readonly socket = `fledge-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  private tmux(args: readonly string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** Starts `args` of the CLI in an 80×40 pane; the pane stays open after it exits, with its exit code. */
  start(args: readonly string[], env: NodeJS.ProcessEnv): void {
    const pass = ['FLEDGE_DIR', 'AWS_REGION', 'NO_COLOR', 'PATH', 'HOME'].map((name) => `${name}=${quote(env[name] ?? '')}`).join(' ');
    const command = `env ${pass} ${[process.execPath, join(ROOT, 'dist/fledge.mjs'), ...args].map(quote).join(' ')}; echo "[exit $?]"; sleep 600`;
    this.tmux(['new-session', '-d', '-x', '80', '-y', '40', '-s', 'cli', command]);
  }

  /** The screen as shown, one string per row, trailing blanks trimmed. */
  screen(): string[] {
    return this.tmux(['capture-pane', '-p', '-t', 'cli'])
      .split('\n')
      .map((row) => row.trimEnd());
  }

  stop(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
  }
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const count = (rows: readonly string[], pattern: RegExp) => rows.filter((row) => pattern.test(row)).length;

describe('live views in a terminal 80 columns wide', () => {
  let world: CliWorld;
  const touch = guardAliases(() => world);
  const started: string[] = [];
  let tmux: Tmux | undefined;
  beforeAll(async () => {
    world = await startCliWorld();
  });
  afterEach(async () => {
    tmux?.stop();
    await settle(world, started);
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('redraws status --watch in place, long lines cut to the width, with no stale copies left on the screen', async () => {
    // Prepare: a long function name makes several lines of the block wider than 80 columns
    const name = touch('cli-tmux-watch-with-a-name-long-enough-to-wrap-at-eighty-cols');
    const id = await startApprovalCanary(world, name);
    started.push(id);
    tmux = new Tmux();

    // Act: the watch redraws while the deployment waits at 10%, then follows it to the end once approved
    tmux.start(['status', id, '--watch', '--interval', '0.1', '--local'], cliEnv(world));
    const waiting = await eventually(() => {
      const rows = tmux!.screen();
      return rows.some((row) => /AWAITING_APPROVAL/.test(row)) && rows.some((row) => row.startsWith('Approval')) ? rows : undefined;
    }, { what: 'the watch to show the approval', timeoutMs: 20_000 });
    await approveAsPerson(world, id);
    const ended = await eventually(() => {
      const rows = tmux!.screen();
      return rows.some((row) => row.startsWith('[exit ')) ? rows : undefined;
    }, { what: 'the watch to end', timeoutMs: 30_000 });

    // Assess: one block on the screen at each moment, every row within 80 columns
    for (const rows of [waiting, ended]) {
      expect(count(rows, /^Deployment\s/), rows.join('\n')).toBe(1);
      expect(count(rows, /^Traffic\s/), rows.join('\n')).toBe(1);
      expect(count(rows, /^Function\s/), rows.join('\n')).toBe(1);
      expect(Math.max(...rows.map((row) => [...row].length))).toBeLessThanOrEqual(80);
    }
    expect(waiting.find((row) => row.startsWith('Approval'))).toMatch(/^Approval\s+fledge approve .*…$/);
    expect(ended.join('\n')).toMatch(/Deployment\s+api-\S+\s+SUCCEEDED/);
    expect(ended.join('\n')).toMatch(/Traffic\s+█{20} 100%/);
    expect(ended).toContain('[exit 0]');
  });

  it('redraws traffic counts in place and leaves one summary', async () => {
    // Prepare
    const name = touch('cli-tmux-traffic-fn');
    await existingFunction(world, name);
    tmux = new Tmux();

    // Act
    tmux.start(['traffic', `${name}:live`, '--rps', '20', '--duration', '3s', '--local'], cliEnv(world));
    const ended = await eventually(() => {
      const rows = tmux!.screen();
      return rows.some((row) => row.startsWith('[exit ')) ? rows : undefined;
    }, { what: 'traffic to end', timeoutMs: 30_000 });

    // Assess: the heading once, the summary once, no progress line left behind
    expect(count(ended, /^fledge traffic: /), ended.join('\n')).toBe(1);
    expect(count(ended, /^traffic to /), ended.join('\n')).toBe(1);
    expect(count(ended, /^\s+VERSION\s+INVOCATIONS/), ended.join('\n')).toBe(1);
    expect(count(ended, /^\s*\d+s\s+\d+ sent/), ended.join('\n')).toBe(0);
    expect(ended.join('\n')).toMatch(/^\s+1\s+\d+\s+100%\s+0\s+0%$/m);
    expect(ended).toContain('[exit 0]');
  });
});
