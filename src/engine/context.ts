// The StepContext a step sees: the run's env, clock and facts, and the engine's services
// (durable facts, warnings, progress, confirmations, journaled waits).
import { askOperator } from './confirm.js';
import { journaledWait } from './journaled-wait.js';
import type { Session } from './session.js';
import type { Step, StepContext } from './types.js';

export function contextFor<Env>(s: Session<Env>, step: Step<Env>, forAct: boolean): StepContext<Env> {
  return {
    env: s.env,
    clock: s.clock,
    signal: forAct ? s.actSignal : s.signal,
    dryRun: s.dryRun,
    facts: s.facts,
    record: async (key, value) => s.recordFact(step.id, key, value),
    progress: (detail) => s.emit({ type: 'progress', step: step.id, detail: s.scrub(detail) }),
    warn: async (message) => s.warn(message, step.id),
    confirm: async (req) => (s.dryRun ? false : (await askOperator(s, step.id, req)).answer),
    waitFor: async (spec) => {
      await journaledWait(s, step.id, spec, contextFor(s, step, false), step.apiMayVanish === true);
    },
  };
}
