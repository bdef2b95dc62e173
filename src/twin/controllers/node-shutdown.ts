// The kubelet's graceful node shutdown (fault gracefulNodeShutdown, per node). With
// shutdownGracePeriod set, a kubelet that sees the OS shut down kills its pods and writes
// them phase Failed, reason "Terminated" (kubelet nodeshutdown manager; DisruptionTarget
// condition, reason TerminationByKubelet). Those pods are terminal: after the reboot the
// kubelet does not start them again, and they stay until someone deletes them
// (kubernetes/kubernetes#98012, #113278). Their controllers replace them: the ReplicaSet
// controller at once (here or kube-controller-manager in the fidelity bed), the DaemonSet
// controller by deleting the Failed pod and creating a new one on the node
// (./workloads/sets.ts). Only Deployment (ReplicaSet) and DaemonSet pods that are not
// system-critical are modelled: critical pods go last, when the kubelet's critical grace may
// already be over, and other owners (StatefulSets, Longhorn, KubeVirt) have their own paths.
// The writes happen while the node is shutting down and the API answers; a node whose
// shutdown takes the API with it (the last etcd members) writes nothing, as a real one
// could not, and its pods restart in place after the boot.
import { Kinds } from '../../common/harvester.js';
import type { PodObject } from '../../common/harvester-types.js';
import { QueueController } from './base.js';
import type { TwinContext } from './context.js';
import type { Informer } from './informer.js';
import { controllerOf, isoTime, isStaticPod, podActive, podNodeIndex, podSpec, withCondition } from './util.js';

export const shutdownReason = 'Terminated';
export const shutdownMessage = 'Pod was terminated in response to imminent node shutdown.';

const criticalClasses = new Set(['system-node-critical', 'system-cluster-critical']);
const modelledOwners = new Set(['ReplicaSet', 'DaemonSet']);

export class NodeShutdownController extends QueueController {
  private readonly pods: Informer<PodObject>;
  /** node → the boot whose shutdown is pending (a later boot makes it moot). */
  private readonly pending = new Map<string, number>();

  constructor(ctx: TwinContext) {
    super('node-shutdown', ctx);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
  }

  setup(): void {
    this.pods.addIndex('node', podNodeIndex);
    this.ctx.kubelets.onChange((node, running) => {
      // A power cut stops the kubelet too, but gives it no time to write anything.
      if (running || this.ctx.power.state(node) !== 'shutting-down' || !this.ctx.faults.has('gracefulNodeShutdown', node)) return;
      this.pending.set(node, this.ctx.kubelets.bootSeq(node));
      this.queue.add(node);
    });
  }

  resync(): void {
    this.queue.addAll([...this.pending.keys()]);
  }

  protected async reconcile(node: string): Promise<void> {
    const boot = this.pending.get(node);
    if (boot === undefined) return;
    // Late (the API was down until after the node went off or booted again): the kubelet
    // that would have written it is gone.
    if (boot !== this.ctx.kubelets.bootSeq(node) || this.ctx.power.state(node) !== 'shutting-down') {
      this.pending.delete(node);
      return;
    }
    for (const pod of this.pods.byIndex('node', node)) {
      if (terminatedByShutdown(pod)) await this.terminate(pod, node);
    }
    this.pending.delete(node);
  }

  private async terminate(pod: PodObject, node: string): Promise<void> {
    const now = isoTime(this.ctx.clock);
    const containerStatuses = (pod.status?.containerStatuses ?? []).map((c) => ({
      ...c,
      ready: false,
      started: false,
      // SIGTERM at the end of the grace: exit 143, which the runtime reports as Error.
      state: { terminated: { exitCode: 143, reason: 'Error', finishedAt: now } },
    }));
    let conditions = withCondition(pod.status?.conditions, { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: shutdownMessage }, now);
    conditions = withCondition(conditions, { type: 'Ready', status: 'False', reason: 'PodFailed' }, now);
    conditions = withCondition(conditions, { type: 'ContainersReady', status: 'False', reason: 'PodFailed' }, now);
    const status = { phase: 'Failed', reason: shutdownReason, message: shutdownMessage, conditions, containerStatuses };
    await this.ctx.api.patch(Kinds.Pod, pod.metadata.namespace, pod.metadata.name, { status }, { subresource: 'status' });
    this.ctx.events.record({ type: 'pod.shutdown-terminated', object: `${pod.metadata.namespace}/${pod.metadata.name}`, node, detail: shutdownReason });
  }
}

/** A running, non-critical Deployment or DaemonSet pod: what the twin's shutdown manager terminates. */
function terminatedByShutdown(pod: PodObject): boolean {
  if (!podActive(pod) || isStaticPod(pod)) return false;
  const owner = controllerOf(pod);
  if (!owner || !modelledOwners.has(owner.kind)) return false;
  const cls = (podSpec(pod) as { priorityClassName?: string }).priorityClassName;
  return !cls || !criticalClasses.has(cls);
}
