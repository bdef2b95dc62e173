// The one wait primitive: evaluate the condition now, then whenever the spec's subscription
// wakes us or its poll interval passes, until done, failed, or the stored deadline. A
// transient error while evaluating counts as "not yet" (fail closed: never as done).
import type { Clock } from '../common/clock.js';
import { FatalError, formatError, NeedsOperatorError } from '../common/errors.js';
import { classifyError, type ClassifyOptions } from './classify.js';
import type { StepContext, WaitResult, WaitSpec } from './types.js';

export const DEFAULT_POLL_MS = 5_000;

export interface WaitRun<Env> {
  spec: WaitSpec<Env>;
  ctx: StepContext<Env>;
  stepId: string;
  startedAt: number;
  deadline: number;
  clock: Clock;
  signal: AbortSignal;
  defaultPollMs?: number;
  classify?: ClassifyOptions;
  onProgress?(p: { detail: string; elapsedMs: number; remainingMs: number }): void;
}

/** Thrown when the deadline passes; carries the last "waiting" detail. */
export class WaitTimeoutError extends NeedsOperatorError {
  constructor(
    readonly waitName: string,
    readonly stepId: string,
    readonly lastDetail: string | undefined,
    timeoutMs: number,
  ) {
    super(
      `Timed out after ${formatDuration(timeoutMs)} waiting for ${waitName} (step ${stepId})${lastDetail ? `: ${lastDetail}` : ''}`,
      'Find out why with `fallow status` and kubectl, fix it, then run `fallow resume` (the wait starts over)',
    );
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m}m` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export async function runWait<Env>(w: WaitRun<Env>): Promise<{ detail?: string }> {
  let woke = false;
  let interrupt: (() => void) | undefined;
  const wake = () => {
    woke = true;
    interrupt?.();
  };
  let unsubscribe: (() => void) | undefined;
  if (w.spec.subscribe) {
    try {
      unsubscribe = await w.spec.subscribe(w.ctx, wake);
    } catch (err) {
      if (!classifyError(err, w.classify).transient) throw err;
      // no watch for now: the poll interval still bounds the wait
    }
  }
  const pollMs = Math.max(1, w.spec.pollMs ?? w.defaultPollMs ?? DEFAULT_POLL_MS);
  let last: string | undefined;
  try {
    for (;;) {
      w.signal.throwIfAborted();
      woke = false;
      const result = await evaluate(w);
      if (result.state === 'done') return result.detail !== undefined ? { detail: result.detail } : {};
      if (result.state === 'failed') throw new FatalError(`${w.spec.name} (step ${w.stepId}): ${result.reason}`, result.hint);
      const now = w.clock.now();
      w.onProgress?.({ detail: result.detail, elapsedMs: now - w.startedAt, remainingMs: Math.max(0, w.deadline - now) });
      last = result.detail;
      if (now >= w.deadline) throw new WaitTimeoutError(w.spec.name, w.stepId, last, w.deadline - w.startedAt);
      if (woke) continue;
      const ac = new AbortController();
      const stop = () => ac.abort(w.signal.reason);
      w.signal.addEventListener('abort', stop, { once: true });
      interrupt = () => ac.abort();
      try {
        await w.clock.sleep(Math.min(pollMs, w.deadline - now), ac.signal);
      } catch {
        // woken early (or stopped: throwIfAborted at the top of the loop says which)
      } finally {
        interrupt = undefined;
        w.signal.removeEventListener('abort', stop);
      }
    }
  } finally {
    unsubscribe?.();
  }
}

async function evaluate<Env>(w: WaitRun<Env>): Promise<WaitResult> {
  try {
    return await w.spec.evaluate(w.ctx);
  } catch (err) {
    if (w.signal.aborted || !classifyError(err, w.classify).transient) throw err;
    return { state: 'waiting', detail: `cannot tell yet (${formatError(err)})` };
  }
}
