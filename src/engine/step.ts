// One step, resumably: enabled → skip → record → check → confirm → intent → act → outcome
// → wait → done. Resuming, a finished step is passed over; a step whose act may have run
// (an intent in the journal) goes straight back to check, never to a blind second act.
import { formatError } from '../common/errors.js';
import { backoffDelay, RetriesExhausted } from './backoff.js';
import { classifyError } from './classify.js';
import { confirmStep } from './confirm.js';
import { contextFor } from './context.js';
import { journaledWait } from './journaled-wait.js';
import type { Session } from './session.js';
import type { Step, StepContext } from './types.js';

export type StepEnd = 'done' | 'skipped';

export async function runStep<Env>(s: Session<Env>, step: Step<Env>, index: number): Promise<StepEnd> {
  const st = s.stepState(step.id);
  if (st.status === 'done' || st.status === 'skipped') {
    const reason = st.status === 'done' ? 'done in an earlier session' : `skipped in an earlier session: ${st.detail ?? ''}`;
    s.emit({ type: 'step-skip', step: step.id, title: step.title, reason });
    return st.status;
  }
  const resumed = st.status !== 'pending';
  s.emit({ type: 'step-start', step: step.id, title: step.title, index, total: s.runbook.steps.length, resumed });
  if (!resumed) s.append({ type: 'step-start', step: step.id });
  const ctx = contextFor(s, step, false);

  if (st.attempts === 0) {
    const reason = await whyNotRun(s, step, ctx);
    if (reason !== undefined) {
      s.append({ type: 'step-skipped', step: step.id, reason });
      s.emit({ type: 'step-skip', step: step.id, title: step.title, reason });
      return 'skipped';
    }
    if (step.record) await s.retrying(step, 'record', () => step.record!(ctx));
  }

  const acted = await checkAndAct(s, step, ctx);
  s.signal.throwIfAborted(); // a stop request lands here, after the act: the wait resumes later
  let detail: string | undefined;
  if (step.wait) detail = (await journaledWait(s, step.id, step.wait(ctx), ctx, step.apiMayVanish === true)).detail;
  s.append({ type: 'step-done', step: step.id, alreadyDone: !acted, ...(detail ? { detail: s.scrub(detail) } : {}) });
  s.emit({ type: 'step-done', step: step.id, alreadyDone: !acted, ...(detail ? { detail: s.scrub(detail) } : {}) });
  return 'done';
}

async function whyNotRun<Env>(s: Session<Env>, step: Step<Env>, ctx: StepContext<Env>): Promise<string | undefined> {
  if (step.enabled && !step.enabled(ctx)) return 'not enabled for this run';
  return step.skip ? s.retrying(step, 'skip', () => step.skip!(ctx)) : undefined;
}

/** Check, and act only if not done; transient act failures go back to check after a backoff. */
async function checkAndAct<Env>(s: Session<Env>, step: Step<Env>, ctx: StepContext<Env>): Promise<boolean> {
  const st = s.stepState(step.id);
  let acted = false;
  for (let failures = 0; ; ) {
    const check = await s.retrying(step, 'check', () => step.check(ctx));
    s.emit({ type: 'check', step: step.id, done: check.done, ...(check.detail ? { detail: s.scrub(check.detail) } : {}) });
    if (check.done) return acted;
    const what = step.describe ? await s.retrying(step, 'describe', () => step.describe!(ctx)) : [step.title];
    if (step.destructive && !st.confirmed) await confirmStep(s, step, what);
    s.signal.throwIfAborted();
    const attempt = st.attempts + 1;
    s.append({ type: 'intent', step: step.id, attempt, what });
    s.emit({ type: 'act', step: step.id, attempt, what });
    try {
      await step.act(contextFor(s, step, true));
      s.append({ type: 'outcome', step: step.id, attempt, ok: true });
      return true;
    } catch (err) {
      acted = true; // maybe partly: the next check tells
      const c = classifyError(err, { apiMayVanish: step.apiMayVanish === true });
      s.append({ type: 'outcome', step: step.id, attempt, ok: false, message: s.scrub(formatError(err)), transient: c.transient });
      failures += 1;
      if (!c.transient || s.actSignal.aborted) throw err;
      if (failures >= s.policy.maxAttempts) throw new RetriesExhausted(failures, err);
      const delayMs = backoffDelay(failures, s.policy, s.options.random, c.retryAfterMs);
      s.emit({ type: 'retry', step: step.id, phase: 'act', attempt: failures, delayMs, error: s.scrub(formatError(err)) });
      await s.clock.sleep(delayMs, s.signal);
    }
  }
}
