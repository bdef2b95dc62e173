// Modelled-time timers for the twin's controllers: "in 180 modelled seconds, kill the
// guest". Everything runs on the twin's Clock, and `stop()` cancels every pending timer so
// a stopped twin leaves nothing behind in the event loop.
import type { Clock } from '../../common/clock.js';

export class Timers {
  private readonly pending = new Set<AbortController>();
  private stopped = false;

  constructor(readonly clock: Clock) {}

  /** Runs `fn` after `ms` modelled ms; returns a cancel function. */
  after(ms: number, fn: () => void): () => void {
    if (this.stopped) return () => {};
    const ac = new AbortController();
    this.pending.add(ac);
    this.clock.sleep(ms, ac.signal).then(
      () => {
        this.pending.delete(ac);
        if (!this.stopped) fn();
      },
      () => this.pending.delete(ac),
    );
    return () => {
      this.pending.delete(ac);
      ac.abort();
    };
  }

  /** Runs `fn` every `ms` modelled ms until cancelled. */
  every(ms: number, fn: () => void): () => void {
    let cancel = () => {};
    let live = true;
    const tick = () => {
      if (!live) return;
      fn();
      cancel = this.after(ms, tick);
    };
    cancel = this.after(ms, tick);
    return () => {
      live = false;
      cancel();
    };
  }

  get size(): number {
    return this.pending.size;
  }

  stop(): void {
    this.stopped = true;
    for (const ac of this.pending) ac.abort();
    this.pending.clear();
  }
}
