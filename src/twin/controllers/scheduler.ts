// The scheduler: binds pending pods to a Ready node that fits (nodeSelector, taints — a
// witness node's etcd taint keeps VMs and most pods off it — and cordons), spreading pods of
// one owner across nodes. A pod with no fitting node stays Pending with PodScheduled=False
// (Unschedulable), like the rancher pods of the seed's 3.2 listing.
import { Kinds } from '../../common/harvester.js';
import type { NodeObject, PodObject } from '../../common/harvester-types.js';
import { QueueController } from './base.js';
import type { TwinContext } from './context.js';
import type { Informer } from './informer.js';
import { controllerOf, findCondition, fitsNode, isoTime, nodeReady, ownerIndex, podNodeIndex, podSpec, withCondition } from './util.js';

export class SchedulerController extends QueueController {
  private readonly pods: Informer<PodObject>;
  private readonly nodes: Informer<NodeObject>;

  constructor(ctx: TwinContext) {
    super('scheduler', ctx);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
    this.nodes = ctx.informers.for<NodeObject>(Kinds.Node);
  }

  setup(): void {
    this.pods.addIndex('node', podNodeIndex);
    this.pods.addIndex('owner', ownerIndex);
    this.pods.addIndex('unscheduled', (p) => (!podSpec(p).nodeName && !p.metadata.deletionTimestamp ? ['yes'] : []));
    this.pods.onChange((type, p) => {
      if (type !== 'DELETED' && !podSpec(p).nodeName) this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
    });
    this.nodes.onChange(() => this.resync());
  }

  resync(): void {
    for (const p of this.pods.byIndex('unscheduled', 'yes')) this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
  }

  protected async reconcile(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || podSpec(pod).nodeName || pod.metadata.deletionTimestamp) return;
    const spec = podSpec(pod);
    const nodes = this.nodes.list();
    const fit = nodes.filter((n) => nodeReady(n) && fitsNode(spec, n));
    const now = isoTime(this.ctx.clock);
    if (fit.length === 0) {
      const message = `0/${nodes.length} nodes are available: ${reasons(nodes, spec)}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
      const cur = findCondition(pod.status?.conditions, 'PodScheduled');
      if (cur?.status === 'False' && cur.message === message) return;
      const conditions = withCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }, now);
      await this.ctx.api.patch(Kinds.Pod, pod.metadata.namespace, pod.metadata.name, { status: { phase: 'Pending', conditions } }, { subresource: 'status' });
      return;
    }
    const owner = controllerOf(pod)?.uid;
    const same = new Map<string, number>();
    for (const s of owner ? this.pods.byIndex('owner', owner) : []) {
      const n = podSpec(s).nodeName;
      if (n && !s.metadata.deletionTimestamp) same.set(n, (same.get(n) ?? 0) + 1);
    }
    const score = (n: NodeObject) => (same.get(n.metadata.name) ?? 0) * 100_000 + this.pods.countByIndex('node', n.metadata.name);
    fit.sort((a, b) => score(a) - score(b) || a.metadata.name.localeCompare(b.metadata.name));
    const target = fit[0]!.metadata.name;
    // pods/binding marks the pod PodScheduled itself. A status patch after it would be built
    // from this pre-binding copy: over a real apiserver the kubelet may already have written
    // Running and its conditions, which the patch would put back to Pending.
    await this.ctx.api.bind(pod.metadata.namespace ?? '', pod.metadata.name, target);
  }
}

/** "1 node(s) had untolerated taint {…}, 3 node(s) didn't match Pod's node affinity/selector" */
function reasons(nodes: NodeObject[], spec: ReturnType<typeof podSpec>): string {
  const counts = new Map<string, number>();
  for (const n of nodes) {
    let r: string;
    if (!nodeReady(n)) r = "node(s) had untolerated taint {node.kubernetes.io/unreachable: }";
    else if (n.spec?.unschedulable) r = 'node(s) were unschedulable';
    else if (!fitsNode({ ...spec, tolerations: [{ operator: 'Exists' }] }, n)) r = "node(s) didn't match Pod's node affinity/selector";
    else r = 'node(s) had untolerated taint';
    counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  return [...counts].map(([r, c]) => `${c} ${r}`).sort().join(', ');
}
