// Shared state of one scenario build: the store access, the seeded randomness, backdating
// (objects that existed for days get old creationTimestamps), the node facts, and the
// helper that creates a running pod the way the kubelet would have left it.
import type { Clock } from '../../common/clock.js';
import { Kinds } from '../../common/harvester.js';
import type { PodObject } from '../../common/harvester-types.js';
import type { TwinApi } from '../api.js';
import { podIp } from '../controllers/kubelet.js';
import { ownerRef } from '../controllers/util.js';
import { podFromTemplate, type PodTemplate } from '../controllers/workloads/template.js';
import { StatusError } from '../store/errors.js';
import type { KObject } from '../store/types.js';
import type { Rng } from './rng.js';
import type { Scenario, ScenarioNode } from './schema.js';

export class BuildContext {
  readonly nodes: ScenarioNode[];
  readonly on: Set<string>;
  private readonly load = new Map<string, number>();

  constructor(
    readonly api: TwinApi,
    readonly rng: Rng,
    readonly clock: Clock,
    readonly scenario: Scenario,
    private readonly setBackdate: (ms: number | undefined) => void,
    /** The port nodes report in status.daemonEndpoints (where an apiserver reaches their kubelet). */
    readonly kubeletPort = 10250,
  ) {
    this.nodes = scenario.nodes;
    this.on = new Set(scenario.nodes.filter((n) => n.power === 'on').map((n) => n.name));
  }

  /** Creates objects as if they had been made `days` ago. */
  async aged<T>(days: number, fn: () => Promise<T>): Promise<T> {
    this.setBackdate(this.clock.now() - Math.round(days * 86_400_000));
    try {
      return await fn();
    } finally {
      this.setBackdate(undefined);
    }
  }

  /**
   * Creates `obj` with the status it is given. The twin's store keeps a created object's
   * status; a real apiserver drops it (status subresource), so it is written after.
   */
  async create<T extends KObject>(obj: T): Promise<T> {
    const created = await this.createRetrying(obj);
    const status = (obj as { status?: unknown }).status;
    if (status === undefined || JSON.stringify((created as { status?: unknown }).status) === JSON.stringify(status)) return created;
    return this.setStatus(created, status);
  }

  /**
   * A real apiserver refuses pods in a namespace until kube-controller-manager made its
   * `default` ServiceAccount (403, "error looking up service account"); retry, as the
   * cluster's own components do. The twin's store never refuses.
   */
  private async createRetrying<T extends KObject>(obj: T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.api.create(obj);
      } catch (err) {
        const waitingForAccount = err instanceof StatusError && err.code === 403 && /service ?account/i.test(err.message);
        if (!waitingForAccount || attempt >= 300) throw err;
        await this.clock.sleep(100);
      }
    }
  }

  /** Creates `obj` unless it exists already (a real apiserver makes default, kube-system… itself). */
  async ensure<T extends KObject>(obj: T): Promise<T> {
    try {
      return await this.create(obj);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 409)) throw err;
      const existing = await this.api.get<T>(obj, obj.metadata.namespace, obj.metadata.name);
      if (!existing) throw err;
      return existing;
    }
  }

  /** Writes `status` as its controller would (a merge patch: others may have changed the object since). */
  setStatus<T extends KObject>(obj: T, status: unknown): Promise<T> {
    return this.api.patch<T>(obj, obj.metadata.namespace, obj.metadata.name, { status }, { subresource: 'status' });
  }

  ip(node: string): string {
    return this.nodes.find((n) => n.name === node)?.ip ?? '';
  }

  /** Nodes that may run VMs and hold Longhorn replicas (everything but a witness). */
  dataNodes(): string[] {
    return this.nodes.filter((n) => n.role !== 'witness').map((n) => n.name);
  }

  controlPlane(): string[] {
    return this.nodes.filter((n) => n.role === 'control-plane').map((n) => n.name);
  }

  /** The least loaded node among `candidates` (spreads pods and VMs). */
  spread(candidates: string[]): string {
    const pick = [...candidates].sort((a, b) => (this.load.get(a) ?? 0) - (this.load.get(b) ?? 0) || a.localeCompare(b))[0];
    if (!pick) throw new Error('scenario has no node that can run this workload');
    this.load.set(pick, (this.load.get(pick) ?? 0) + 1);
    return pick;
  }

  /**
   * A Deployment with its ReplicaSet and running pods, built bottom-up with each owner
   * reference written once its owner exists: a real kube-controller-manager makes its own
   * ReplicaSet for a Deployment that has none (and pods for a ReplicaSet without them)
   * before the build gets there, but adopts orphans that match. `startPods` creates the
   * pods (see orphanPod) and returns their names.
   */
  async deploymentBottomUp<D extends KObject, R extends KObject>(deployment: D, replicaSet: R, startPods: () => Promise<string[]>): Promise<{ deployment: D; replicaSet: R }> {
    const ns = replicaSet.metadata.namespace;
    const pods = await startPods();
    const rs = await this.create(replicaSet);
    for (const name of pods) await this.api.patch(Kinds.Pod, ns, name, { metadata: { ownerReferences: [ownerRef(rs)] } });
    const dep = await this.create(deployment);
    await this.api.patch(Kinds.ReplicaSet, ns, rs.metadata.name, { metadata: { ownerReferences: [ownerRef(dep)] } });
    return { deployment: dep, replicaSet: rs };
  }

  /** A running pod from `template` for the ReplicaSet `rsName` that does not exist yet (no owner reference). */
  async orphanPod(namespace: string, rsName: string, template: PodTemplate | undefined, name: string, node: string): Promise<PodObject> {
    const stub: KObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rsName, namespace } };
    const pod = podFromTemplate(stub, template, name, { spec: { nodeName: node } });
    delete pod.metadata.ownerReferences;
    return this.startPod(pod, node);
  }

  /** A pod of `owner` bound to `node`, Running and Ready (or stale, if the node is off). */
  async runningPod(owner: KObject, template: PodTemplate | undefined, name: string, node: string, extra: { labels?: Record<string, string>; spec?: Record<string, unknown> } = {}): Promise<PodObject> {
    return this.startPod(podFromTemplate(owner, template, name, { ...extra, spec: { ...extra.spec, nodeName: node } }), node);
  }

  /** Creates `pod` bound to `node` with the status a kubelet that started it would write. */
  async startPod(pod: PodObject, node: string): Promise<PodObject> {
    const name = pod.metadata.name;
    pod.spec = { ...pod.spec, nodeName: node };
    const since = new Date(this.clock.now() - this.rng.int(600, 3 * 86_400) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const restarts = this.rng.int(0, 3);
    const ready = this.on.has(node) ? 'True' : 'False';
    const status = {
      phase: 'Running',
      hostIP: this.ip(node),
      podIP: podIp(`${pod.metadata.namespace}/${name}`),
      startTime: since,
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: type === 'Ready' || type === 'ContainersReady' ? ready : 'True', lastTransitionTime: since })),
      containerStatuses: ((pod.spec as { containers?: { name: string; image?: string }[] }).containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? `rancher/${c.name}:latest`,
        ready: ready === 'True',
        started: true,
        restartCount: restarts,
        state: { running: { startedAt: since } },
      })),
    };
    return this.create({ ...pod, status: status as PodObject['status'] });
  }
}

export function roleLabels(n: ScenarioNode, scenario: Scenario): Record<string, string> {
  const base: Record<string, string> = {
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
    'harvesterhci.io/managed': 'true',
    'node.kubernetes.io/instance-type': 'rke2',
    'rke.cattle.io/machine': `custom-${n.name}`,
    'harvesterhci.io/version': scenario.cluster.harvesterVersion,
  };
  if (n.role === 'control-plane') {
    Object.assign(base, { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/etcd': 'true', 'node-role.kubernetes.io/master': 'true', 'node-role.harvesterhci.io/management': 'true' });
  } else if (n.role === 'witness') {
    Object.assign(base, { 'node-role.kubernetes.io/etcd': 'true', 'node-role.harvesterhci.io/witness': 'true' });
  } else {
    base['node-role.harvesterhci.io/worker'] = 'true';
  }
  if (n.role !== 'witness') base['kubevirt.io/schedulable'] = 'true';
  return base;
}
