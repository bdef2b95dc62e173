// One active run per cluster: <root>/<cluster-uid>/lock, created atomically (a private temp
// file hard-linked into place, so the lock never exists half-written) and holding who owns
// it. A lock left by a dead process on this host (or by this host before a reboot) is taken
// over with a warning; a lock held from another host is never broken without --break-lock.
import { closeSync, constants, fsyncSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import { LockHeldError } from './errors.js';
import { fsyncDir, LOCK_FILE } from './paths.js';

export interface LockHolder {
  pid: number;
  host: string;
  runId: string;
  /** Modelled ms (the run's clock). */
  startedAt: number;
  /** Linux boot id: a different one means the holder died with the machine. */
  bootId?: string;
}

export interface LockOptions {
  clusterDir: string;
  runId: string;
  clock: Clock;
  breakLock?: boolean;
  /** Overrides for tests; the defaults look at the real process table. */
  host?: string;
  isAlive?: (pid: number) => boolean;
  bootId?: string | undefined;
}

export interface HeldLock {
  holder: LockHolder;
  file: string;
  /** Set when a stale or forcibly broken lock was taken over: journal it. */
  warning?: string;
  release(): void;
}

export function currentBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, someone else's
  }
}

export function readLock(clusterDir: string): { holder?: LockHolder; raw: string } | undefined {
  let raw: string;
  try {
    raw = readFileSync(join(clusterDir, LOCK_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const h = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.runId === 'string') {
      return { holder: { startedAt: 0, ...h } as LockHolder, raw };
    }
  } catch {
    // unreadable: reported by the caller
  }
  return { raw };
}

function describeHolder(h: LockHolder): string {
  return `run ${h.runId}, pid ${h.pid} on host ${h.host}, started ${new Date(h.startedAt).toISOString()}`;
}

/** Takes the cluster's lock or throws LockHeldError naming the holder. */
export function acquireLock(opts: LockOptions): HeldLock {
  const file = join(opts.clusterDir, LOCK_FILE);
  const bootId = 'bootId' in opts ? opts.bootId : currentBootId();
  const holder: LockHolder = {
    pid: process.pid,
    host: opts.host ?? hostname(),
    runId: opts.runId,
    startedAt: opts.clock.now(),
    ...(bootId ? { bootId } : {}),
  };
  const isAlive = opts.isAlive ?? pidAlive;
  let warning: string | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(opts.clusterDir, file, JSON.stringify(holder))) {
      return { holder, file, ...(warning ? { warning } : {}), release: () => release(file, holder) };
    }
    const found = readLock(opts.clusterDir);
    if (!found) continue; // released meanwhile
    const verdict = judge(found.holder, holder, isAlive);
    if (verdict.stale || opts.breakLock) {
      if (takeOver(opts.clusterDir, file, found.raw)) {
        warning = opts.breakLock && !verdict.stale ? `Broke the lock held by ${verdict.who} (--break-lock)` : `Took over a stale lock: ${verdict.why}`;
      }
      continue;
    }
    throw new LockHeldError(`Another fallow run holds the lock of this cluster: ${verdict.who} (${verdict.why})`, verdict.hint);
  }
  throw new LockHeldError(`Could not take the lock ${file}: other runs keep taking it`, 'Make sure only one fallow runs against this cluster, then retry');
}

function judge(h: LockHolder | undefined, me: LockHolder, isAlive: (pid: number) => boolean) {
  const breakHint = 'If you are sure no other fallow run is active for this cluster, rerun with --break-lock';
  if (!h) return { stale: false, who: 'an unreadable lock file', why: 'its contents are not a lock record', hint: breakHint };
  const who = describeHolder(h);
  if (h.host !== me.host) {
    return { stale: false, who, why: `held from another host`, hint: `Stop it on ${h.host} or wait for it. ${breakHint}` };
  }
  if (h.bootId && me.bootId && h.bootId !== me.bootId) return { stale: true, who, why: `${who}: this host rebooted since` };
  if (!isAlive(h.pid)) return { stale: true, who, why: `${who}: that process is gone` };
  return { stale: false, who, why: 'that process is running', hint: `Wait for it to finish or stop it (kill ${h.pid}). ${breakHint}` };
}

function tryCreate(dir: string, file: string, content: string): boolean {
  const tmp = join(dir, `.lock.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    fsyncDir(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Moves the judged lock aside. If, between reading and moving, another process replaced it,
 * what we moved is not what we judged: put it back and let the caller look again.
 */
function takeOver(dir: string, file: string, judgedRaw: string): boolean {
  const aside = join(dir, `.lock.stale.${randomBytes(4).toString('hex')}`);
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  if (readFileSync(aside, 'utf8') !== judgedRaw) {
    try {
      linkSync(aside, file);
    } catch {
      // someone took the lock meanwhile; they hold it, the moved one is theirs to lose
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  fsyncDir(dir);
  return true;
}

function release(file: string, me: LockHolder): void {
  const found = readLock(join(file, '..'));
  if (found?.holder?.runId !== me.runId || found.holder.pid !== me.pid) return; // broken and retaken by someone else
  unlinkSync(file);
  fsyncDir(join(file, '..'));
}
