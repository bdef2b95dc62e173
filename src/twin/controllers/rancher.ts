// Rancher, inside and outside the cluster.
//
// Embedded Rancher's scale-available handler: while a rancher pod runs (even one that is
// terminating — the process still reconciles), every Deployment annotated
// management.cattle.io/scale-available=N (an integer) is scaled to max(1, min(N, nodes
// matching its nodeSelector)); an empty or non-integer value is a no-op. That covers rancher
// itself and cattle-cluster-agent, which is why the seed clears the annotation before
// scaling rancher to 0, scales the agent down only after, and why the agent comes back by
// itself once rancher runs again (seed 3.2, 5.4).
//
// Rancher Manager (outside the cluster): while the cluster is imported
// (cluster-registration-url set) and cattle-cluster-agent has a ready replica, it restarts
// node-driver VMs (label harvesterhci.io/creator=docker-machine-driver-harvester) that were
// stopped, setting runStrategy back to RerunOnFailure — the seed's warning in 3.2, and what
// brings downstream machines back after 5.4.
import { Annotations, Kinds, Labels, NodeDriverCreator, Rancher } from '../../common/harvester.js';
import type { KObject, NodeObject, PodObject, SettingObject, VirtualMachineObject } from '../../common/harvester-types.js';
import { QueueController } from './base.js';
import type { TwinContext } from './context.js';
import type { Informer } from './informer.js';
import { runStrategyOf } from './kubevirt/vm.js';
import { podReady, podSpec, selectorMatches } from './util.js';
import type { WorkloadLike } from './workloads/template.js';

export class ScaleAvailableController extends QueueController {
  private readonly deployments: Informer<WorkloadLike>;
  private readonly pods: Informer<PodObject>;
  private readonly nodes: Informer<NodeObject>;
  private readonly due = new Map<string, number>();

  constructor(ctx: TwinContext) {
    super('scale-available', ctx);
    this.deployments = ctx.informers.for<WorkloadLike>(Kinds.Deployment);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
    this.nodes = ctx.informers.for<NodeObject>(Kinds.Node);
  }

  setup(): void {
    this.deployments.onChange((type, d) => {
      if (type !== 'DELETED' && d.metadata.annotations?.[Annotations.scaleAvailable] !== undefined) this.queue.add(`${d.metadata.namespace}/${d.metadata.name}`);
    });
    this.pods.onChange((_t, p) => {
      if (p.metadata.namespace === Rancher.namespace && p.metadata.labels?.app === Rancher.deployment) this.resync();
    });
    this.nodes.onChange((type) => {
      if (type !== 'MODIFIED') this.resync();
    });
    this.ctx.kubelets.onChange(() => this.resync());
  }

  resync(): void {
    for (const d of this.deployments.list()) if (d.metadata.annotations?.[Annotations.scaleAvailable] !== undefined) this.queue.add(`${d.metadata.namespace}/${d.metadata.name}`);
  }

  /**
   * Rancher runs when one of its pods runs on a live node (terminating or not). Read from
   * the API, not the pod cache: over a real apiserver the Deployment and pod watches
   * arrive in no fixed order, and a stale cache would let a Rancher whose pods a client
   * already saw gone act on that client's next change.
   */
  async rancherRunning(): Promise<boolean> {
    const pods = await this.ctx.api.list<PodObject>(Kinds.Pod, { namespace: Rancher.namespace, labelSelector: `app=${Rancher.deployment}` });
    return pods.some((p) => {
      const node = podSpec(p).nodeName;
      return p.status?.phase === 'Running' && node !== undefined && this.ctx.kubelets.running(node);
    });
  }

  protected async reconcile(key: string): Promise<void> {
    const d = this.deployments.get(key);
    if (!d) return;
    const raw = d.metadata.annotations?.[Annotations.scaleAvailable];
    if (raw === undefined || !/^-?\d+$/.test(raw.trim())) {
      this.due.delete(key);
      return;
    }
    // A change rancher saw while it ran gets acted on, even if its pods exit meanwhile.
    if (!this.due.has(key) && !(await this.rancherRunning())) return;
    const selector = d.spec?.template?.spec?.nodeSelector;
    const matching = this.nodes.list().filter((n) => selectorMatches(selector, n.metadata.labels)).length;
    const want = Math.max(1, Math.min(Number(raw.trim()), matching));
    if ((d.spec?.replicas ?? 1) === want) {
      this.due.delete(key);
      return;
    }
    // The handler reacts within seconds, not instantly.
    const now = this.ctx.clock.now();
    const at = this.due.get(key) ?? now + this.ctx.rng.seconds(this.ctx.timing.scaleAvailableDelaySeconds);
    this.due.set(key, at);
    if (now < at) return this.queue.addAfter(key, at - now);
    this.due.delete(key);
    this.ctx.attribution.claim(`deployment:${key}`, 'scale-available');
    await this.ctx.api.patch(Kinds.Deployment, d.metadata.namespace, d.metadata.name, { spec: { replicas: want } });
  }
}

const agentIndex = 'rancher-agent';

/** A pod of the cluster agent Deployment (Rancher labels them app=cattle-cluster-agent). */
function isAgentPod(p: PodObject): boolean {
  return p.metadata.namespace === Rancher.namespace && p.metadata.labels?.app === Rancher.agentDeployment;
}

export class RancherManagerController extends QueueController {
  private readonly vms: Informer<VirtualMachineObject>;
  private readonly vmis: Informer<KObject>;
  private readonly pods: Informer<PodObject>;
  private readonly settings: Informer<SettingObject>;
  private readonly due = new Map<string, number>();

  constructor(ctx: TwinContext) {
    super('rancher-manager', ctx);
    this.vms = ctx.informers.for<VirtualMachineObject>(Kinds.VirtualMachine);
    this.vmis = ctx.informers.for<KObject>(Kinds.VirtualMachineInstance);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
    this.settings = ctx.informers.for<SettingObject>(Kinds.Setting);
  }

  setup(): void {
    this.vms.onChange((type, vm) => {
      if (type !== 'DELETED' && vm.metadata.labels?.[Labels.vmCreator] === NodeDriverCreator) this.queue.add(`${vm.metadata.namespace}/${vm.metadata.name}`);
    });
    this.vmis.onChange((_t, vmi) => this.queue.add(`${vmi.metadata.namespace}/${vmi.metadata.name}`));
    this.pods.addIndex(agentIndex, (p) => (isAgentPod(p) ? [agentIndex] : []));
    this.pods.onChange((_t, p) => {
      if (isAgentPod(p)) this.resync();
    });
    this.settings.onChange((_t, s) => {
      if (s.metadata.name === 'cluster-registration-url') this.resync();
    });
  }

  resync(): void {
    for (const vm of this.vms.list()) if (vm.metadata.labels?.[Labels.vmCreator] === NodeDriverCreator) this.queue.add(`${vm.metadata.namespace}/${vm.metadata.name}`);
  }

  /**
   * Connected: imported, and an agent pod runs Ready and is not shutting down (its
   * websocket to Rancher Manager lives in the pod, so the Deployment's status, which its
   * controller updates a little later, does not decide).
   */
  connected(): boolean {
    const url = this.settings.getBy(undefined, 'cluster-registration-url')?.value ?? '';
    return url !== '' && this.pods.byIndex(agentIndex, agentIndex).some((p) => !p.metadata.deletionTimestamp && podReady(p));
  }

  protected async reconcile(key: string): Promise<void> {
    const vm = this.vms.get(key);
    // Stopped: Halted (a UI stop), or no VMI under a strategy that keeps it down after a
    // Stop request (KubeVirt's stop of a RerunOnFailure/Manual VM leaves the strategy).
    const strategy = vm ? runStrategyOf(vm) : undefined;
    const stopped = strategy === 'Halted' || ((strategy === 'RerunOnFailure' || strategy === 'Manual') && !this.vmis.get(key));
    if (!vm || vm.metadata.labels?.[Labels.vmCreator] !== NodeDriverCreator || !stopped || !this.connected()) {
      this.due.delete(key);
      return;
    }
    const now = this.ctx.clock.now();
    const at = this.due.get(key) ?? now + this.ctx.rng.seconds(this.ctx.timing.rancherManagerDelaySeconds);
    this.due.set(key, at);
    if (now < at) return this.queue.addAfter(key, at - now);
    this.due.delete(key);
    this.ctx.attribution.claim(`vm:${key}`, 'rancher-manager');
    if (strategy === 'Halted') {
      const spec = vm.spec?.runStrategy !== undefined ? { runStrategy: 'RerunOnFailure' } : { running: true };
      await this.ctx.api.patch(Kinds.VirtualMachine, vm.metadata.namespace, vm.metadata.name, { spec });
    } else {
      // What the start subresource does for these strategies: a Start state-change request.
      const status = (vm.status ?? {}) as { stateChangeRequests?: { action: string }[] };
      if (status.stateChangeRequests?.some((r) => r.action === 'Start')) return;
      await this.ctx.api.patch(Kinds.VirtualMachine, vm.metadata.namespace, vm.metadata.name, { status: { stateChangeRequests: [{ action: 'Start' }] } }, { subresource: 'status' });
    }
    this.ctx.events.record({ type: 'rancher.vm-restarted', object: key, by: 'rancher-manager', detail: 'node-driver machine was stopped while Rancher Manager still managed it' });
  }
}
