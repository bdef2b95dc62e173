// `fallow rehearse` in a real terminal: tmux (Debian `tmux`) runs the CLI in a 120×40
// pane, and the test reads the pane as a person would — while it runs (a step being
// waited on, with what it waits for) and when it is over (phase headings, a ✓ or a
// "skipped" line per step, the order checks, the verification line, the report's path),
// and that the in-place redraws leave nothing behind (no stale progress rows, no raw
// escape sequences). The tmux server is private to the test (its own socket).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartRunbook, shutdownRunbook } from '../../../src/runbook/index.js';
import { repoRoot } from '../../helpers/cli.js';

const cols = 120;
const rows = 40;
const wallLimitMs = 280_000;

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const tmuxFound = hasTmux();
if (!tmuxFound) console.warn('test/peers/tmux: skipped: no tmux on PATH (Debian package tmux; scripts/install-test-deps.sh installs it)');

class Tmux {
  readonly dir = mkdtempSync(join(tmpdir(), 'fallow-tmux-'));
  private readonly socket = join(this.dir, 'tmux.sock');

  run(args: string[]): Promise<string> {
    // A clean environment: the pane sees a terminal, not the test runner's CI/NO_COLOR.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir, TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    return new Promise((resolve, reject) =>
      execFile('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { env, encoding: 'utf8' }, (err, stdout, stderr) =>
        err ? reject(new Error(`tmux ${args[0]}: ${stderr || err.message}`)) : resolve(stdout),
      ),
    );
  }

  /** What the pane shows now (visible rows only). */
  screen(): Promise<string> {
    return this.run(['capture-pane', '-p', '-t', 'fallow']);
  }

  /** The whole pane, history included; `join` puts rows the terminal wrapped back together. */
  history(join: boolean): Promise<string> {
    return this.run(['capture-pane', '-p', ...(join ? ['-J'] : []), '-S', '-', '-E', '-', '-t', 'fallow']);
  }

  async close(): Promise<void> {
    await this.run(['kill-server']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const steps = [...shutdownRunbook.steps, ...restartRunbook.steps];
const phases = [...new Set(steps.map((s) => s.phase))];
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lines = (s: string) => s.split('\n').map((l) => l.trimEnd());

describe.skipIf(!tmuxFound)('fallow rehearse in a 120×40 terminal', () => {
  let tmux: Tmux;
  let outDir: string;
  /** Screens seen while it ran, deduplicated. */
  const screens: string[] = [];
  let final = '';
  let finalRows = '';

  beforeAll(async () => {
    tmux = new Tmux();
    outDir = join(tmux.dir, 'rehearsal');
    const cmd = `node --import tsx src/cli/main.ts rehearse --dir ${outDir}; echo "[fallow exited $?]"; sleep 3600`;
    await tmux.run(['new-session', '-d', '-s', 'fallow', '-x', String(cols), '-y', String(rows), '-c', repoRoot, cmd]);
    await tmux.run(['set-option', '-t', 'fallow', 'history-limit', '20000']);
    const end = Date.now() + wallLimitMs;
    for (;;) {
      const s = await tmux.screen();
      if (screens.at(-1) !== s) screens.push(s);
      if (/^\[fallow exited \d+\]$/m.test(s)) break;
      if (Date.now() > end) throw new Error(`fallow rehearse did not end within ${wallLimitMs / 1000} s; the screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    final = await tmux.history(true);
    finalRows = await tmux.history(false);
  }, wallLimitMs + 20_000);

  afterAll(async () => tmux?.close());

  it('ends with exit 0 after the rehearsal banner', () => {
    expect(final).toMatch(/^Rehearsal on the twin "default": 4 nodes, \d+ VMs, modelled time ×200$/m);
    expect(final).toMatch(/^\[fallow exited 0\]$/m);
  });

  it('showed, while running, a step and what it was waiting for', () => {
    const waited = screens.some((s) => {
      const ls = lines(s).filter(Boolean);
      return ls.some((l, i) => /^ {2}\[\d+\/\d+\] \S/.test(l) && /^ {4}waiting for \S.*\(\d+[smh]/.test(ls[i + 1] ?? ''));
    });
    expect(waited, `no screen showed "[n/N] step" over "waiting for …"; last screens:\n${screens.slice(-3).join('\n-----\n')}`).toBe(true);
  });

  it('prints every phase heading and a ✓ or a skip for every step, and no ✗', () => {
    for (const p of phases) expect(final).toMatch(new RegExp(`^${escapeRe(p)}$`, 'm'));
    for (const s of steps) expect(final).toMatch(new RegExp(`^ {2}(✓ ${escapeRe(s.title)}( — .+)? \\d+[smh]|– ${escapeRe(s.title)}: skipped, .+)`, 'm'));
    expect(final).not.toMatch(/^ {2}✗ /m);
    expect(final).toMatch(/^done in \d+m\d{2}s$/m);
  });

  it('checks the order from the twin\'s event log, every rule ✓', () => {
    const after = lines(final.slice(final.indexOf("Order checked from the twin's event log")));
    expect(after[0]).toBe("Order checked from the twin's event log");
    const rules = after.slice(1, after.indexOf(''));
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const r of rules) expect(r).toMatch(/^ {2}✓ \S.* \(.+\)$/);
  });

  it('ends with the verification line and the report files', () => {
    expect(final).toMatch(/^Verification: 0 differences$/m);
    const report = /^Report: (.+)$/m.exec(final)?.[1]?.split(', ') ?? [];
    expect(report.map((f) => f.replace(outDir, '<dir>'))).toEqual(['<dir>/report.html', '<dir>/report.md', '<dir>/report.json']);
    for (const f of report) expect(existsSync(f), f).toBe(true);
  });

  it('leaves no stale progress rows and no raw escape sequences behind', () => {
    // Every "waiting for …" row is redrawn in place and replaced by the step's ✓ line; a row
    // still there at the end is one the redraw missed (e.g. a line wider than the terminal).
    const stale = lines(finalRows).filter((l) => /^ {4}waiting for /.test(l));
    expect(stale, 'progress rows left on the screen').toEqual([]);
    for (const s of [...screens, finalRows]) {
      expect(s.includes('\u001b')).toBe(false);
      expect(s).not.toMatch(/\[2K|\[\d+m/);
    }
  });
});
