// The services of a node's OS, driven by its power: the kubelet (running or not, and a boot
// sequence number so pods know whether they were started in this boot), the etcd member on
// control-plane and witness nodes, and the node's InternalIP (which a fault can change on
// boot, after which its etcd member cannot rejoin). Services stop when an OS shutdown
// begins (etcd cleanly, handing over leadership) and die at once on a power cut.
import type { EtcdModel } from '../etcd/model.js';
import type { EventLog } from '../events.js';
import type { TwinFaults } from '../faults.js';
import type { TwinPowerState } from '../power.js';
import type { NodePowerModel } from './power.js';

interface NodeOs {
  running: boolean;
  bootSeq: number;
  ip: string;
  /** Modelled ms the kubelet stopped (for the node-monitor grace). */
  stoppedAt: number | undefined;
}

export class Kubelets {
  private readonly nodes = new Map<string, NodeOs>();
  private readonly listeners = new Set<(node: string, running: boolean) => void>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly power: NodePowerModel,
    private readonly etcd: EtcdModel,
    private readonly deps: { events: EventLog; faults: TwinFaults; now: () => number },
    ips: Record<string, string>,
  ) {
    for (const node of power.nodes()) {
      const on = power.state(node) === 'on';
      this.nodes.set(node, { running: on, bootSeq: on ? 1 : 0, ip: ips[node] ?? '', stoppedAt: on ? undefined : deps.now() });
    }
    this.unsubscribe = power.onChange((node, state) => this.onPower(node, state));
  }

  running(node: string): boolean {
    return this.nodes.get(node)?.running ?? false;
  }

  bootSeq(node: string): number {
    return this.nodes.get(node)?.bootSeq ?? 0;
  }

  ip(node: string): string {
    return this.nodes.get(node)?.ip ?? '';
  }

  stoppedAt(node: string): number | undefined {
    return this.nodes.get(node)?.stoppedAt;
  }

  onChange(listener: (node: string, running: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.unsubscribe();
  }

  private onPower(node: string, state: TwinPowerState): void {
    const os = this.nodes.get(node);
    if (!os) return;
    if (state === 'shutting-down' || state === 'off') {
      this.etcd.stop(node, { graceful: state === 'shutting-down' });
      if (os.running) {
        os.running = false;
        os.stoppedAt = this.deps.now();
        this.notify(node, false);
      }
      return;
    }
    if (state !== 'on' || os.running) return;
    const newIp = this.deps.faults.current.nodeIpAfterBoot[node];
    if (newIp && newIp !== os.ip) {
      this.deps.events.record({ type: 'node.ip-changed', node, detail: `${os.ip} → ${newIp}` });
      os.ip = newIp;
      this.etcd.block(node, `peer URL of member on ${node} no longer matches its address ${newIp}`);
    }
    os.running = true;
    os.bootSeq++;
    os.stoppedAt = undefined;
    this.etcd.start(node);
    this.notify(node, true);
  }

  private notify(node: string, running: boolean): void {
    for (const l of [...this.listeners]) l(node, running);
  }
}
