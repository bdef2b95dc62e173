// The guard's journal records: plain JSON (assignable to the engine's Json type), one per
// UPS transition, decision, action start/outcome, and guard start/stop. Built here so the
// guard loop stays about flow; never carries a credential.
import type { Json } from '../engine/types.js';
import type { BudgetPlan } from './budget.js';
import type { MonitorEvent } from './monitor.js';
import type { Decision, GuardPhase } from './policy.js';
import type { UpsSample } from './ups-state.js';

type Sample = { status: string; runtimeS: number | null; chargePct: number | null };

export type GuardEvent =
  | {
      type: 'guard.start';
      at: number;
      ups: string;
      phase: GuardPhase;
      pollIntervalMs: number;
      safetyMarginMs: number;
      restartMinChargePct: number;
      restartStableMs: number;
    }
  | { type: 'guard.ups'; at: number; ups: string; event: 'transition'; from: string | null; to: string; sample: Sample }
  | { type: 'guard.ups'; at: number; ups: string; event: 'comm-lost'; reason: string; last: Sample | null }
  | { type: 'guard.ups'; at: number; ups: string; event: 'comm-restored'; lostForMs: number; sample: Sample }
  | { type: 'guard.decision'; at: number; phase: GuardPhase; decision: 'trigger-shutdown'; reason: string; budgetMs: number; remainingMs: number | null; plan: PlanRecord }
  | { type: 'guard.decision'; at: number; phase: GuardPhase; decision: 'trigger-restart' | 'stop-shutdown-at-consistent-point'; reason: string }
  | { type: 'guard.decision'; at: number; phase: GuardPhase; decision: 'alarm'; message: string }
  | { type: 'guard.decision'; at: number; phase: GuardPhase; decision: 'wait'; code: string; reason: string }
  | { type: 'guard.action'; at: number; action: 'shutdown' | 'restart'; outcome: 'started' | 'finished' | 'failed' | 'skipped'; detail: string }
  /** The fallow run an action started (its journal is the run's own); links the outage to it. */
  | { type: 'guard.run'; at: number; action: 'shutdown' | 'restart'; runId: string; runDir: string; resumed: boolean; partial: boolean }
  /** The running shutdown stopped between two steps because power came back. */
  | { type: 'guard.stopped'; at: number; runId: string; afterStep: string | null }
  /** What a node without a BMC needs from a person (switch it on or off), as the power layer said it. */
  | { type: 'guard.operator'; at: number; message: string }
  /** The cluster inventory the estimate uses was read (or could not be). */
  | { type: 'guard.inventory'; at: number; source: 'cluster' | 'journal'; vms: number; nodes: number; fullPlanMs: number; learnedRuns: number }
  | { type: 'guard.stop'; at: number; phase: GuardPhase };

export type PlanRecord = {
  fits: boolean;
  estimateMs: number;
  slackMs: number;
  options: { skipSteps: string[]; vmStopParallelism: number; guestGraceSeconds: number; forceOff: boolean };
  skipped: { id: string; ms: number }[];
  changes: string[];
};

// Compile-time proof that every record is journal-safe JSON.
const _jsonSafe = (e: GuardEvent): Json => e;
void _jsonSafe;

export function guardEventOfMonitor(e: MonitorEvent, ups: string): GuardEvent {
  switch (e.type) {
    case 'transition':
      return { type: 'guard.ups', at: e.at, ups, event: 'transition', from: e.from, to: e.to, sample: sampleRecord(e.sample) };
    case 'comm-lost':
      return { type: 'guard.ups', at: e.at, ups, event: 'comm-lost', reason: e.reason, last: e.last ? sampleRecord(e.last) : null };
    case 'comm-restored':
      return { type: 'guard.ups', at: e.at, ups, event: 'comm-restored', lostForMs: e.lostForMs, sample: sampleRecord(e.sample) };
  }
}

export function guardEventOfDecision(d: Decision, at: number, phase: GuardPhase): GuardEvent {
  switch (d.kind) {
    case 'trigger-shutdown':
      return { type: 'guard.decision', at, phase, decision: d.kind, reason: d.reason, budgetMs: d.budgetMs, remainingMs: d.remainingMs ?? null, plan: planRecord(d.plan) };
    case 'trigger-restart':
    case 'stop-shutdown-at-consistent-point':
      return { type: 'guard.decision', at, phase, decision: d.kind, reason: d.reason };
    case 'alarm':
      return { type: 'guard.decision', at, phase, decision: 'alarm', message: d.message };
    case 'wait':
      return { type: 'guard.decision', at, phase, decision: 'wait', code: d.code, reason: d.reason };
  }
}

export function planRecord(p: BudgetPlan): PlanRecord {
  return {
    fits: p.fits,
    estimateMs: p.estimate.totalMs,
    slackMs: p.slackMs,
    options: { ...p.options, skipSteps: [...p.options.skipSteps] },
    skipped: p.skipped.map((s) => ({ ...s })),
    changes: [...p.changes],
  };
}

function sampleRecord(s: UpsSample): Sample {
  return { status: s.status.join(' '), runtimeS: s.runtimeS ?? null, chargePct: s.chargePct ?? null };
}
