// From a run's journal records to the report's RunTimeline and facts. A projection of its
// own (the journal's replay() is for resuming and drops what a report shows: which wait a
// step ended on, "already done"), reading only the journal's record types. The seed
// section of each step comes from the runbook, which the journal does not repeat.
import type { Json } from '../engine/types.js';
import type { JournalRecord, RecordOf } from '../journal/records.js';
import type { RunStatus, RunTimeline, StepOutcome, TimelineEvent, TimelineStep } from './timeline.js';

/** What the runbook knows of a step: an engine Step satisfies it. */
export interface StepMeta {
  id: string;
  seed: string;
  title?: string;
}

interface Acc {
  id: string;
  title: string;
  startedAt?: number;
  endedAt?: number;
  outcome: StepOutcome;
  detail?: string;
  wait?: { name: string; ok?: boolean; detail?: string };
}

const iso = (t: number) => new Date(t).toISOString();

export function timelineFromJournal(records: readonly JournalRecord[], runbookSteps: readonly StepMeta[] = []): RunTimeline {
  const start = records[0];
  if (start?.type !== 'run-start') throw new Error('a journal starts with a run-start record; this list does not');
  const steps = new Map<string, Acc>(start.steps.map((s) => [s.id, { id: s.id, title: s.title, outcome: 'pending' }]));
  const events: TimelineEvent[] = [];
  let end: RecordOf<'run-end'> | undefined;
  for (const r of records) {
    const acc = 'step' in r && r.step ? stepAcc(steps, r.step) : undefined;
    switch (r.type) {
      case 'resume':
        end = undefined;
        events.push({ at: iso(r.t), level: 'info', message: `Resumed (fallow ${r.version})` });
        break;
      case 'warning':
        events.push({ at: iso(r.t), level: 'warning', message: r.message, ...(r.step ? { stepId: r.step } : {}) });
        break;
      case 'confirm':
        events.push({ at: iso(r.t), level: 'info', message: `${r.question} ${r.answer ? 'yes' : 'no'} (${r.by})`, stepId: r.step });
        break;
      case 'run-end':
        end = r;
        if (r.message) events.push({ at: iso(r.t), level: levelOfEnd(r), message: r.message, ...(r.step ? { stepId: r.step } : {}) });
        break;
      case 'step-start':
        if (acc) {
          acc.startedAt ??= r.t;
          acc.outcome = 'stopped';
        }
        break;
      case 'step-skipped':
        if (acc) Object.assign(acc, { outcome: 'skipped', detail: r.reason, endedAt: r.t, startedAt: acc.startedAt ?? r.t });
        break;
      case 'outcome':
        if (acc && !r.ok) {
          Object.assign(acc, { outcome: 'failed', endedAt: r.t, ...(r.message ? { detail: r.message } : {}) });
          if (r.message) events.push({ at: iso(r.t), level: r.transient ? 'warning' : 'error', message: r.message, stepId: r.step });
        } else if (acc) acc.outcome = 'stopped';
        break;
      case 'intent':
        // A new attempt after a failure (resume, retry): the old failure is history now.
        if (acc?.outcome === 'failed') {
          acc.outcome = 'stopped';
          delete acc.detail;
          delete acc.endedAt;
        }
        break;
      case 'wait-start':
        if (acc) acc.wait = { name: r.name };
        break;
      case 'wait-end':
        if (acc) acc.wait = { name: r.name, ok: r.ok, ...(r.detail ? { detail: r.detail } : {}) };
        break;
      case 'step-done':
        if (acc) {
          Object.assign(acc, { outcome: r.alreadyDone ? 'already-done' : 'done', endedAt: r.t, startedAt: acc.startedAt ?? r.t });
          if (r.detail !== undefined) acc.detail = r.detail;
        }
        break;
    }
  }
  const seedOf = new Map(runbookSteps.map((s) => [s.id, s]));
  return {
    runId: start.runId,
    runbook: start.runbook,
    startedAt: iso(start.t),
    endedAt: end ? iso(end.t) : null,
    status: statusOf(end),
    steps: [...steps.values()].map((a) => toStep(a, seedOf.get(a.id))),
    events,
  };
}

/** The facts a run journaled, last value per key (what a restart restores from). */
export function factsFromJournal(records: readonly JournalRecord[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const r of records) if (r.type === 'fact') out[r.key] = r.value;
  return out;
}

function stepAcc(steps: Map<string, Acc>, id: string): Acc {
  let a = steps.get(id);
  if (!a) steps.set(id, (a = { id, title: id, outcome: 'pending' }));
  return a;
}

function levelOfEnd(end: RecordOf<'run-end'>): TimelineEvent['level'] {
  if (end.state === 'completed') return 'info';
  return end.state === 'aborted' || end.reason === 'failed' ? 'error' : 'warning';
}

function statusOf(end: RecordOf<'run-end'> | undefined): RunStatus {
  if (!end) return 'running';
  if (end.state === 'completed') return 'succeeded';
  if (end.state === 'aborted' || end.reason === 'failed') return 'failed';
  return 'stopped';
}

function toStep(a: Acc, meta: StepMeta | undefined): TimelineStep {
  const step: TimelineStep = {
    id: a.id,
    title: meta?.title ?? a.title,
    seed: meta?.seed ?? '—',
    startedAt: a.startedAt !== undefined ? iso(a.startedAt) : null,
    endedAt: a.endedAt !== undefined ? iso(a.endedAt) : null,
    outcome: a.outcome,
  };
  if (a.wait) {
    const how = a.wait.ok === undefined ? 'still waiting' : a.wait.ok ? a.wait.detail : `not met${a.wait.detail ? `: ${a.wait.detail}` : ''}`;
    step.waitedFor = how ? `${a.wait.name} (${how})` : a.wait.name;
  }
  if (a.detail !== undefined) step.detail = a.detail;
  return step;
}
