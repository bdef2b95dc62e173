// Whether the cluster's API answers: refused when no control-plane node is running (nothing
// listens behind the VIP), unavailable when a kube-apiserver runs but etcd has no leader (no
// quorum: kube-apiserver answers 503 / etcd timeouts), up otherwise. Drives the API server's
// reachability and the gate that pauses every controller while the API is down.
import type { EtcdModel } from '../etcd/model.js';
import type { EventLog } from '../events.js';
import type { NodePowerModel } from './power.js';
import type { ApiGate } from './queue.js';

export type Reachability = 'up' | 'unavailable' | 'refused';

export class ApiReachability {
  private state: Reachability;
  private sink: ((s: Reachability) => void | Promise<void>) | undefined;
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly deps: { power: NodePowerModel; etcd: EtcdModel; gate: ApiGate; events: EventLog },
    private readonly controlPlane: string[],
  ) {
    this.state = this.compute();
    deps.gate.set(this.state === 'up');
    this.stops.push(deps.power.onChange(() => this.update()));
    this.stops.push(deps.etcd.onChange(() => this.update()));
  }

  current(): Reachability {
    return this.state;
  }

  /**
   * Where to send changes (the API server's setReachability, or a real apiserver being
   * stopped and started); sends the current state now. An async sink keeps the gate
   * closed until the API is really back, so controllers do not write into an API that is
   * still starting.
   */
  attach(sink: (s: Reachability) => void | Promise<void>): void {
    this.sink = sink;
    this.deliver(this.state);
  }

  stop(): void {
    for (const s of this.stops) s();
  }

  private compute(): Reachability {
    if (!this.controlPlane.some((n) => this.deps.power.state(n) === 'on')) return 'refused';
    return this.deps.etcd.leader() ? 'up' : 'unavailable';
  }

  private update(): void {
    const next = this.compute();
    if (next === this.state) return;
    this.state = next;
    this.deps.events.record({ type: 'api.reachability', detail: next });
    this.deliver(next);
  }

  private deliver(next: Reachability): void {
    if (next !== 'up') this.deps.gate.set(false);
    const done = this.sink?.(next);
    if (next !== 'up') return;
    if (!done) return this.deps.gate.set(true);
    const open = (): void => {
      if (this.state === 'up') this.deps.gate.set(true);
    };
    void done.then(open, open);
  }
}
