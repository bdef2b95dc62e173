// Work queues and the API gate. A controller's queue holds object keys, deduplicated, and
// reconciles them one at a time, asynchronously (never inside the store's write that
// triggered the change). While the gate is closed — the twin's API server has no etcd
// quorum or no control-plane node — nothing in the cluster can write, so queues hold their
// keys and drain when it opens again. Failed reconciles are retried after a backoff.
import { StatusError } from '../store/errors.js';
import type { Timers } from './timers.js';

/** Open while the cluster's API works (etcd quorum and a control-plane node up). */
export class ApiGate {
  private open = true;
  private readonly listeners = new Set<(open: boolean) => void>();

  isOpen(): boolean {
    return this.open;
  }

  set(open: boolean): void {
    if (open === this.open) return;
    this.open = open;
    for (const l of [...this.listeners]) l(open);
  }

  onChange(listener: (open: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface QueueStats {
  processed: number;
  failures: number;
  lastError?: string;
}

export class WorkQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private draining = false;
  private stopped = false;
  private readonly delayed = new Map<string, { at: number; cancel: () => void }>();
  readonly stats: QueueStats = { processed: 0, failures: 0 };

  constructor(
    readonly name: string,
    private readonly reconcile: (key: string) => Promise<void> | void,
    private readonly timers: Timers,
    private readonly gate?: ApiGate,
    private readonly retryMs = 1000,
  ) {
    gate?.onChange((open) => {
      if (open) this.schedule();
    });
  }

  add(key: string): void {
    if (this.stopped) return;
    this.pending.add(key);
    this.schedule();
  }

  addAll(keys: Iterable<string>): void {
    for (const k of keys) this.pending.add(k);
    this.schedule();
  }

  /** Reconcile `key` again after `ms` modelled ms (the earliest pending wake-up wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const at = this.timers.clock.now() + Math.max(0, ms);
    const prev = this.delayed.get(key);
    if (prev && prev.at <= at) return;
    prev?.cancel();
    const cancel = this.timers.after(ms, () => {
      this.delayed.delete(key);
      this.add(key);
    });
    this.delayed.set(key, { at, cancel });
  }

  get length(): number {
    return this.pending.size;
  }

  /** True when nothing is pending or running (delayed keys do not count). */
  idle(): boolean {
    return this.pending.size === 0 && !this.draining;
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
    for (const d of this.delayed.values()) d.cancel();
    this.delayed.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.draining || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining || this.stopped) return;
    this.draining = true;
    let n = 0;
    try {
      while (this.pending.size > 0 && !this.stopped) {
        if (this.gate && !this.gate.isOpen()) return;
        const key = this.pending.values().next().value as string;
        this.pending.delete(key);
        try {
          await this.reconcile(key);
          this.stats.processed++;
        } catch (err) {
          this.stats.failures++;
          this.stats.lastError = `${key}: ${(err as Error).message}`;
          if (!(err instanceof StatusError && err.code === 404)) {
            if (err instanceof StatusError && err.code === 409) this.pending.add(key);
            else this.addAfter(key, this.retryMs);
          }
        }
        // let the API server and timers run between batches
        if (++n % 200 === 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
      if (this.pending.size > 0 && (!this.gate || this.gate.isOpen())) this.schedule();
    }
  }
}
