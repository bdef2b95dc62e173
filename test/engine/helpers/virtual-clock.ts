// A deterministic Clock for tests: modelled time only moves when something sleeps (each
// sleep jumps "now" forward by its duration after letting pending callbacks run), so
// backoffs and deadlines are exact and a test never waits for wall time.
import type { Clock } from '../../../src/common/clock.js';

export class VirtualClock implements Clock {
  readonly scale = Infinity;
  readonly sleeps: number[] = [];
  constructor(private t = Date.UTC(2025, 2, 14, 22, 0, 0)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = () => {
        clearImmediate(timer);
        reject(signal?.reason as Error);
      };
      const timer = setImmediate(() => {
        signal?.removeEventListener('abort', onAbort);
        this.t += Math.max(0, ms);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
