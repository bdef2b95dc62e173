import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, readLock } from '../../src/journal/lock.js';
import { LockHeldError } from '../../src/journal/errors.js';
import { VirtualClock } from '../engine/helpers/virtual-clock.js';
import { tempDirs } from '../engine/helpers/tmp.js';

const tmp = tempDirs();
const clock = new VirtualClock();

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function writeHolder(dir: string, holder: object): void {
  writeFileSync(join(dir, 'lock'), JSON.stringify({ runId: 'old-run', startedAt: 0, ...holder }));
}

function refusal(fn: () => unknown): LockHeldError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LockHeldError) return err;
    throw err;
  }
  throw new Error('expected the lock to be refused');
}

describe('cluster lock', () => {
  it('holds pid, host and run id, and is released by its holder', () => {
    const dir = tmp();
    const lock = acquireLock({ clusterDir: dir, runId: 'r1', clock });
    expect(readLock(dir)?.holder).toMatchObject({ pid: process.pid, host: hostname(), runId: 'r1', startedAt: clock.now() });
    lock.release();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('refuses a second run while the holder is alive, naming it', () => {
    const dir = tmp();
    acquireLock({ clusterDir: dir, runId: 'r1', clock });
    const err = refusal(() => acquireLock({ clusterDir: dir, runId: 'r2', clock }));
    expect(err.message).toContain(`run r1, pid ${process.pid} on host ${hostname()}`);
    expect(err.hint).toMatch(/--break-lock/);
  });

  it('takes over a lock whose process died on this host, with a warning', () => {
    const dir = tmp();
    const pid = deadPid();
    writeHolder(dir, { pid, host: hostname() });
    const lock = acquireLock({ clusterDir: dir, runId: 'r2', clock });
    expect(lock.warning).toMatch(new RegExp(`stale lock: run old-run, pid ${pid} .*that process is gone`));
    expect(readLock(dir)?.holder?.runId).toBe('r2');
  });

  it('takes over a lock from before this host rebooted even if the pid is in use again', () => {
    const dir = tmp();
    writeHolder(dir, { pid: process.pid, host: hostname(), bootId: 'old-boot' });
    const lock = acquireLock({ clusterDir: dir, runId: 'r2', clock, bootId: 'new-boot' });
    expect(lock.warning).toMatch(/rebooted/);
  });

  it('refuses a lock held from another host, and breaks it only with breakLock', () => {
    const dir = tmp();
    writeHolder(dir, { pid: 4242, host: 'laptop-of-alice' });
    const err = refusal(() => acquireLock({ clusterDir: dir, runId: 'r2', clock }));
    expect(err.message).toContain('pid 4242 on host laptop-of-alice');
    expect(err.hint).toMatch(/Stop it on laptop-of-alice .* --break-lock/);
    const lock = acquireLock({ clusterDir: dir, runId: 'r2', clock, breakLock: true });
    expect(lock.warning).toMatch(/Broke the lock held by run old-run, pid 4242 on host laptop-of-alice/);
  });

  it('refuses an unreadable lock file rather than guessing', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'lock'), '');
    expect(refusal(() => acquireLock({ clusterDir: dir, runId: 'r2', clock })).message).toMatch(/unreadable lock file/);
  });

  it('does not remove a lock that another run took over meanwhile', () => {
    const dir = tmp();
    const mine = acquireLock({ clusterDir: dir, runId: 'r1', clock });
    writeHolder(dir, { pid: 4242, host: 'elsewhere', runId: 'r9' });
    mine.release();
    expect(readLock(dir)?.holder?.runId).toBe('r9');
  });

  it('lets exactly one of several racing processes take it', async () => {
    const dir = tmp();
    const go = join(dir, 'go');
    const fixture = join(import.meta.dirname, 'fixtures', 'take-lock.ts');
    const children = [1, 2, 3].map((i) =>
      spawn(process.execPath, ['--import', 'tsx', fixture, dir, go, `race-${i}`], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const exited = children.map((c) => new Promise((r) => c.once('exit', r)));
    const first = children.map(
      (c) => new Promise<string>((resolve) => c.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))),
    );
    await new Promise((r) => setTimeout(r, 1500)); // let the children reach the start line
    writeFileSync(go, '');
    const answers = await Promise.all(first);
    for (const c of children) c.stdin.end();
    await Promise.all(exited);
    expect(answers.filter((a) => a === 'took')).toHaveLength(1);
    expect(answers.filter((a) => a.startsWith('refused: Another fallow run holds the lock'))).toHaveLength(2);
    expect(existsSync(join(dir, 'lock'))).toBe(false); // released by the winner
  });
});
