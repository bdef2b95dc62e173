// Opening a run: a new one (run directory, lock, journal with its run-start) or an existing
// one to resume (validated, bound to the same cluster, locked, torn tail cut, a resume
// record appended). Every refusal happens before anything is written.
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Clock } from '../common/clock.js';
import { UsageError } from '../common/errors.js';
import type { Json } from '../engine/types.js';
import { assertSameCluster, type IdentityCheckOptions } from './identity.js';
import { Journal } from './journal.js';
import { acquireLock, type HeldLock } from './lock.js';
import { clusterDirOf, ensurePrivateDir, JOURNAL_FILE, newRunId, resolveStateRoot, runDirOf } from './paths.js';
import { readJournal, type JournalContents } from './reader.js';
import type { ClusterIdentity, JournalRecord, PlannedStep } from './records.js';
import { replay, type RunState } from './replay.js';
import { secrets as defaultSecrets, type SecretRegistry } from './secrets.js';
import { fallowVersion } from './version.js';

interface CommonOptions {
  clock: Clock;
  identity: ClusterIdentity;
  breakLock?: boolean;
  secrets?: SecretRegistry;
  /** Test hook: called after every durable record. */
  onAppend?: (record: JournalRecord) => void;
}

export interface CreateRunOptions extends CommonOptions {
  stateDir?: string;
  runbook: string;
  steps: PlannedStep[];
  /** What the run was started with (flags), so a resume can rebuild it. Never secrets. */
  options: Json;
  parentRunId?: string;
  runId?: string;
}

export interface OpenRunOptions extends CommonOptions, IdentityCheckOptions {
  runDir: string;
  /** The options of this resume (journaled with the resume record). */
  options?: Json;
}

export interface OpenRun {
  runId: string;
  runDir: string;
  journal: Journal;
  lock: HeldLock;
  /** Where the run stood when it was opened (after the records this open appended). */
  state: RunState;
  /** Fresh (true) or resumed. */
  fresh: boolean;
  close(): void;
}

export function createRun(opts: CreateRunOptions): OpenRun {
  const root = resolveStateRoot(opts.stateDir);
  const clusterDir = clusterDirOf(root, opts.identity.uid);
  const runId = opts.runId ?? newRunId(opts.clock, opts.runbook);
  const runDir = runDirOf(root, opts.identity.uid, runId);
  // Refuse a secret in the options before anything exists on disk.
  (opts.secrets ?? defaultSecrets).assertClean(JSON.stringify(opts.options), 'the journal (run options)');
  ensurePrivateDir(clusterDir);
  const lock = acquireLock({ clusterDir, runId, clock: opts.clock, ...(opts.breakLock ? { breakLock: true } : {}) });
  try {
    ensurePrivateDir(runDir);
    const journal = Journal.create(journalOpts(runDir, opts), {
      type: 'run-start',
      runId,
      runbook: opts.runbook,
      cluster: opts.identity,
      options: opts.options,
      version: fallowVersion(),
      ...(opts.parentRunId ? { parentRunId: opts.parentRunId } : {}),
      steps: opts.steps,
      pid: process.pid,
      host: hostname(),
    });
    if (lock.warning) journal.append({ type: 'warning', message: lock.warning });
    return opened(runId, runDir, journal, lock, true);
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** Reads a run directory's journal; a missing one is a usage error naming the path. */
export function readRunJournal(runDir: string): JournalContents {
  const file = join(runDir, JOURNAL_FILE);
  try {
    return readJournal(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new UsageError(`No journal at ${file}: not a fallow run directory`, 'List the runs of this cluster with `fallow status`');
  }
}

export function openRun(opts: OpenRunOptions): OpenRun {
  const file = join(opts.runDir, JOURNAL_FILE);
  const before = readRunJournal(opts.runDir); // validates; throws on corruption before anything is written
  const start = before.records[0];
  if (start?.type !== 'run-start') {
    throw new UsageError(`The run in ${opts.runDir} has an empty journal: it never started`, 'Start a new run instead');
  }
  assertSameCluster(start.cluster, opts.identity, file, opts);
  assertResumable(replay(before.records), start.runId);
  const lock = acquireLock({ clusterDir: dirname(opts.runDir), runId: start.runId, clock: opts.clock, ...(opts.breakLock ? { breakLock: true } : {}) });
  try {
    const { journal, torn } = Journal.open(journalOpts(opts.runDir, opts));
    try {
      assertResumable(replay(journal.records), start.runId); // again, now that we hold the lock
    } catch (err) {
      journal.close();
      throw err;
    }
    journal.append({ type: 'resume', pid: process.pid, host: hostname(), version: fallowVersion(), options: opts.options ?? null });
    if (torn) {
      journal.append({ type: 'warning', message: `Dropped a torn last line of the journal (line ${torn.line}, ${torn.bytes} bytes: ${torn.reason}), left by the interrupted session` });
    }
    if (lock.warning) journal.append({ type: 'warning', message: lock.warning });
    return opened(start.runId, opts.runDir, journal, lock, false);
  } catch (err) {
    lock.release();
    throw err;
  }
}

function assertResumable(state: RunState, runId: string): void {
  const ended = state.end;
  if (ended && ended.state !== 'stopped') {
    throw new UsageError(`Run ${runId} already ${ended.state}: there is nothing to resume`, 'Start a new run, or see it with `fallow status`');
  }
}

function journalOpts(runDir: string, opts: CommonOptions) {
  return { runDir, clock: opts.clock, ...(opts.secrets ? { secrets: opts.secrets } : {}), ...(opts.onAppend ? { onAppend: opts.onAppend } : {}) };
}

function opened(runId: string, runDir: string, journal: Journal, lock: HeldLock, fresh: boolean): OpenRun {
  return {
    runId,
    runDir,
    journal,
    lock,
    state: replay(journal.records),
    fresh,
    close: () => {
      journal.close();
      lock.release();
    },
  };
}
