// The shape every queue-driven twin controller shares: a work queue of keys behind the API
// gate, informer handlers that enqueue, and a reconcile that reads caches and writes only
// what differs.
import type { Controller, TwinContext } from './context.js';
import { WorkQueue } from './queue.js';

export abstract class QueueController implements Controller {
  protected readonly queue: WorkQueue;

  constructor(
    readonly name: string,
    protected readonly ctx: TwinContext,
  ) {
    this.queue = new WorkQueue(name, (k) => this.reconcile(k), ctx.timers, ctx.gate);
  }

  abstract setup(): void;
  protected abstract reconcile(key: string): Promise<void>;
  abstract resync(): void;

  stop(): void {
    this.queue.stop();
  }

  idle(): boolean {
    return this.queue.idle();
  }
}
