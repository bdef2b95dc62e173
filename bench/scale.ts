// Scale figures: `fallow plan` against a large twin, as the operator would run it (a
// separate process, its wall time and peak RSS), and the journal's cost — bytes per record
// in the measured runs and what one durable append (write + fsync) takes on this disk,
// against the same write without fsync.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RealClock } from '../src/common/clock.js';
import { Journal } from '../src/journal/journal.js';

export interface ChildFigures {
  command: string;
  exitCode: number;
  wallMs: number;
  maxRssMb: number;
  /** dist (the built CLI, as installed) or tsx (transpiled on the fly: slower start). */
  via: 'dist' | 'tsx';
}

/** Runs `fallow <args>` in a child process and measures it (peak RSS from inside the child). */
export async function measureCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'fallow-bench-probe-'));
  const probe = join(dir, 'probe.json');
  const built = existsSync('dist/cli/main.js');
  const argv = built ? ['--import', './bench/rss-probe.mjs', 'bin/fallow.js', ...args] : ['--import', './bench/rss-probe.mjs', '--import', 'tsx', 'src/cli/main.ts', ...args];
  const t0 = Date.now();
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, argv, { env: { ...process.env, ...env, FALLOW_BENCH_PROBE: probe, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.on('error', reject);
    child.on('close', (c) => (c === 0 ? resolve(0) : c === null ? reject(new Error(`fallow ${args.join(' ')} was killed`)) : (process.stderr.write(err), resolve(c))));
  });
  const wallMs = Date.now() - t0;
  try {
    const p = JSON.parse(readFileSync(probe, 'utf8')) as { maxRssKb: number };
    return { command: `fallow ${args.filter((a) => !a.startsWith('/')).join(' ')}`, exitCode: code, wallMs, maxRssMb: Math.round(p.maxRssKb / 1024), via: built ? 'dist' : 'tsx' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface JournalCost {
  records: number;
  bytesPerRecord: number;
  /** Mean wall ms of one durable append (write + fsync). */
  appendMs: number;
  /** Mean wall ms of the same write without fsync: the rest is the fsync. */
  writeOnlyMs: number;
}

/** Appends `n` fact records of a realistic size through the real Journal, timing each. */
export function journalCost(n = 200): JournalCost {
  const dir = mkdtempSync(join(tmpdir(), 'fallow-bench-journal-'));
  try {
    const journal = Journal.create({ runDir: dir, clock: new RealClock() }, {
      type: 'run-start',
      runId: 'bench',
      runbook: 'bench',
      cluster: { uid: '00000000-0000-0000-0000-000000000000', server: 'https://127.0.0.1:6443' },
      options: null,
      version: 'bench',
      steps: [],
      pid: process.pid,
      host: 'bench',
    });
    const value = { node: 'harv41', ip: '192.168.122.141', runStrategy: 'RerunOnFailure', vms: Array.from({ length: 8 }, (_, i) => `default/vm-${i}`) };
    const t0 = performance.now();
    for (let i = 0; i < n; i++) journal.append({ type: 'fact', key: `bench-${i}`, value });
    const appendMs = (performance.now() - t0) / n;
    const bytes = readFileSync(join(dir, 'journal.jsonl')).length;
    journal.close();
    const fd = openSync(join(dir, 'plain.jsonl'), 'a');
    const line = Buffer.from(JSON.stringify({ v: 1, seq: 1, t: Date.now(), type: 'fact', key: 'bench', value }) + '\n');
    const t1 = performance.now();
    for (let i = 0; i < n; i++) writeSync(fd, line);
    const writeOnlyMs = (performance.now() - t1) / n;
    closeSync(fd);
    return { records: n + 1, bytesPerRecord: Math.round(bytes / (n + 1)), appendMs, writeOnlyMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
