// The runs recorded for a cluster, for `status`, `resume` and `restart`: which shutdown
// completed last, which runs were left unfinished. Listing never throws on one bad run: a
// damaged journal shows up as "corrupt" with its error.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatError } from '../common/errors.js';
import { clusterDirOf, JOURNAL_FILE } from './paths.js';
import { readJournal } from './reader.js';
import type { ClusterIdentity, StopReason } from './records.js';
import { replay } from './replay.js';

export type RunListState = 'completed' | 'stopped' | 'aborted' | 'incomplete' | 'empty' | 'corrupt';

export interface RunSummary {
  runId: string;
  runDir: string;
  state: RunListState;
  runbook?: string;
  cluster?: ClusterIdentity;
  parentRunId?: string;
  startedAt?: number;
  lastAt?: number;
  reason?: StopReason;
  message?: string;
}

export function summarizeRun(runDir: string, runId: string): RunSummary {
  let contents;
  try {
    contents = readJournal(join(runDir, JOURNAL_FILE));
  } catch (err) {
    return { runId, runDir, state: 'corrupt', message: formatError(err) };
  }
  if (contents.records.length === 0) return { runId, runDir, state: 'empty' };
  const s = replay(contents.records);
  const end = s.end;
  return {
    runId: s.start.runId,
    runDir,
    state: end ? end.state : 'incomplete',
    runbook: s.start.runbook,
    cluster: s.start.cluster,
    ...(s.start.parentRunId ? { parentRunId: s.start.parentRunId } : {}),
    startedAt: s.start.t,
    lastAt: s.lastT,
    ...(end?.reason ? { reason: end.reason } : {}),
    ...(end?.message ? { message: end.message } : {}),
  };
}

/** Every run of the cluster, oldest first. */
export function listRuns(stateRoot: string, clusterUid: string): RunSummary[] {
  const dir = clusterDirOf(stateRoot, clusterUid);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && existsSync(join(dir, e.name, JOURNAL_FILE)))
    .map((e) => summarizeRun(join(dir, e.name), e.name))
    .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.runId.localeCompare(b.runId));
}

/** The newest completed run of `runbook` ("shutdown": what a restart restores). */
export function latestCompleted(runs: readonly RunSummary[], runbook: string): RunSummary | undefined {
  return runs.filter((r) => r.state === 'completed' && r.runbook === runbook).at(-1);
}

/** Runs `fallow resume` can go on with: stopped, or cut off without a run-end. Newest last. */
export function resumableRuns(runs: readonly RunSummary[]): RunSummary[] {
  return runs.filter((r) => r.state === 'stopped' || r.state === 'incomplete');
}
