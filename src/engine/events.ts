// Progress events the engine emits while it runs, for the live display and `-o jsonl`.
// Plain data; every text in them has been through the redact guard.
import type { ExitCode } from '../common/errors.js';
import type { PlannedStep, StopReason } from '../journal/records.js';

export type RunEndState = 'completed' | 'stopped' | 'dry-run';

export type EngineEventBody =
  | { type: 'run-start'; runbook: string; runDir?: string; resumed: boolean; dryRun: boolean; steps: PlannedStep[] }
  | { type: 'step-start'; step: string; title: string; index: number; total: number; resumed: boolean }
  | { type: 'step-skip'; step: string; title: string; reason: string }
  | { type: 'check'; step: string; done: boolean; detail?: string }
  /** --dry-run: what the step would do (its describe() lines). */
  | { type: 'plan'; step: string; title: string; destructive: boolean; lines: string[]; alreadyDone?: boolean }
  | { type: 'confirm'; step: string; question: string; answer: boolean; by: 'flag' | 'operator' | 'non-interactive' }
  | { type: 'act'; step: string; attempt: number; what: string[] }
  | { type: 'progress'; step: string; detail: string }
  | { type: 'fact'; step: string; key: string }
  | { type: 'retry'; step: string; phase: string; attempt: number; delayMs: number; error: string }
  | { type: 'wait-start'; step: string; name: string; deadline: number; resumed: boolean }
  | { type: 'wait-progress'; step: string; name: string; detail: string; elapsedMs: number; remainingMs: number }
  | { type: 'warning'; step?: string; message: string }
  | { type: 'step-done'; step: string; detail?: string; alreadyDone: boolean }
  | { type: 'step-failed'; step: string; error: string; kind: string; exitCode: ExitCode }
  | { type: 'run-end'; state: RunEndState; reason?: StopReason; message?: string; exitCode: ExitCode };

/** `t` is modelled time from the run's clock. */
export type EngineEvent = EngineEventBody & { t: number; runId: string };
export type EngineEventType = EngineEvent['type'];
export type EventSink = (event: EngineEvent) => void;

/** An emitter that stamps events and never lets a broken sink stop the run. */
export function emitterFor(onEvent: EventSink | undefined, clock: { now(): number }, runId: string): (body: EngineEventBody) => void {
  return (body) => {
    if (!onEvent) return;
    try {
      onEvent({ ...body, t: clock.now(), runId } as EngineEvent);
    } catch {
      // a broken display must never stop a shutdown half-way
    }
  };
}
