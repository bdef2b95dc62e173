// RunTimeline: what the report shows of one run (shutdown or restart), as plain data. The
// engine builds it from its journal (it owns the journal format); the report only reads
// it. Times are ISO strings of modelled time, so a twin rehearsal reads like a real run.

export type RunStatus = 'succeeded' | 'failed' | 'stopped' | 'running';

/**
 * done: acted and verified; already-done: check() found the effect in place; skipped: not
 * applicable or disabled; failed: the step failed; stopped: the run stopped (or is still
 * running) during this step; pending: not reached; dry-run: described, not acted.
 */
export type StepOutcome = 'done' | 'already-done' | 'skipped' | 'failed' | 'stopped' | 'pending' | 'dry-run';

export interface TimelineStep {
  /** "shutdown.stop-traditional-vms" */
  id: string;
  title: string;
  /** Seed section: "3.1". */
  seed: string;
  /** null for a step not reached. */
  startedAt: string | null;
  endedAt: string | null;
  outcome: StepOutcome;
  /** The wait's name and how it ended: "VMIs gone (3 VMs)". */
  waitedFor?: string;
  /** One line: what the act did or why it failed/was skipped. */
  detail?: string;
}

export interface TimelineEvent {
  at: string;
  level: 'info' | 'warning' | 'error';
  message: string;
  stepId?: string;
}

export interface RunTimeline {
  runId: string;
  /** "shutdown" | "restart" */
  runbook: string;
  startedAt: string;
  /** null while running. */
  endedAt: string | null;
  status: RunStatus;
  steps: TimelineStep[];
  events?: TimelineEvent[];
}

/** Milliseconds between two ISO times; null when either is missing or unparsable. */
export function durationMs(start: string | null | undefined, end: string | null | undefined): number | null {
  if (!start || !end) return null;
  const s = Date.parse(start);
  const e = Date.parse(end);
  return Number.isFinite(s) && Number.isFinite(e) ? Math.max(0, e - s) : null;
}

/** "0.4s", "42s", "3m 05s", "1h 02m", "2d 03h": precise enough to read, short enough for a table. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, '0')}h`;
}

/** "2025-01-10 08:03:12 UTC": readable, unambiguous, locale-free. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
