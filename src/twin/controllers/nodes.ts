// Node status and the node-lifecycle controller. A running kubelet keeps its Node Ready
// (with its current InternalIP and boot id); once it stops, the node stays Ready until the
// node-monitor grace (~40 s) has passed without a heartbeat — counted from when the API last
// came back, as kube-controller-manager does after a restart — then goes Ready=Unknown
// (NodeStatusUnknown), gets the unreachable taints, and its pods are marked not ready. Pods
// that do not tolerate `unreachable` are evicted after their toleration (300 s by default)
// and stay Terminating until the node returns, as on a real cluster.
import { Kinds } from '../../common/harvester.js';
import type { Condition, NodeObject, PodObject } from '../../common/harvester-types.js';
import { QueueController } from './base.js';
import type { TwinContext } from './context.js';
import type { Informer } from './informer.js';
import { findCondition, isoTime, podNodeIndex, podSpec, tolerates, withCondition, type Taint } from './util.js';

const unreachable = 'node.kubernetes.io/unreachable';
const notReady = 'node.kubernetes.io/not-ready';

export class NodeLifecycleController extends QueueController {
  private readonly nodes: Informer<NodeObject>;
  private readonly pods: Informer<PodObject>;
  private apiUpSince: number;
  private readonly evicted = new Set<string>();

  constructor(ctx: TwinContext) {
    super('node-lifecycle', ctx);
    this.nodes = ctx.informers.for<NodeObject>(Kinds.Node);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
    this.apiUpSince = ctx.clock.now();
  }

  setup(): void {
    this.pods.addIndex('node', podNodeIndex);
    this.nodes.onChange((type, n) => {
      if (type !== 'DELETED') this.queue.add(n.metadata.name);
    });
    this.ctx.kubelets.onChange((node) => this.queue.add(node));
    this.ctx.gate.onChange((open) => {
      if (!open) return;
      this.apiUpSince = this.ctx.clock.now();
      this.resync();
    });
  }

  resync(): void {
    this.queue.addAll(this.nodes.keys());
  }

  protected async reconcile(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (!node) return;
    const { kubelets, clock, timing } = this.ctx;
    const now = isoTime(clock);
    const wasReady = findCondition(node.status?.conditions, 'Ready');
    let ready: Condition;
    // not-ready:NoSchedule is what a real apiserver puts on every new Node (admission
    // TaintNodesByCondition) until node lifecycle sees it Ready; the twin's nodes are never
    // Ready=False, so neither taint outlives a Ready kubelet here.
    let taints = (node.spec?.taints ?? []).filter((t) => t.key !== unreachable && t.key !== notReady);
    if (kubelets.running(name)) {
      ready = { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' };
    } else {
      const downSince = Math.max(kubelets.stoppedAt(name) ?? 0, this.apiUpSince);
      const due = downSince + timing.nodeMonitorGraceSeconds * 1000;
      if (clock.now() < due && wasReady?.status === 'True') {
        this.queue.addAfter(name, due - clock.now());
        return;
      }
      ready = { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };
      const added = (node.spec?.taints ?? []).find((t) => t.key === unreachable) as (Taint & { timeAdded?: string }) | undefined;
      const timeAdded = added?.timeAdded ?? now;
      taints = [...taints, { key: unreachable, effect: 'NoSchedule', timeAdded } as Taint, { key: unreachable, effect: 'NoExecute', timeAdded } as Taint];
    }
    const addresses = [
      { type: 'InternalIP', address: kubelets.ip(name) },
      { type: 'Hostname', address: name },
    ];
    const bootID = bootIdOf(name, kubelets.bootSeq(name));
    const conditions = withCondition(node.status?.conditions, ready, now);
    const changed =
      wasReady?.status !== ready.status ||
      JSON.stringify(node.spec?.taints ?? []) !== JSON.stringify(taints) ||
      JSON.stringify(node.status?.addresses) !== JSON.stringify(addresses) ||
      node.status?.nodeInfo?.bootID !== bootID;
    if (changed) {
      await this.ctx.api.patch(Kinds.Node, undefined, name, { spec: { taints: taints.length ? taints : null } });
      await this.ctx.api.patch(Kinds.Node, undefined, name, { status: { conditions, addresses, nodeInfo: { ...node.status?.nodeInfo, bootID } } }, { subresource: 'status' });
      if (wasReady?.status !== ready.status) {
        this.ctx.events.record({ type: ready.status === 'True' ? 'node.ready' : 'node.notready', node: name, detail: ready.reason });
      }
    }
    if (ready.status !== 'True') await this.markPodsNotReady(name);
    else this.evictedOn(name).forEach((k) => this.evicted.delete(k));
  }

  /** MarkPodsNotReady, then taint-based eviction for pods whose toleration ran out. */
  private async markPodsNotReady(node: string): Promise<void> {
    const now = isoTime(this.ctx.clock);
    const nodeObj = this.nodes.get(node);
    const taint = nodeObj?.spec?.taints?.find((t) => t.key === unreachable && t.effect === 'NoExecute') as (Taint & { timeAdded?: string }) | undefined;
    const taintedAt = taint?.timeAdded ? Date.parse(taint.timeAdded) : this.ctx.clock.now();
    let nextEviction = Infinity;
    for (const pod of this.pods.byIndex('node', node)) {
      const conds = pod.status?.conditions;
      if (findCondition(conds, 'Ready')?.status !== 'False' && pod.status?.phase === 'Running') {
        let next = withCondition(conds, { type: 'Ready', status: 'False', reason: 'NodeNotReady' }, now);
        next = withCondition(next, { type: 'ContainersReady', status: 'False', reason: 'NodeNotReady' }, now);
        await this.ctx.api.patch(Kinds.Pod, pod.metadata.namespace, pod.metadata.name, { status: { conditions: next } }, { subresource: 'status' });
      }
      if (pod.metadata.deletionTimestamp || !taint) continue;
      const tol = tolerates(podSpec(pod).tolerations, { key: unreachable, effect: 'NoExecute' });
      if (tol && tol.tolerationSeconds === undefined) continue;
      const seconds = tol?.tolerationSeconds ?? this.ctx.timing.podEvictionSeconds;
      const due = taintedAt + seconds * 1000;
      if (this.ctx.clock.now() >= due) {
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        if (this.evicted.has(key)) continue;
        this.evicted.add(key);
        await this.ctx.api.delete(Kinds.Pod, pod.metadata.namespace, pod.metadata.name);
        this.ctx.events.record({ type: 'pod.evicted', object: key, node, by: 'taint-manager', detail: `${unreachable}:NoExecute after ${seconds}s` });
      } else nextEviction = Math.min(nextEviction, due);
    }
    if (nextEviction < Infinity) this.queue.addAfter(node, nextEviction - this.ctx.clock.now());
  }

  private evictedOn(node: string): string[] {
    return [...this.evicted].filter((k) => this.pods.get(k) === undefined || podSpec(this.pods.get(k)!).nodeName === node);
  }
}

/** A stable boot id per node and boot, shaped like the kernel's (a UUID). */
export function bootIdOf(node: string, seq: number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const s = `${node}#${seq}`;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619) >>> 0;
    h2 = Math.imul(h2 + s.charCodeAt(i), 2246822519) >>> 0;
  }
  const hex = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(2);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
