// Exponential backoff with full jitter ("sleep a random time up to base·2^n, capped"),
// on the run's Clock, for a bounded number of attempts.
import type { Clock } from '../common/clock.js';
import { classifyError, type Classification, type ClassifyOptions } from './classify.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 6, baseMs: 1_000, capMs: 60_000 };

/** Delay before retry number `retry` (1 = after the first failure). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random, atLeastMs = 0): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.min(policy.capMs, Math.max(atLeastMs, Math.floor(random() * ceiling)));
}

export interface RetryHooks {
  clock: Clock;
  signal: AbortSignal;
  policy: RetryPolicy;
  classify?: ClassifyOptions;
  random?: () => number;
  onRetry?(info: { attempt: number; delayMs: number; error: unknown; classification: Classification }): void;
}

/** Thrown when a transient error persisted through every attempt; `cause` is the last one. */
export class RetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    readonly last: unknown,
  ) {
    super(`gave up after ${attempts} attempts`, { cause: last });
    this.name = 'RetriesExhausted';
  }
}

/** Runs `fn`, retrying transient failures; non-transient ones are thrown at once. */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, hooks: RetryHooks): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (hooks.signal.aborted) throw error;
      const classification = classifyError(error, hooks.classify);
      if (!classification.transient) throw error;
      if (attempt >= hooks.policy.maxAttempts) throw new RetriesExhausted(attempt, error);
      const delayMs = backoffDelay(attempt, hooks.policy, hooks.random, classification.retryAfterMs);
      hooks.onRetry?.({ attempt, delayMs, error, classification });
      await hooks.clock.sleep(delayMs, hooks.signal);
    }
  }
}
