// A wait whose start and deadline are journaled: a resumed session finds the stored start
// and keeps the original deadline; only a new act attempt (or a wait that already ended,
// e.g. timed out) starts the clock again.
import { formatError } from '../common/errors.js';
import type { Session } from './session.js';
import type { StepContext, WaitSpec } from './types.js';
import { runWait } from './wait.js';

export async function journaledWait<Env>(
  s: Session<Env>,
  stepId: string,
  spec: WaitSpec<Env>,
  ctx: StepContext<Env>,
  apiMayVanish: boolean,
): Promise<{ detail?: string }> {
  const stored = s.stepState(stepId).openWaits.get(spec.name);
  const startedAt = stored?.startedAt ?? s.clock.now();
  const deadline = stored?.deadline ?? startedAt + spec.timeoutMs;
  if (!stored) s.append({ type: 'wait-start', step: stepId, name: spec.name, startedAt, timeoutMs: spec.timeoutMs, deadline });
  s.emit({ type: 'wait-start', step: stepId, name: spec.name, deadline, resumed: stored !== undefined });
  try {
    const result = await runWait({
      spec,
      ctx,
      stepId,
      startedAt,
      deadline,
      clock: s.clock,
      signal: s.signal,
      classify: { apiMayVanish },
      ...(s.options.defaultPollMs ? { defaultPollMs: s.options.defaultPollMs } : {}),
      onProgress: (p) => s.emit({ type: 'wait-progress', step: stepId, name: spec.name, detail: s.scrub(p.detail), elapsedMs: p.elapsedMs, remainingMs: p.remainingMs }),
    });
    s.append({ type: 'wait-end', step: stepId, name: spec.name, ok: true, ...(result.detail ? { detail: s.scrub(result.detail) } : {}) });
    return result;
  } catch (err) {
    // A stop request keeps the wait open, so its deadline survives into the resume.
    if (!s.signal.aborted) s.append({ type: 'wait-end', step: stepId, name: spec.name, ok: false, detail: s.scrub(formatError(err)) });
    throw err;
  }
}
