// A client-side QPS limit: a token bucket every request (watch establishment and exec
// included) takes a token from, like client-go's default limiter. It protects a cluster
// that is busy shutting down from a burst of fallow's own reads. Wall time on purpose:
// it bounds real load on a real server, whatever the modelled clock does.
import { wallSleep } from '../common/clock.js';

export interface RateLimit {
  /** Sustained requests per second; 0 or Infinity disables the limit. */
  qps: number;
  /** Requests allowed at once after a quiet spell. */
  burst: number;
}

export const defaultRateLimit: RateLimit = { qps: 20, burst: 40 };

export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Reservations are handed out in order, so no caller starves. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: RateLimit = defaultRateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(limit.burst >= 1)) throw new RangeError(`rate-limit burst must be >= 1, got ${limit.burst}`);
    if (!(limit.qps >= 0)) throw new RangeError(`rate-limit qps must be >= 0, got ${limit.qps}`);
    this.tokens = limit.burst;
    this.last = this.now();
  }

  private get unlimited(): boolean {
    return this.limit.qps === 0 || !Number.isFinite(this.limit.qps);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((t - this.last) / 1000) * this.limit.qps);
    this.last = t;
  }

  /** Takes one token now if one is there; never waits. */
  tryTake(): boolean {
    if (this.unlimited) return true;
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Waits (in FIFO order) until a token is available, then takes it. */
  take(signal?: AbortSignal): Promise<void> {
    if (this.unlimited) return Promise.resolve();
    const turn = this.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        if (this.tryTake()) return;
        const waitMs = ((1 - this.tokens) / this.limit.qps) * 1000;
        await wallSleep(Math.max(1, waitMs), signal);
      }
    });
    // A cancelled waiter must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
