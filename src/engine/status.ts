// `fallow status`: where a run stands, from its journal alone (no cluster needed): each
// step done / skipped / in flight / failed / pending, facts, warnings, how it ended, and
// whether a live process still holds it.
import { dirname } from 'node:path';
import type { Json } from './types.js';
import { readLock, pidAlive } from '../journal/lock.js';
import type { TornLine } from '../journal/reader.js';
import { readRunJournal } from '../journal/run.js';
import type { ClusterIdentity, RecordOf, StopReason } from '../journal/records.js';
import { replay, type StepStatus } from '../journal/replay.js';
import { hostname } from 'node:os';

export interface StepStatusView {
  id: string;
  title: string;
  phase: string;
  destructive: boolean;
  status: StepStatus;
  attempts: number;
  /** Skip reason, done detail, or the last failed outcome's message. */
  detail?: string;
  /** Open waits with their stored deadlines (modelled ms). */
  waits: { name: string; startedAt: number; deadline: number }[];
}

export type RunStatusState = 'completed' | 'stopped' | 'aborted' | 'running' | 'interrupted';

export interface RunStatusView {
  runId: string;
  runDir: string;
  runbook: string;
  cluster: ClusterIdentity;
  version: string;
  /** The options the run was started with (run-start), to rebuild it for a resume. */
  options: Json;
  parentRunId?: string;
  startedAt: number;
  lastAt: number;
  /** running: a live process holds the lock for it; interrupted: no run-end and nobody holds it. */
  state: RunStatusState;
  end?: { reason?: StopReason; message?: string; step?: string; exitCode: number };
  /** Sessions that worked on it (1 + resumes). */
  sessions: number;
  steps: StepStatusView[];
  counts: Record<StepStatus, number>;
  facts: Record<string, Json>;
  warnings: number;
  lastWarning?: { message: string; step?: string; t: number };
  torn?: TornLine;
}

export function runStatus(runDir: string): RunStatusView {
  const contents = readRunJournal(runDir);
  const s = replay(contents.records);
  const counts: Record<StepStatus, number> = { pending: 0, 'in-flight': 0, failed: 0, done: 0, skipped: 0 };
  const steps = s.start.steps.map((p): StepStatusView => {
    const st = s.steps.get(p.id);
    const status = st?.status ?? 'pending';
    counts[status] += 1;
    const detail = status === 'failed' ? st?.lastOutcome?.message : st?.detail;
    return {
      ...p,
      status,
      attempts: st?.attempts ?? 0,
      ...(detail ? { detail } : {}),
      waits: [...(st?.openWaits.values() ?? [])].map((w) => ({ name: w.name, startedAt: w.startedAt, deadline: w.deadline })),
    };
  });
  const last = s.warnings.at(-1);
  return {
    runId: s.start.runId,
    runDir,
    runbook: s.start.runbook,
    cluster: s.start.cluster,
    version: s.start.version,
    options: s.start.options,
    ...(s.start.parentRunId ? { parentRunId: s.start.parentRunId } : {}),
    startedAt: s.start.t,
    lastAt: s.lastT,
    state: s.end ? s.end.state : liveHolder(runDir, s.start.runId) ? 'running' : 'interrupted',
    ...(s.end ? { end: endView(s.end) } : {}),
    sessions: 1 + s.resumes.length,
    steps,
    counts,
    facts: Object.fromEntries(s.facts),
    warnings: s.warnings.length,
    ...(last ? { lastWarning: { message: last.message, t: last.t, ...(last.step ? { step: last.step } : {}) } } : {}),
    ...(contents.torn ? { torn: contents.torn } : {}),
  };
}

function endView(e: RecordOf<'run-end'>): RunStatusView['end'] {
  return { exitCode: e.exitCode, ...(e.reason ? { reason: e.reason } : {}), ...(e.message ? { message: e.message } : {}), ...(e.step ? { step: e.step } : {}) };
}

function liveHolder(runDir: string, runId: string): boolean {
  const h = readLock(dirname(runDir))?.holder;
  if (!h || h.runId !== runId) return false;
  return h.host !== hostname() || pidAlive(h.pid); // another host's holder: assume it runs
}
