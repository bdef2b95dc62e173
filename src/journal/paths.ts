// Where run state lives: <root>/<cluster-uid>/<run-id>/journal.jsonl, plus the cluster's
// lock at <root>/<cluster-uid>/lock. Directories are private (0700), files 0600, and every
// directory entry we create is fsynced so a power cut cannot lose a run directory.
import { closeSync, fsyncSync, mkdirSync, chmodSync, openSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../common/errors.js';
import type { Clock } from '../common/clock.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const LOCK_FILE = 'lock';

/** --state-dir, else $FALLOW_STATE_DIR, else $XDG_STATE_HOME/fallow, else ~/.local/state/fallow. */
export function resolveStateRoot(stateDir?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (stateDir) return resolve(stateDir);
  if (env.FALLOW_STATE_DIR) return resolve(env.FALLOW_STATE_DIR);
  if (env.XDG_STATE_HOME) return join(resolve(env.XDG_STATE_HOME), 'fallow');
  return join(homedir(), '.local', 'state', 'fallow');
}

// UIDs and run ids become directory names: nothing that could climb out of the root.
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function segment(value: string, what: string): string {
  if (!SAFE_SEGMENT.test(value) || value.includes('..')) {
    throw new UsageError(`Invalid ${what} "${value}": expected letters, digits, ".", "_" or "-"`);
  }
  return value;
}

export function clusterDirOf(root: string, clusterUid: string): string {
  return join(root, segment(clusterUid, 'cluster UID'));
}

export function runDirOf(root: string, clusterUid: string, runId: string): string {
  return join(clusterDirOf(root, clusterUid), segment(runId, 'run id'));
}

/** "20250314T221500Z-shutdown-3f9a": sorts by start time, readable, unique enough. */
export function newRunId(clock: Clock, runbook: string): string {
  const stamp = new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const name = runbook.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40) || 'run';
  return `${stamp}-${name}-${randomBytes(2).toString('hex')}`;
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** mkdir -p with 0700 on every directory it creates, each entry fsynced into its parent. */
export function ensurePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      continue;
    }
    chmodSync(d, 0o700); // the umask may have narrowed it further, never widened: make it exact
    fsyncDir(dirname(d));
  }
}

/** The state root a run directory (<root>/<cluster-uid>/<run-id>) lives under. */
export function stateRootOfRunDir(runDir: string): string {
  // A dry run has no run directory: resolving "" would point at the working directory.
  if (runDir === '') throw new Error('a dry run has no run directory, so no state root');
  return dirname(dirname(resolve(runDir)));
}
