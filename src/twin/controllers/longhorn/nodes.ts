// Longhorn's node objects (Ready and Schedulable follow the node's longhorn-manager, i.e.
// its kubelet; a witness never takes replicas) and the CSI provisioner: a pending PVC of a
// Longhorn storage class gets a PV, a Volume "pvc-<uid>" and its replicas, and is bound —
// how an addon's StatefulSet gets its volumes.
import { Kinds } from '../../../common/harvester.js';
import type { Condition, NodeObject } from '../../../common/harvester-types.js';
import type { KObject } from '../../store/types.js';
import { QueueController } from '../base.js';
import type { TwinContext } from '../context.js';
import type { Informer } from '../informer.js';
import { isoTime, withCondition } from '../util.js';
import { LonghornNamespace, longhornVolume, persistentVolume, placeReplicas, replicas, volumeName } from './objects.js';

interface PvcObject extends KObject {
  spec?: { volumeName?: string; storageClassName?: string; resources?: { requests?: { storage?: string } } };
  status?: { phase?: string };
}

const longhornClasses = new Set(['harvester-longhorn', 'longhorn']);

export class LonghornNodeController extends QueueController {
  private readonly lhNodes: Informer<KObject>;
  private readonly nodes: Informer<NodeObject>;
  private readonly pvcs: Informer<PvcObject>;
  private readonly load = new Map<string, number>();

  constructor(
    ctx: TwinContext,
    private readonly dataNodes: string[],
  ) {
    super('longhorn-nodes', ctx);
    this.lhNodes = ctx.informers.for<KObject>(Kinds.LonghornNode);
    this.nodes = ctx.informers.for<NodeObject>(Kinds.Node);
    this.pvcs = ctx.informers.for<PvcObject>(Kinds.PersistentVolumeClaim);
  }

  setup(): void {
    this.ctx.kubelets.onChange((node) => this.queue.add(`node:${node}`));
    this.lhNodes.onChange((type, n) => {
      if (type !== 'DELETED') this.queue.add(`node:${n.metadata.name}`);
    });
    this.pvcs.onChange((type, c) => {
      if (type !== 'DELETED' && !c.spec?.volumeName) this.queue.add(`pvc:${c.metadata.namespace}/${c.metadata.name}`);
    });
  }

  resync(): void {
    for (const n of this.nodes.keys()) this.queue.add(`node:${n}`);
    for (const c of this.pvcs.list()) if (!c.spec?.volumeName) this.queue.add(`pvc:${c.metadata.namespace}/${c.metadata.name}`);
  }

  protected async reconcile(key: string): Promise<void> {
    if (key.startsWith('pvc:')) return this.provision(key.slice(4));
    const name = key.slice(5);
    const lh = this.lhNodes.getBy(LonghornNamespace, name);
    if (!lh) return;
    const up = this.ctx.kubelets.running(name);
    const now = isoTime(this.ctx.clock);
    const cur = ((lh.status ?? {}) as { conditions?: Condition[] }).conditions;
    let conditions = withCondition(cur, up ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', reason: 'ManagerPodDown', message: `Node ${name} is down: the manager pod longhorn-manager is not running` }, now);
    const schedulable = up && this.dataNodes.includes(name);
    conditions = withCondition(conditions, schedulable ? { type: 'Schedulable', status: 'True' } : { type: 'Schedulable', status: 'False', reason: 'KubernetesNodeCordoned' }, now);
    const same = (t: string) => cur?.find((c) => c.type === t)?.status === conditions.find((c) => c.type === t)?.status;
    if (same('Ready') && same('Schedulable')) return;
    await this.ctx.api.patch(Kinds.LonghornNode, LonghornNamespace, name, { status: { conditions } }, { subresource: 'status' });
  }

  private async provision(pvcKey: string): Promise<void> {
    const pvc = this.pvcs.get(pvcKey);
    if (!pvc?.metadata.uid || pvc.spec?.volumeName) return;
    if (!longhornClasses.has(pvc.spec?.storageClassName ?? 'harvester-longhorn')) return;
    const size = pvc.spec?.resources?.requests?.storage ?? '10Gi';
    const plan = {
      pvcNamespace: pvc.metadata.namespace!,
      pvcName: pvc.metadata.name,
      pvcUid: pvc.metadata.uid,
      size,
      replicas: 3,
      nodes: placeReplicas(this.dataNodes, 3, this.load),
      replicaIds: [this.ctx.rng.hex(8), this.ctx.rng.hex(8), this.ctx.rng.hex(8)],
    };
    const now = isoTime(this.ctx.clock);
    await this.ctx.api.create(persistentVolume(plan));
    await this.ctx.api.create(longhornVolume(plan, { now }));
    for (const r of replicas(plan, false)) await this.ctx.api.create(r);
    await this.ctx.api.patch(Kinds.PersistentVolumeClaim, pvc.metadata.namespace, pvc.metadata.name, { spec: { volumeName: volumeName(pvc.metadata.uid) } });
    await this.ctx.api.patch(Kinds.PersistentVolumeClaim, pvc.metadata.namespace, pvc.metadata.name, { status: { phase: 'Bound', accessModes: ['ReadWriteMany'], capacity: { storage: size } } }, { subresource: 'status' });
  }
}
