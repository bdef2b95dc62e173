// The twin's event log: every meaningful transition of the simulated cluster, stamped with
// modelled time. Tests and benchmarks read it to check the runbook's ordering ("no node
// off while a VMI ran on it", "etcd leader last", "Rancher at 0 before any downstream VM
// stopped"); `fallow rehearse` prints it. Controllers only append; nothing here reads the
// store or changes the cluster.
import type { Clock } from '../common/clock.js';

export type TwinEventType =
  | 'node.power' // detail: on | off | shutting-down | booting
  | 'node.ready'
  | 'node.notready'
  | 'node.ip-changed'
  | 'pod.deleted'
  | 'pod.force-deleted'
  | 'pod.evicted'
  | 'pod.crashloop'
  | 'pod.shutdown-terminated' // the kubelet's graceful node shutdown marked it Failed (Terminated)
  | 'deployment.scaled' // data: { from, to }; by: client | scale-available | rancher-manager
  | 'vm.runstrategy' // data: { from, to }; by
  | 'vmi.created'
  | 'vmi.scheduled'
  | 'vmi.running'
  | 'vmi.failed'
  | 'vmi.deleted'
  | 'guest.acpi-shutdown'
  | 'guest.killed'
  | 'guest.lost' // the node went off under a running guest
  | 'rancher.vm-restarted'
  | 'volume.attaching'
  | 'volume.attached'
  | 'volume.detaching'
  | 'volume.detached'
  | 'volume.degraded'
  | 'volume.healthy'
  | 'volume.faulted'
  | 'addon.status' // detail: the new status.status (or OperationFailed)
  | 'etcd.member' // detail: started | stopped
  | 'etcd.leader' // node: the new leader; data: { term, from }
  | 'etcd.quorum-lost'
  | 'etcd.quorum-regained'
  | 'api.reachability' // detail: up | unavailable | refused
  | 'vip.set'
  | 'vip.cleared'
  | 'bundle.ready'
  | 'bundle.downloaded'
  | 'backup.ready'
  | 'backup.error'
  | 'fault'; // a fault fired: detail names it

export interface TwinEvent {
  /** Order of recording (ties in modelled time keep their order). */
  seq: number;
  /** Modelled epoch ms. */
  t: number;
  type: TwinEventType;
  /** "namespace/name" or a cluster-scoped name. */
  object?: string;
  node?: string;
  /** Who caused it: "client", "scale-available", "rancher-manager", "kubelet", … */
  by?: string;
  detail?: string;
  data?: Record<string, unknown>;
}

export type TwinEventInput = Omit<TwinEvent, 'seq' | 't'>;

export interface EventQuery {
  type?: TwinEventType | TwinEventType[];
  object?: string;
  node?: string;
  detail?: string;
  by?: string;
  /** Modelled ms, inclusive. */
  since?: number;
}

export class EventLog {
  private readonly items: TwinEvent[] = [];
  private readonly listeners = new Set<(ev: TwinEvent) => void>();
  private seq = 0;

  constructor(private readonly clock: Clock) {}

  record(input: TwinEventInput): TwinEvent {
    const ev: TwinEvent = { seq: ++this.seq, t: this.clock.now(), ...input };
    this.items.push(ev);
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        // a listener's bug must not stop the cluster from recording
      }
    }
    return ev;
  }

  all(): readonly TwinEvent[] {
    return this.items;
  }

  find(q: EventQuery = {}): TwinEvent[] {
    return this.items.filter((ev) => matches(ev, q));
  }

  first(q: EventQuery): TwinEvent | undefined {
    return this.items.find((ev) => matches(ev, q));
  }

  last(q: EventQuery): TwinEvent | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) if (matches(this.items[i]!, q)) return this.items[i];
    return undefined;
  }

  subscribe(listener: (ev: TwinEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first event (recorded from now on, or already recorded if `past`) matching q. */
  waitFor(q: EventQuery, opts: { past?: boolean; signal?: AbortSignal } = {}): Promise<TwinEvent> {
    if (opts.past) {
      const hit = this.first(q);
      if (hit) return Promise.resolve(hit);
    }
    return new Promise((resolve, reject) => {
      const stop = this.subscribe((ev) => {
        if (!matches(ev, q)) return;
        stop();
        resolve(ev);
      });
      opts.signal?.addEventListener('abort', () => {
        stop();
        reject(opts.signal?.reason as Error);
      });
    });
  }

  /** One line per event, for `fallow rehearse` and failing tests. */
  format(ev: TwinEvent, epoch = this.items[0]?.t ?? ev.t): string {
    const s = ((ev.t - epoch) / 1000).toFixed(1).padStart(8);
    const parts = [`+${s}s`, ev.type];
    if (ev.object) parts.push(ev.object);
    if (ev.node) parts.push(`node=${ev.node}`);
    if (ev.detail) parts.push(ev.detail);
    if (ev.by) parts.push(`by=${ev.by}`);
    return parts.join(' ');
  }
}

export function matches(ev: TwinEvent, q: EventQuery): boolean {
  if (q.type && (Array.isArray(q.type) ? !q.type.includes(ev.type) : ev.type !== q.type)) return false;
  if (q.object !== undefined && ev.object !== q.object) return false;
  if (q.node !== undefined && ev.node !== q.node) return false;
  if (q.detail !== undefined && ev.detail !== q.detail) return false;
  if (q.by !== undefined && ev.by !== q.by) return false;
  if (q.since !== undefined && ev.t < q.since) return false;
  return true;
}
