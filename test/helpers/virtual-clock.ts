// Virtual time for the twin-based tests and the bench: modelled time stands still while
// anything in this process works, and jumps to the next sleeper's deadline once the event loop has been
// idle for a few consecutive checks. So a modelled figure counts only modelled waits
// (guest shutdowns, boots, the twin's controller delays, fallow's own polls) and never
// the CPU this machine spends — the same run gives the same modelled times on an idle CI
// box and on a developer machine at load 20, and a 14-hour modelled shutdown runs in as
// long as its work takes. A ScaledClock, by contrast, turns every wall millisecond of
// CPU into `scale` modelled milliseconds. (test/engine/helpers/virtual-clock.ts is a
// different, simpler clock for the engine's tests: every sleep advances time at once, with
// no twin running beside it.)
//
// Idleness is read from the event loop's utilisation (active time between checks): an
// HTTP request between fallow and the twin, a watch event, a journal write all run on
// this loop. What it cannot see is work outside the loop (threadpool fs calls, child
// processes): nothing on the measured path uses a child process, and the journal's fsync
// is synchronous. Every jump is logged (wall ms → modelled ms) so wall-stamped records
// (the API server's request log) can be placed on the modelled timeline.
import { performance } from 'node:perf_hooks';
import { ScaledClock } from '../../src/common/clock.js';

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
  reject: (e: Error) => void;
  cancelled: boolean;
}

export interface VirtualClockOptions {
  /** Modelled epoch ms to start at (default 2026-01-05T08:00:00Z, a fixed start for reproducible timestamps). */
  start?: number;
  /** Consecutive idle checks before a jump (default 2). */
  idleChecks?: number;
  /** Active loop time (ms) that still counts as idle during one check (default 0.2). */
  idleActiveMs?: number;
  /** Give up (reject every sleeper) past this much modelled time (default 7 days). */
  horizonMs?: number;
}

export class VirtualClock extends ScaledClock {
  private t: number;
  private readonly startAt: number;
  private readonly heap: Sleeper[] = [];
  private seq = 0;
  private running = false;
  private readonly idleChecks: number;
  private readonly idleActiveMs: number;
  private readonly horizonMs: number;
  /** Each jump: the wall time it happened and the modelled time it jumped to. */
  readonly jumps: { wall: number; t: number }[] = [];

  constructor(o: VirtualClockOptions = {}) {
    const start = o.start ?? Date.UTC(2026, 0, 5, 8, 0, 0);
    super(1, Date.now(), start);
    this.t = start;
    this.startAt = start;
    this.idleChecks = o.idleChecks ?? 2;
    this.idleActiveMs = o.idleActiveMs ?? 0.2;
    this.horizonMs = o.horizonMs ?? 7 * 86_400_000;
    this.jumps.push({ wall: Date.now(), t: start });
  }

  override now(): number {
    return this.t;
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const s: Sleeper = { at: this.t + Math.max(0, ms), seq: ++this.seq, resolve, reject, cancelled: false };
      if (signal) {
        const onAbort = () => {
          s.cancelled = true;
          reject(signal.reason as Error);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        s.resolve = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      }
      this.push(s);
    });
  }

  override toEnv(): string {
    throw new Error('virtual time lives in this process only: run child processes on a ScaledClock');
  }

  /** Modelled ms elapsed since the clock started. */
  elapsed(): number {
    return this.t - this.startAt;
  }

  /** The modelled time in force at a wall instant (for wall-stamped logs). */
  atWall(wall: number): number {
    let lo = 0;
    let hi = this.jumps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.jumps[mid]!.wall <= wall) lo = mid;
      else hi = mid - 1;
    }
    return this.jumps[lo]!.t;
  }

  /** Starts advancing time whenever the process is idle. */
  start(): void {
    if (this.running) return;
    this.running = true;
    void this.drive();
  }

  stop(): void {
    this.running = false;
  }

  private async drive(): Promise<void> {
    let prev = performance.eventLoopUtilization();
    let idle = 0;
    while (this.running) {
      await new Promise((r) => setTimeout(r, 1));
      const now = performance.eventLoopUtilization();
      const delta = performance.eventLoopUtilization(now, prev);
      prev = now;
      if (delta.active > this.idleActiveMs) {
        idle = 0;
        continue;
      }
      if (++idle < this.idleChecks) continue;
      idle = 0;
      this.advance();
    }
  }

  /** Jumps to the earliest live deadline and wakes every sleeper due then. */
  private advance(): void {
    while (this.heap.length && this.heap[0]!.cancelled) this.pop();
    const first = this.heap[0];
    if (!first) return;
    if (first.at - this.startAt > this.horizonMs) {
      // Something waits for ever (a run stuck on a long timeout): fail every waiter.
      const err = new Error(`virtual time passed its horizon of ${this.horizonMs / 3_600_000} h: the run is stuck waiting`);
      while (this.heap.length) this.pop().reject(err);
      return;
    }
    if (first.at > this.t) {
      this.t = first.at;
      this.jumps.push({ wall: Date.now(), t: this.t });
    }
    while (this.heap.length && this.heap[0]!.at <= this.t) {
      const s = this.pop();
      if (!s.cancelled) s.resolve();
    }
  }

  private push(s: Sleeper): void {
    const h = this.heap;
    h.push(s);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Sleeper {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Sleeper, b: Sleeper): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
