// DaemonSets and StatefulSets. A DaemonSet keeps one pod on every node its template fits
// (it tolerates the unreachable/not-ready taints, so a down node keeps its stale pod); a
// StatefulSet keeps pods "<name>-0…n-1", each with its own PVCs from volumeClaimTemplates
// ("<template>-<name>-<ordinal>"), which outlive the pods — as rancher-monitoring's
// prometheus volumes do when the addon is disabled.
import { Kinds } from '../../../common/harvester.js';
import type { NodeObject, PodObject } from '../../../common/harvester-types.js';
import type { KObject } from '../../store/types.js';
import { QueueController } from '../base.js';
import type { TwinContext } from '../context.js';
import type { Informer } from '../informer.js';
import { controllerOf, fitsNode, ownerIndex, podActive, podReady, podSpec, sameJson, type Toleration } from '../util.js';
import { podFromTemplate, type WorkloadLike } from './template.js';

/** Tolerations the DaemonSet controller adds to every daemon pod. */
const daemonTolerations: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

export class DaemonSetController extends QueueController {
  private readonly sets: Informer<WorkloadLike>;
  private readonly pods: Informer<PodObject>;
  private readonly nodes: Informer<NodeObject>;

  constructor(ctx: TwinContext) {
    super('daemonsets', ctx);
    this.sets = ctx.informers.for<WorkloadLike>(Kinds.DaemonSet);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
    this.nodes = ctx.informers.for<NodeObject>(Kinds.Node);
  }

  setup(): void {
    this.pods.addIndex('owner', ownerIndex);
    this.sets.onChange((type, ds) => {
      if (type !== 'DELETED') this.queue.add(`${ds.metadata.namespace}/${ds.metadata.name}`);
    });
    this.pods.onChange((_t, p) => {
      const owner = controllerOf(p);
      if (owner?.kind === 'DaemonSet') this.queue.add(`${p.metadata.namespace}/${owner.name}`);
    });
    // Upstream requeues on a node's label or taint change too (not on its status heartbeats).
    this.nodes.onChange((type, n, old) => {
      if (type !== 'MODIFIED' || !old || !sameJson(old.spec?.taints ?? [], n.spec?.taints ?? []) || !sameJson(old.metadata.labels ?? {}, n.metadata.labels ?? {})) this.resync();
    });
  }

  resync(): void {
    this.queue.addAll(this.sets.keys());
  }

  protected async reconcile(key: string): Promise<void> {
    const ds = this.sets.get(key);
    if (!ds?.metadata.uid) return;
    const tols = [...(ds.spec?.template?.spec?.tolerations ?? []), ...daemonTolerations];
    const spec = { ...ds.spec?.template?.spec, tolerations: tols };
    // Readiness does not matter to a DaemonSet: cordon and the unreachable taints are tolerated.
    const eligible = this.nodes.list().filter((n) => fitsNode(spec, { ...n, spec: { ...n.spec, unschedulable: false } }));
    // As upstream: a finished daemon pod (Failed: a graceful node shutdown's, an admission
    // rejection) is deleted, and its node gets a new one on the next sync. Upstream backs
    // off per node; the twin's kubelets do not reject pods in a loop, so it needs none.
    const owned = this.pods.byIndex('owner', ds.metadata.uid);
    const finished = owned.filter((p) => !p.metadata.deletionTimestamp && (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded'));
    for (const p of finished) await this.ctx.api.delete(Kinds.Pod, p.metadata.namespace, p.metadata.name, { preconditions: { uid: p.metadata.uid! } });
    const pods = owned.filter(podActive);
    const byNode = new Map(pods.map((p) => [podSpec(p).nodeName ?? '', p]));
    const replacedOn = new Set(finished.map((p) => podSpec(p).nodeName ?? ''));
    for (const n of eligible) {
      if (byNode.has(n.metadata.name) || replacedOn.has(n.metadata.name)) continue;
      await this.ctx.api.create(podFromTemplate(ds, ds.spec?.template, `${ds.metadata.name}-${this.ctx.rng.suffix()}`, { spec: { nodeName: n.metadata.name, tolerations: tols } }));
    }
    // As upstream's shouldContinueRunning: a daemon pod stays unless a NoExecute taint it
    // does not tolerate came; a NoSchedule taint (a new node's not-ready) only stops new ones.
    const keep = new Set(
      this.nodes
        .list()
        .filter((n) => fitsNode(spec, { ...n, spec: { ...n.spec, unschedulable: false, taints: n.spec?.taints?.filter((t) => t.effect === 'NoExecute') } }))
        .map((n) => n.metadata.name),
    );
    for (const p of pods) if (!keep.has(podSpec(p).nodeName ?? '')) await this.ctx.api.delete(Kinds.Pod, p.metadata.namespace, p.metadata.name);
    const current = this.pods.byIndex('owner', ds.metadata.uid).filter(podActive);
    const ready = current.filter(podReady).length;
    const status = {
      currentNumberScheduled: current.length,
      desiredNumberScheduled: eligible.length,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      updatedNumberScheduled: current.length,
      observedGeneration: ds.metadata.generation ?? 1,
      ...(eligible.length - ready > 0 ? { numberUnavailable: eligible.length - ready } : {}),
    };
    if (!sameJson(ds.status ?? {}, status)) await this.ctx.api.patch(Kinds.DaemonSet, ds.metadata.namespace, ds.metadata.name, { status: { ...status, numberUnavailable: status.numberUnavailable ?? null } }, { subresource: 'status' });
  }
}

export class StatefulSetController extends QueueController {
  private readonly sets: Informer<WorkloadLike>;
  private readonly pods: Informer<PodObject>;
  private readonly pvcs: Informer<KObject>;

  constructor(ctx: TwinContext) {
    super('statefulsets', ctx);
    this.sets = ctx.informers.for<WorkloadLike>(Kinds.StatefulSet);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
    this.pvcs = ctx.informers.for<KObject>(Kinds.PersistentVolumeClaim);
  }

  setup(): void {
    this.pods.addIndex('owner', ownerIndex);
    this.sets.onChange((type, s) => {
      if (type !== 'DELETED') this.queue.add(`${s.metadata.namespace}/${s.metadata.name}`);
    });
    this.pods.onChange((_t, p) => {
      const owner = controllerOf(p);
      if (owner?.kind === 'StatefulSet') this.queue.add(`${p.metadata.namespace}/${owner.name}`);
    });
  }

  resync(): void {
    this.queue.addAll(this.sets.keys());
  }

  protected async reconcile(key: string): Promise<void> {
    const sts = this.sets.get(key);
    if (!sts?.metadata.uid) return;
    const ns = sts.metadata.namespace!;
    const want = sts.spec?.replicas ?? 1;
    const pods = this.pods.byIndex('owner', sts.metadata.uid);
    const byName = new Map(pods.map((p) => [p.metadata.name, p]));
    for (let i = 0; i < want; i++) {
      const name = `${sts.metadata.name}-${i}`;
      if (byName.has(name)) continue; // a terminating one must go before its successor starts
      const claims = (sts.spec?.volumeClaimTemplates ?? []).map((t) => ({ volume: t.metadata.name, claim: `${t.metadata.name}-${sts.metadata.name}-${i}`, spec: t.spec }));
      for (const c of claims) {
        if (this.pvcs.getBy(ns, c.claim)) continue;
        await this.ctx.api.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: c.claim, namespace: ns, labels: { ...(sts.spec?.selector?.matchLabels ?? {}) } }, spec: structuredClone(c.spec ?? {}), status: { phase: 'Pending' } });
      }
      const volumes = [...(sts.spec?.template?.spec?.volumes ?? []), ...claims.map((c) => ({ name: c.volume, persistentVolumeClaim: { claimName: c.claim } }))];
      await this.ctx.api.create(podFromTemplate(sts, sts.spec?.template, name, { labels: { 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(i) }, spec: { volumes } }));
    }
    for (const p of pods) {
      const ordinal = Number(p.metadata.name.slice(sts.metadata.name.length + 1));
      if (ordinal >= want && podActive(p)) await this.ctx.api.delete(Kinds.Pod, ns, p.metadata.name);
    }
    const current = this.pods.byIndex('owner', sts.metadata.uid).filter(podActive);
    const ready = current.filter(podReady).length;
    const status = { replicas: current.length, readyReplicas: ready, currentReplicas: current.length, updatedReplicas: current.length, availableReplicas: ready, observedGeneration: sts.metadata.generation ?? 1 };
    if (!sameJson(sts.status ?? {}, status)) await this.ctx.api.patch(Kinds.StatefulSet, ns, sts.metadata.name, { status }, { subresource: 'status' });
  }
}
