// A bounded, tiered reconcile pool: keep at most `limit` items in flight, a tier starting
// only when the previous one is finished; re-evaluated on every cache change. Serves the
// guest-first VM stop (3.1/3.2) and the VM start waves (5.5), which differ only in what
// "finished", "in flight" and "start" mean.
import { capList, count } from '../../common/list.js';

export interface PoolItem {
  key: string;
  tier: number;
}

export interface PoolState {
  finished: string[];
  inFlight: string[];
  pending: string[];
}

export class TieredPool<T extends PoolItem> {
  private readonly started = new Map<string, number>(); // key → modelled start time

  constructor(
    private readonly items: T[],
    private readonly limit: number,
  ) {}

  /** Items already in flight before this process started (a resumed run) count as started now. */
  adopt(keys: string[], now: number): void {
    for (const k of keys) if (!this.started.has(k)) this.started.set(k, now);
  }

  /** The start of this item failed (a transient API error): it goes back to pending. */
  release(key: string): void {
    this.started.delete(key);
  }

  /**
   * Starts the given items with `start`; an item whose start throws is released, so the
   * next look starts it again (the stop/start calls are idempotent), and the first error
   * is rethrown for the engine to classify and retry.
   */
  async startAll<I extends T>(items: I[], start: (item: I) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(items.map(start));
    let firstError: unknown;
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        this.release(items[i]!.key);
        firstError ??= r.reason;
      }
    });
    if (firstError !== undefined) throw firstError;
  }

  startedAt(key: string): number | undefined {
    return this.started.get(key);
  }

  /**
   * Given which items are finished, returns the next ones to start (this tier, up to the
   * limit) and marks them started; finished items leave the in-flight set.
   */
  next(isFinished: (item: T) => boolean, now: number): { toStart: T[]; state: PoolState } {
    // One pass, one isFinished call per item: this runs on every cache event of the wait,
    // over thousands of VMs on a large cluster.
    const unfinished: T[] = [];
    const finished: string[] = [];
    for (const i of this.items) {
      if (isFinished(i)) finished.push(i.key);
      else unfinished.push(i);
    }
    for (const k of finished) this.started.delete(k);
    const inFlight = unfinished.filter((i) => this.started.has(i.key));
    const tier = unfinished[0]?.tier;
    const room = Math.max(0, Math.max(1, this.limit) - inFlight.length);
    const toStart: T[] = [];
    for (const i of unfinished) {
      if (toStart.length >= room) break;
      if (i.tier === tier && !this.started.has(i.key)) toStart.push(i);
    }
    for (const i of toStart) this.started.set(i.key, now);
    return {
      toStart,
      state: {
        finished,
        inFlight: [...inFlight, ...toStart].map((i) => i.key),
        pending: unfinished.map((i) => i.key),
      },
    };
  }
}

export function describePool(verb: string, s: PoolState): string {
  return `waiting for ${count(s.pending.length, 'VM')} to ${verb} (${s.inFlight.length} in progress: ${capList(s.inFlight)})`;
}
