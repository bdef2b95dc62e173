// longhorn-manager's volume controller, as far as a shutdown sees it. A volume is wanted on
// the node of a pod (a virt-launcher or an addon's pod) that mounts its PVC: it goes
// attaching → attached there (modelled seconds; the pod starts only then) and, once no pod
// uses it, detaching → detached (robustness "unknown", as the seed's listing shows). While
// attached, robustness follows its replicas: a replica whose node goes down fails and must
// be rebuilt when the node is back (degraded for the modelled rebuild time, then healthy);
// no healthy replica left is faulted. Faults: a volume that never detaches, a volume that
// comes back faulted (detached, every replica failed) once one of its replicas' nodes has
// rebooted, whether or not anything wants it attached.
import { Kinds } from '../../../common/harvester.js';
import type { LonghornVolumeObject, PodObject, VolumeRobustness, VolumeState } from '../../../common/harvester-types.js';
import type { KObject } from '../../store/types.js';
import type { TwinEventType } from '../../events.js';
import { QueueController } from '../base.js';
import type { TwinContext } from '../context.js';
import type { Informer } from '../informer.js';
import { controllerOf, isoTime, podClaims, podSpec, sameJson } from '../util.js';
import { LonghornNamespace } from './objects.js';

interface ReplicaObject extends KObject {
  spec?: { volumeName: string; nodeID: string; failedAt?: string };
  status?: { currentState?: string };
}

interface PvcObject extends KObject {
  spec?: { volumeName?: string };
}

interface Transition {
  to: 'attached' | 'detached';
  node: string;
  at: number;
}

export class VolumeController extends QueueController {
  private readonly volumes: Informer<LonghornVolumeObject>;
  private readonly replicas: Informer<ReplicaObject>;
  private readonly pvcs: Informer<PvcObject>;
  private readonly pods: Informer<PodObject>;
  private readonly transitions = new Map<string, Transition>();
  private readonly rebuildDone = new Map<string, number>(); // replica name → modelled ms
  private readonly faulted = new Set<string>();

  constructor(ctx: TwinContext) {
    super('longhorn-volumes', ctx);
    this.volumes = ctx.informers.for<LonghornVolumeObject>(Kinds.LonghornVolume);
    this.replicas = ctx.informers.for<ReplicaObject>(Kinds.LonghornReplica);
    this.pvcs = ctx.informers.for<PvcObject>(Kinds.PersistentVolumeClaim);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
  }

  setup(): void {
    this.pods.addIndex('claim', podClaims);
    this.pvcs.addIndex('volume', (c) => (c.spec?.volumeName ? [c.spec.volumeName] : []));
    this.replicas.addIndex('volume', (r) => (r.spec?.volumeName ? [r.spec.volumeName] : []));
    this.replicas.addIndex('node', (r) => (r.spec?.nodeID ? [r.spec.nodeID] : []));
    this.volumes.onChange((type, v) => {
      if (type !== 'DELETED') this.queue.add(v.metadata.name);
    });
    this.pods.onChange((_t, p) => {
      for (const claim of podClaims(p)) {
        const pvc = this.pvcs.get(claim);
        if (pvc?.spec?.volumeName) this.queue.add(pvc.spec.volumeName);
      }
    });
    this.pvcs.onChange((_t, c) => {
      if (c.spec?.volumeName) this.queue.add(c.spec.volumeName);
    });
    this.ctx.kubelets.onChange((node) => {
      const vols = new Set(this.replicas.byIndex('node', node).map((r) => r.spec!.volumeName));
      for (const v of this.volumes.list()) if (v.status?.currentNodeID === node) vols.add(v.metadata.name);
      this.queue.addAll(vols);
    });
  }

  resync(): void {
    this.queue.addAll(this.volumes.keys().map((k) => k.slice(LonghornNamespace.length + 1)));
  }

  protected async reconcile(name: string): Promise<void> {
    const vol = this.volumes.getBy(LonghornNamespace, name);
    if (!vol) return;
    const now = this.ctx.clock.now();
    const pvc = this.pvcs.byIndex('volume', name)[0];
    const pvcKey = pvc ? `${pvc.metadata.namespace}/${pvc.metadata.name}` : '';
    const consumers = pvc ? this.pods.byIndex('claim', pvcKey).filter((p) => podSpec(p).nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') : [];
    const wanted = consumers[0] ? podSpec(consumers[0]).nodeName! : undefined;
    const stuck = this.ctx.faults.has('volumeStuckAttached', name) || (pvcKey !== '' && this.ctx.faults.has('volumeStuckAttached', pvcKey));
    let state: VolumeState = vol.status?.state ?? 'detached';
    let node = vol.status?.currentNodeID ?? '';
    const t = this.transitions.get(name);
    // A transition that is due stays armed until its state is written: over a real apiserver
    // a write can fail, and the retry must not start again from a cache that never saw it
    // (an 'attaching' volume no transition drives any more stays attaching for good).
    const due = t && now >= t.at ? t : undefined;

    if (!this.faulted.has(name) && this.faultedAfterRestart(name, pvcKey)) {
      // Longhorn marks a volume faulted as soon as its last replica fails, attached or not
      // (isAutoSalvageNeeded), and detaches it: the restart's health gate sees it before
      // anything asks for the volume.
      this.faulted.add(name);
      this.transitions.delete(name);
      await this.failReplicas(name);
      state = 'detached';
      node = '';
    } else if (due) {
      state = due.to;
      node = due.to === 'attached' ? due.node : '';
    } else if (t) {
      this.queue.addAfter(name, t.at - now);
    } else if (wanted && (state === 'detached' || (state === 'attached' && node !== wanted))) {
      if (this.faulted.has(name)) {
        // a faulted volume cannot attach until someone salvages it
      } else if (state === 'attached') {
        state = 'detaching';
        this.arm(name, 'detached', node, this.ctx.timing.volumeDetachSeconds);
      } else if (this.ctx.kubelets.running(wanted)) {
        state = 'attaching';
        node = wanted;
        this.arm(name, 'attached', wanted, this.ctx.timing.volumeAttachSeconds);
      }
    } else if (!wanted && !stuck && (state === 'attached' || state === 'attaching')) {
      state = 'detaching';
      this.arm(name, 'detached', node, this.ctx.timing.volumeDetachSeconds);
    }

    const robustness = await this.robustness(name, vol, state);
    const ks = vol.status?.kubernetesStatus ?? {};
    const workloadsStatus = consumers.map((p) => {
      const owner = controllerOf(p);
      return { podName: p.metadata.name, podStatus: p.status?.phase ?? 'Pending', workloadName: owner?.name ?? '', workloadType: owner?.kind ?? '' };
    });
    const next = {
      state,
      robustness,
      currentNodeID: state === 'detached' ? '' : node,
      kubernetesStatus: { ...ks, workloadsStatus, ...(consumers.length === 0 && ks.workloadsStatus?.length ? { lastPodRefAt: isoTime(this.ctx.clock) } : {}) },
    };
    const cur = { state: vol.status?.state, robustness: vol.status?.robustness, currentNodeID: vol.status?.currentNodeID ?? '', kubernetesStatus: ks };
    if (sameJson(cur, next)) {
      if (due) this.transitions.delete(name);
      return;
    }
    if ((vol.spec as { nodeID?: string } | undefined)?.nodeID !== next.currentNodeID) {
      await this.ctx.api.patch(Kinds.LonghornVolume, LonghornNamespace, name, { spec: { nodeID: next.currentNodeID } });
    }
    await this.ctx.api.patch(Kinds.LonghornVolume, LonghornNamespace, name, { status: next }, { subresource: 'status' });
    if (due && this.transitions.get(name) === due) this.transitions.delete(name);
    this.record(name, vol.status?.state, state, vol.status?.robustness, robustness, next.currentNodeID || vol.status?.currentNodeID || '');
  }

  private arm(name: string, to: Transition['to'], node: string, range: readonly [number, number]): void {
    const ms = this.ctx.rng.seconds(range);
    this.transitions.set(name, { to, node, at: this.ctx.clock.now() + ms });
    this.queue.addAfter(name, ms);
  }

  /** Replica health while attached: failures on down nodes, rebuilds when they return. */
  private async robustness(name: string, vol: LonghornVolumeObject, state: VolumeState): Promise<VolumeRobustness> {
    if (this.faulted.has(name)) return 'faulted';
    if (state !== 'attached') return state === 'detached' ? 'unknown' : vol.status?.robustness ?? 'unknown';
    const now = this.ctx.clock.now();
    let healthy = 0;
    for (const r of this.replicas.byIndex('volume', name)) {
      const node = r.spec!.nodeID;
      const up = this.ctx.kubelets.running(node);
      const failed = Boolean(r.spec?.failedAt);
      if (!up) {
        if (!failed) await this.patchReplica(r, { spec: { failedAt: isoTime(this.ctx.clock) }, status: { currentState: 'error' } });
        continue;
      }
      if (!failed) {
        healthy++;
        if (r.status?.currentState !== 'running') await this.patchReplica(r, { status: { currentState: 'running' } });
        continue;
      }
      const done = this.rebuildDone.get(r.metadata.name) ?? now + this.ctx.rng.seconds(this.ctx.timing.replicaRebuildSeconds);
      this.rebuildDone.set(r.metadata.name, done);
      if (now >= done) {
        this.rebuildDone.delete(r.metadata.name);
        await this.patchReplica(r, { spec: { failedAt: '' }, status: { currentState: 'running' } });
        healthy++;
      } else this.queue.addAfter(name, done - now);
    }
    const want = vol.spec?.numberOfReplicas ?? 3;
    return healthy >= want ? 'healthy' : healthy > 0 ? 'degraded' : 'faulted';
  }

  private async patchReplica(r: ReplicaObject, patch: { spec?: Record<string, unknown>; status?: Record<string, unknown> }): Promise<void> {
    if (patch.spec) await this.ctx.api.patch(Kinds.LonghornReplica, r.metadata.namespace, r.metadata.name, { spec: patch.spec });
    if (patch.status) await this.ctx.api.patch(Kinds.LonghornReplica, r.metadata.namespace, r.metadata.name, { status: patch.status }, { subresource: 'status' });
  }

  /** Faulted once a node holding one of its replicas has rebooted and its longhorn-manager runs again. */
  private faultedAfterRestart(name: string, pvcKey: string): boolean {
    if (!this.ctx.faults.has('faultedVolumeAfterRestart', name) && !(pvcKey && this.ctx.faults.has('faultedVolumeAfterRestart', pvcKey))) return false;
    return this.replicas.byIndex('volume', name).some((r) => this.ctx.power.bootCount(r.spec!.nodeID) > 0 && this.ctx.kubelets.running(r.spec!.nodeID));
  }

  private async failReplicas(name: string): Promise<void> {
    for (const r of this.replicas.byIndex('volume', name)) {
      if (!r.spec?.failedAt) await this.patchReplica(r, { spec: { failedAt: isoTime(this.ctx.clock) }, status: { currentState: 'error' } });
    }
  }

  private record(name: string, fromState: string | undefined, toState: string, fromRob: string | undefined, toRob: string, node: string): void {
    const object = `${LonghornNamespace}/${name}`;
    const at = node ? { node } : {};
    if (fromState !== toState) this.ctx.events.record({ type: `volume.${toState}` as TwinEventType, object, ...at });
    if (fromRob !== toRob && ['degraded', 'healthy', 'faulted'].includes(toRob) && (toState === 'attached' || toRob === 'faulted')) {
      this.ctx.events.record({ type: `volume.${toRob}` as TwinEventType, object, ...at });
    }
  }
}
