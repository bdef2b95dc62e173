// Folds a journal's records into where the run stands: facts, each step's status, open
// waits with their stored deadlines, warnings and how the run ended. The engine resumes
// from this; `fallow status` prints it.
import type { Json } from '../engine/types.js';
import type { JournalRecord, RecordOf } from './records.js';

export type StepStatus = 'pending' | 'in-flight' | 'failed' | 'done' | 'skipped';

export interface StepState {
  id: string;
  status: StepStatus;
  /** Acts attempted so far (intent records). */
  attempts: number;
  lastIntent?: RecordOf<'intent'>;
  lastOutcome?: RecordOf<'outcome'>;
  /** The operator (or --yes) already said yes to this step's act. */
  confirmed: boolean;
  /** Waits started since the last act attempt and not yet ended, by name. */
  openWaits: Map<string, RecordOf<'wait-start'>>;
  /** step-done detail or skip reason. */
  detail?: string;
  startedAt?: number;
  endedAt?: number;
}

export interface RunState {
  start: RecordOf<'run-start'>;
  resumes: RecordOf<'resume'>[];
  facts: Map<string, Json>;
  steps: Map<string, StepState>;
  warnings: RecordOf<'warning'>[];
  end?: RecordOf<'run-end'>;
  lastT: number;
}

export function emptyStepState(id: string): StepState {
  return { id, status: 'pending', attempts: 0, confirmed: false, openWaits: new Map() };
}

export function replay(records: readonly JournalRecord[]): RunState {
  const start = records[0];
  if (start?.type !== 'run-start') throw new Error('a journal starts with a run-start record');
  const state: RunState = { start, resumes: [], facts: new Map(), steps: new Map(), warnings: [], lastT: start.t };
  for (const s of start.steps) state.steps.set(s.id, emptyStepState(s.id));
  for (const r of records) apply(state, r);
  return state;
}

/** Applies one record; exported so the engine keeps its live state the same way. */
export function apply(state: RunState, r: JournalRecord): void {
  state.lastT = r.t;
  const step = 'step' in r && r.step ? stepOf(state, r.step) : undefined;
  switch (r.type) {
    case 'run-start':
      return;
    case 'resume':
      state.resumes.push(r);
      delete state.end; // a stopped run goes on
      return;
    case 'fact':
      state.facts.set(r.key, r.value);
      return;
    case 'warning':
      state.warnings.push(r);
      return;
    case 'run-end':
      state.end = r;
      return;
  }
  if (!step) return;
  switch (r.type) {
    case 'step-start':
      step.status = 'in-flight';
      step.startedAt ??= r.t;
      return;
    case 'step-skipped':
      Object.assign(step, { status: 'skipped', detail: r.reason, endedAt: r.t });
      return;
    case 'confirm':
      step.confirmed ||= r.answer;
      return;
    case 'intent':
      step.attempts = Math.max(step.attempts, r.attempt);
      step.lastIntent = r;
      step.openWaits.clear(); // a new attempt gets fresh deadlines
      step.status = 'in-flight';
      return;
    case 'outcome':
      step.lastOutcome = r;
      step.status = r.ok ? 'in-flight' : 'failed';
      return;
    case 'wait-start':
      step.openWaits.set(r.name, r);
      return;
    case 'wait-end':
      step.openWaits.delete(r.name);
      return;
    case 'step-done':
      Object.assign(step, { status: 'done', endedAt: r.t });
      if (r.detail !== undefined) step.detail = r.detail;
      return;
  }
}

function stepOf(state: RunState, id: string): StepState {
  let s = state.steps.get(id);
  if (!s) state.steps.set(id, (s = emptyStepState(id)));
  return s;
}
