// Where each item of a TieredPool stands, without reading every object on every event.
// The VM stop (3.1/3.2) and start waves (5.5) are re-evaluated on every VM/VMI event; on a
// cluster of thousands of VMs, reading each of them every time made those waits CPU-bound.
// A full look (every `fullEveryMs`, and whenever the caller asks: before calling the pool
// done) reads every item; in between only the items in flight or just started — the ones
// whose state the step is changing — are read again. An item nobody started stays as the
// last full look saw it.
import type { PoolItem } from './pool.js';

export type Look = 'finished' | 'inFlight' | 'pending';

export class PoolLooks<T extends PoolItem> {
  readonly finished = new Set<string>();
  readonly inFlight = new Set<string>();
  private readonly byKey: Map<string, T>;
  /** Started by the step and not yet finished (a request may show no change at first). */
  private readonly watched = new Set<string>();
  private lastFull = -Infinity;

  constructor(
    items: T[],
    private readonly fullEveryMs = 15_000,
  ) {
    this.byKey = new Map(items.map((i) => [i.key, i]));
  }

  /** Reads items with `look` (all of them on a full look) and returns where they stand. */
  refresh(look: (item: T) => Look, now: number, full = false): { finished: ReadonlySet<string>; inFlight: ReadonlySet<string> } {
    if (full || now - this.lastFull >= this.fullEveryMs) {
      this.lastFull = now;
      for (const item of this.byKey.values()) this.apply(item, look(item));
    } else {
      for (const k of new Set([...this.inFlight, ...this.watched])) {
        const item = this.byKey.get(k)!;
        this.apply(item, look(item));
      }
    }
    return { finished: this.finished, inFlight: this.inFlight };
  }

  /** Items the step just started: read on every refresh until they finish. */
  started(keys: string[]): void {
    for (const k of keys) if (this.byKey.has(k)) this.watched.add(k);
  }

  private apply(item: T, l: Look): void {
    this.finished.delete(item.key);
    this.inFlight.delete(item.key);
    if (l === 'finished') {
      this.finished.add(item.key);
      this.watched.delete(item.key);
    } else if (l === 'inFlight') this.inFlight.add(item.key);
  }
}
