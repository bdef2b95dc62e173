// The kubelets' pod sync. On a node whose kubelet runs: pods bound to it start once their
// Longhorn volumes are attached there (Running at once, Ready after their modelled start
// time), pods being deleted are removed when their containers exit (or their grace ends),
// and after a reboot every pod restarts (restartCount+1; restartPolicy Never pods such as
// virt-launcher fail instead) and pending deletions finish. On a node that is off nothing
// happens: the API keeps showing what the kubelet last wrote. Static pods (etcd,
// kube-apiserver, …) get mirror pods; deleting etcd's mirror restarts the member, as the
// seed relies on. Faults: a pod stuck Terminating, a pod crash-looping after restart.
import { Kinds } from '../../common/harvester.js';
import type { LonghornVolumeObject, NodeObject, PodObject } from '../../common/harvester-types.js';
import type { KObject } from '../store/types.js';
import { QueueController } from './base.js';
import type { TwinContext } from './context.js';
import type { Informer } from './informer.js';
import { isStaticPod, isoTime, ownerRef, podClaims, podNodeIndex, podSpec, withCondition } from './util.js';

interface PodRuntime {
  boot: number;
  readyAt: number;
  exitAt?: number;
  crash?: boolean;
}

interface PvcLike extends KObject {
  spec?: { volumeName?: string };
}

/** Static pods per node role, as RKE2 runs them. */
export function staticPodsFor(role: string): string[] {
  if (role === 'control-plane') return ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'cloud-controller-manager', 'kube-proxy'];
  if (role === 'witness') return ['etcd', 'kube-proxy'];
  return ['kube-proxy'];
}

export class KubeletController extends QueueController {
  private readonly pods: Informer<PodObject>;
  private readonly nodes: Informer<NodeObject>;
  private readonly pvcs: Informer<PvcLike>;
  private readonly volumes: Informer<LonghornVolumeObject>;
  private readonly runtime = new Map<string, PodRuntime>(); // pod uid →

  constructor(
    ctx: TwinContext,
    private readonly roles: Record<string, string>,
  ) {
    super('kubelet', ctx);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
    this.nodes = ctx.informers.for<NodeObject>(Kinds.Node);
    this.pvcs = ctx.informers.for<PvcLike>(Kinds.PersistentVolumeClaim);
    this.volumes = ctx.informers.for<LonghornVolumeObject>(Kinds.LonghornVolume);
  }

  setup(): void {
    this.pods.addIndex('claim', (p) => podClaims(p));
    this.pods.addIndex('node', podNodeIndex);
    this.pvcs.addIndex('volume', (c) => (c.spec?.volumeName ? [c.spec.volumeName] : []));
    this.pods.onChange((type, p, old) => {
      const key = `${p.metadata.namespace}/${p.metadata.name}`;
      if (type === 'DELETED') {
        if (p.metadata.uid) this.runtime.delete(p.metadata.uid);
        const by = this.ctx.attribution.take(`pod:${key}`);
        const byKubelet = by !== 'client';
        if (by === 'client') this.recordClientDelete(p, old);
        else this.ctx.events.record({ type: 'pod.deleted', object: key, ...(podSpec(p).nodeName ? { node: podSpec(p).nodeName! } : {}), by });
        const node = podSpec(p).nodeName;
        if (isStaticPod(p) && node) {
          if (!byKubelet && p.metadata.labels?.component === 'etcd') this.ctx.etcd.restart(node);
          this.queue.add(`static:${node}`);
        }
        return;
      }
      if (podSpec(p).nodeName) this.queue.add(key);
    });
    this.volumes.onChange((_t, v) => {
      for (const pvc of this.pvcs.byIndex('volume', v.metadata.name)) {
        for (const pod of this.pods.byIndex('claim', `${pvc.metadata.namespace}/${pvc.metadata.name}`)) this.queue.add(`${pod.metadata.namespace}/${pod.metadata.name}`);
      }
    });
    this.ctx.kubelets.onChange((node, running) => {
      if (!running) return;
      this.queue.add(`static:${node}`);
      for (const p of this.pods.byIndex('node', node)) this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
    });
  }

  resync(): void {
    // Pods already running when the twin starts were started in the current boot.
    for (const p of this.pods.list()) {
      const node = podSpec(p).nodeName;
      if (node && p.metadata.uid && p.status?.phase === 'Running' && this.ctx.kubelets.running(node)) {
        this.runtime.set(p.metadata.uid, { boot: this.ctx.kubelets.bootSeq(node), readyAt: 0 });
      }
      if (node) this.queue.add(`${p.metadata.namespace}/${p.metadata.name}`);
    }
    for (const node of Object.keys(this.roles)) this.queue.add(`static:${node}`);
  }

  protected async reconcile(key: string): Promise<void> {
    if (key.startsWith('static:')) return this.ensureStatic(key.slice(7));
    const pod = this.pods.get(key);
    if (!pod || !pod.metadata.uid) return;
    const node = podSpec(pod).nodeName;
    if (!node || !this.ctx.kubelets.running(node)) return;
    const boot = this.ctx.kubelets.bootSeq(node);
    const rt = this.runtime.get(pod.metadata.uid);
    const startedThisBoot = rt?.boot === boot;
    const now = this.ctx.clock.now();

    if (pod.metadata.deletionTimestamp) {
      if (isStaticPod(pod)) return this.restartStatic(pod, node);
      if (!startedThisBoot) return this.remove(pod);
      if (this.ctx.faults.has('podStuckTerminating', key)) return;
      const grace = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
      // First seen now, on the modelled clock (deletionTimestamp is the apiserver's wall clock).
      rt.exitAt ??= Math.min(now + grace, now + this.ctx.rng.seconds(this.ctx.timing.podExitSeconds));
      if (now >= rt.exitAt) return this.remove(pod);
      this.queue.addAfter(key, rt.exitAt - now);
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    if (startedThisBoot) return this.progress(pod, rt);

    const restarted = (pod.status?.containerStatuses?.length ?? 0) > 0;
    if (restarted && podSpec(pod).restartPolicy === 'Never') return this.fail(pod);
    if (!this.volumesAttached(pod, node)) return;
    const readyAt = now + this.ctx.rng.seconds(this.ctx.timing.podStartSeconds);
    const crash = this.crashesAfterRestart(key, node, restarted);
    this.runtime.set(pod.metadata.uid, { boot, readyAt, crash });
    await this.writeStatus(pod, node, { ready: false, restarted, crash });
    if (crash) this.ctx.events.record({ type: 'pod.crashloop', object: key, node, detail: 'CrashLoopBackOff' });
    this.queue.addAfter(key, readyAt - now);
  }

  /**
   * The fault models a cause that outlives the restart (bad config, a dependency that does
   * not come back): a replacement pod its Deployment or DaemonSet creates after the node
   * rebooted crash-loops as the evicted one would have, not only the pods that restarted.
   */
  private crashesAfterRestart(key: string, node: string, restarted: boolean): boolean {
    if (!this.ctx.faults.has('crashLoopAfterRestart', key)) return false;
    return restarted || this.ctx.power.bootCount(node) > 0;
  }

  /** A started pod: becomes Ready after its start time; a crash-looping one keeps restarting. */
  private async progress(pod: PodObject, rt: PodRuntime): Promise<void> {
    const now = this.ctx.clock.now();
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (now < rt.readyAt) return this.queue.addAfter(key, rt.readyAt - now);
    if (rt.crash) {
      rt.readyAt = now + 30_000;
      await this.writeStatus(pod, podSpec(pod).nodeName!, { ready: false, restarted: true, crash: true });
      return this.queue.addAfter(key, 30_000);
    }
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const containersReady = pod.status?.containerStatuses?.every((c) => c.ready) ?? false;
    if (!ready || !containersReady) await this.writeStatus(pod, podSpec(pod).nodeName!, { ready: true, restarted: false, crash: false });
  }

  private async writeStatus(pod: PodObject, node: string, o: { ready: boolean; restarted: boolean; crash: boolean }): Promise<void> {
    const now = isoTime(this.ctx.clock);
    const prev = new Map((pod.status?.containerStatuses ?? []).map((c) => [c.name, c]));
    const containers = podSpec(pod).containers ?? [{ name: pod.metadata.name }];
    const containerStatuses = containers.map((c) => {
      const p = prev.get(c.name);
      const restartCount = (p?.restartCount ?? 0) + (o.restarted ? 1 : 0);
      return {
        name: c.name,
        image: c.image ?? `rancher/${c.name}:latest`,
        ready: o.ready,
        started: !o.crash,
        restartCount,
        state: o.crash ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=${c.name} pod=${pod.metadata.name}` } } : o.restarted || !p?.state?.running ? { running: { startedAt: now } } : p.state,
        ...(o.restarted || o.crash ? { lastState: { terminated: { exitCode: o.crash ? 1 : 255, reason: o.crash ? 'Error' : 'Unknown', finishedAt: now } } } : {}),
      };
    });
    let conditions = withCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'True' }, now);
    conditions = withCondition(conditions, { type: 'Initialized', status: 'True' }, now);
    const r = o.ready ? 'True' : 'False';
    conditions = withCondition(conditions, { type: 'ContainersReady', status: r, ...(o.ready ? {} : { reason: 'ContainersNotReady' }) }, now);
    conditions = withCondition(conditions, { type: 'Ready', status: r, ...(o.ready ? {} : { reason: 'ContainersNotReady' }) }, now);
    const ip = this.ctx.kubelets.ip(node);
    const status = {
      phase: 'Running',
      hostIP: ip,
      podIP: pod.status?.podIP ?? podIp(pod.metadata.uid ?? pod.metadata.name),
      startTime: (pod.status as { startTime?: string } | undefined)?.startTime ?? now,
      conditions,
      containerStatuses,
    };
    await this.ctx.api.patch(Kinds.Pod, pod.metadata.namespace, pod.metadata.name, { status }, { subresource: 'status' });
  }

  private async fail(pod: PodObject): Promise<void> {
    const now = isoTime(this.ctx.clock);
    const containerStatuses = (pod.status?.containerStatuses ?? []).map((c) => ({ ...c, ready: false, state: { terminated: { exitCode: 137, reason: 'Error', finishedAt: now } } }));
    let conditions = withCondition(pod.status?.conditions, { type: 'Ready', status: 'False', reason: 'PodFailed' }, now);
    conditions = withCondition(conditions, { type: 'ContainersReady', status: 'False', reason: 'PodFailed' }, now);
    await this.ctx.api.patch(Kinds.Pod, pod.metadata.namespace, pod.metadata.name, { status: { phase: 'Failed', reason: 'NodeShutdown', message: 'Pod was terminated in response to the node restarting.', conditions, containerStatuses } }, { subresource: 'status' });
  }

  private async remove(pod: PodObject): Promise<void> {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.ctx.attribution.claim(`pod:${key}`, 'kubelet');
    try {
      await this.ctx.api.delete(Kinds.Pod, pod.metadata.namespace, pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } });
    } catch (e) {
      this.ctx.attribution.take(`pod:${key}`);
      throw e;
    }
  }

  private recordClientDelete(pod: PodObject, old: PodObject | undefined): void {
    const node = podSpec(pod).nodeName;
    if (!node) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const wasTerminating = Boolean(old?.metadata.deletionTimestamp);
    this.ctx.events.record({ type: 'pod.force-deleted', object: key, node, by: 'client', detail: wasTerminating ? 'was Terminating' : 'grace period 0' });
  }

  private volumesAttached(pod: PodObject, node: string): boolean {
    for (const claim of podClaims(pod)) {
      const pvc = this.pvcs.get(claim);
      const vol = pvc?.spec?.volumeName ? this.volumes.getBy('longhorn-system', pvc.spec.volumeName) : undefined;
      if (!vol || vol.status?.state !== 'attached' || vol.status.currentNodeID !== node) return false;
    }
    return true;
  }

  // ---- static pods -------------------------------------------------------------------

  private async ensureStatic(node: string): Promise<void> {
    if (!this.ctx.kubelets.running(node)) return;
    const nodeObj = this.nodes.get(node);
    if (!nodeObj) return;
    for (const component of staticPodsFor(this.roles[node] ?? 'worker')) {
      const name = `${component}-${node}`;
      if (this.pods.getBy('kube-system', name)) continue;
      const pod = staticPod(component, node, nodeObj);
      const created = await this.ctx.api.create(pod);
      const readyAt = this.ctx.clock.now() + (component === 'etcd' ? this.ctx.timing.etcdRestartSeconds * 1000 : 5000);
      const crash = this.crashesAfterRestart(`kube-system/${name}`, node, false);
      this.runtime.set(created.metadata.uid!, { boot: this.ctx.kubelets.bootSeq(node), readyAt, crash });
      await this.writeStatus(created, node, { ready: false, restarted: false, crash });
      if (crash) this.ctx.events.record({ type: 'pod.crashloop', object: `kube-system/${name}`, node, detail: 'CrashLoopBackOff' });
      this.queue.addAfter(`kube-system/${name}`, readyAt - this.ctx.clock.now());
    }
  }

  /** Deleting a mirror pod: the kubelet recreates it; for etcd the member restarts. */
  private async restartStatic(pod: PodObject, node: string): Promise<void> {
    if (pod.metadata.labels?.component === 'etcd') this.ctx.etcd.restart(node);
    await this.remove(pod);
  }
}

/** The mirror pod of a static pod, as the kubelet posts it. */
export function staticPod(component: string, node: string, nodeObj: NodeObject): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${node}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.mirror': mirrorHash(component, node), 'kubernetes.io/config.source': 'file' },
      ownerReferences: [{ ...ownerRef(nodeObj), blockOwnerDeletion: false }],
    },
    spec: {
      nodeName: node,
      containers: [{ name: component, image: `index.docker.io/rancher/hardened-${component}:latest` }],
      tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
      priorityClassName: 'system-node-critical',
      hostNetwork: true,
    } as PodObject['spec'],
    status: { phase: 'Pending' },
  };
}

export function mirrorHash(component: string, node: string): string {
  let h = 0;
  for (const c of component + node) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0') + 'a3f1c2e4d5b6a7c8d9e0f1a2b3c4d5e6'.slice(0, 24);
}

/** A stable pod IP in the cluster CIDR (10.52.0.0/16) derived from the pod uid. */
export function podIp(uid: string): string {
  let h = 0;
  for (let i = 0; i < uid.length; i++) h = (Math.imul(h, 31) + uid.charCodeAt(i)) >>> 0;
  return `10.52.${(h >>> 8) & 0xff}.${(h & 0xfe) + 1}`;
}
