// Longhorn's instance-manager pods (one per data node, named after the InstanceManager
// object, so the same name across restarts) and the storage network they carry. As
// longhorn-manager does, a node that rebooted gets a fresh pod (the seed's listing shows
// them RESTARTS 0 with a young AGE); an evicted one is recreated once its node runs. When
// the storage-network setting names a NAD, the pod asks Multus for it as lhnet1 and Multus
// reports the attachment with an address of the setting's range in network-status.
// Fault storageNetworkNotApplied (nodes): after that node rebooted, its pod asks for the
// network but Multus does not attach it (network-status lists only the pod network).
import { createHash } from 'node:crypto';
import { Kinds, StorageNetwork } from '../../../common/harvester.js';
import type { PodObject, SettingObject } from '../../../common/harvester-types.js';
import type { KObject } from '../../store/types.js';
import { QueueController } from '../base.js';
import type { TwinContext } from '../context.js';
import type { Informer } from '../informer.js';
import { podIp } from '../kubelet.js';
import { LonghornNamespace } from './objects.js';

export const instanceManagerName = (node: string) => `instance-manager-${createHash('md5').update(`${node}/ei-94d5ee6c/aio`).digest('hex')}`;

/** What Multus and Longhorn write on an instance-manager pod for the storage network. */
export interface StorageAttachment {
  /** "harvester-system/storagenetwork-xxxxx" */
  nad: string;
  /** The address whereabouts gave it, or undefined when Multus did not attach it. */
  ip?: string;
}

/** The n-th usable address of a CIDR ("192.168.50.0/24", 3 → 192.168.50.3). */
export function addressIn(range: string, n: number): string {
  const [base = '0.0.0.0'] = range.split('/');
  const v = base.split('.').reduce((a, o) => a * 256 + Number(o), 0) + n;
  return [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
}

export function instanceManagerPod(node: string, nodeUid: string | undefined, podUidSeed: string, sn?: StorageAttachment): PodObject {
  const name = instanceManagerName(node);
  const annotations: Record<string, string> = {};
  if (sn) {
    const [ns, nadName] = sn.nad.split('/');
    annotations[StorageNetwork.networksAnnotation] = JSON.stringify([{ namespace: ns, name: nadName, interface: StorageNetwork.interface }]);
    const status: unknown[] = [{ name: 'k8s-pod-network', ips: [podIp(podUidSeed)], default: true, dns: {} }];
    if (sn.ip) status.push({ name: sn.nad, interface: StorageNetwork.interface, ips: [sn.ip], mac: macOf(name), dns: {} });
    annotations[StorageNetwork.networkStatusAnnotation] = JSON.stringify(status, null, 4);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: LonghornNamespace,
      labels: { [StorageNetwork.instanceManagerLabel.key]: StorageNetwork.instanceManagerLabel.value, 'longhorn.io/node': node, 'longhorn.io/instance-manager-type': 'aio', 'longhorn.io/managed-by': 'longhorn-manager' },
      annotations,
      // Owned by the InstanceManager object in Longhorn; the twin has no such kind, so by the Longhorn Node.
      ...(nodeUid ? { ownerReferences: [{ apiVersion: Kinds.LonghornNode.apiVersion, kind: 'Node', name: node, uid: nodeUid, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: {
      nodeName: node,
      containers: [{ name: 'instance-manager', image: 'longhornio/longhorn-instance-manager:v1.7.2' }],
      tolerations: [{ key: 'kubevirt.io/drain', operator: 'Exists', effect: 'NoSchedule' }],
      priorityClassName: 'system-node-critical',
    } as PodObject['spec'],
    status: { phase: 'Pending' },
  };
}

function macOf(name: string): string {
  const h = createHash('md5').update(name).digest();
  return ['2e', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

interface StorageNetworkValue {
  range?: string;
}

/** The storage attachment a pod created now on `node` gets, or undefined when none is set. */
export function storageAttachment(setting: SettingObject | undefined, nadExists: (ref: string) => boolean, dataNodes: string[], node: string, attached: boolean): StorageAttachment | undefined {
  const nad = setting?.metadata.annotations?.[StorageNetwork.nadAnnotation];
  if (!setting?.value || !nad || !nadExists(nad)) return undefined;
  if (!attached) return { nad };
  let range = '';
  try {
    range = (JSON.parse(setting.value) as StorageNetworkValue).range ?? '';
  } catch {
    return { nad }; // a value Harvester would not have accepted: nothing attached
  }
  // whereabouts hands out from the range's start; .1 and .2 are usually the gateway's.
  return { nad, ip: addressIn(range, 3 + Math.max(0, dataNodes.indexOf(node))) };
}

export class InstanceManagerController extends QueueController {
  private readonly pods: Informer<PodObject>;
  private readonly settings: Informer<SettingObject>;
  private readonly nads: Informer<KObject>;
  private readonly lhNodes: Informer<KObject>;
  private readonly bootOf = new Map<string, number>(); // pod uid → the node's boot it was created in

  constructor(
    ctx: TwinContext,
    private readonly dataNodes: string[],
  ) {
    super('longhorn-instance-managers', ctx);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
    this.settings = ctx.informers.for<SettingObject>(Kinds.Setting);
    this.nads = ctx.informers.for<KObject>(Kinds.NetworkAttachmentDefinition);
    this.lhNodes = ctx.informers.for<KObject>(Kinds.LonghornNode);
  }

  setup(): void {
    this.ctx.kubelets.onChange((node, running) => {
      if (running && this.dataNodes.includes(node)) this.queue.add(node);
    });
    this.pods.onChange((type, p) => {
      const node = p.metadata.labels?.['longhorn.io/node'];
      if (!node || p.metadata.namespace !== LonghornNamespace || p.metadata.name !== instanceManagerName(node)) return;
      if (type === 'DELETED' && p.metadata.uid) this.bootOf.delete(p.metadata.uid);
      this.queue.add(node);
    });
  }

  resync(): void {
    // Pods there when the twin starts were created in the node's current boot.
    for (const node of this.dataNodes) {
      const pod = this.pods.getBy(LonghornNamespace, instanceManagerName(node));
      if (pod?.metadata.uid && !this.bootOf.has(pod.metadata.uid)) this.bootOf.set(pod.metadata.uid, this.ctx.kubelets.bootSeq(node));
      this.queue.add(node);
    }
  }

  protected async reconcile(node: string): Promise<void> {
    if (!this.ctx.kubelets.running(node)) return;
    const name = instanceManagerName(node);
    const boot = this.ctx.kubelets.bootSeq(node);
    const pod = this.pods.getBy(LonghornNamespace, name);
    if (pod) {
      if (pod.metadata.deletionTimestamp || !pod.metadata.uid || this.bootOf.get(pod.metadata.uid) === boot) return;
      this.ctx.attribution.claim(`pod:${LonghornNamespace}/${name}`, 'longhorn-manager');
      await this.ctx.api.delete(Kinds.Pod, LonghornNamespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      return; // its DELETED event brings the node back here
    }
    const attached = !(this.ctx.power.bootCount(node) > 0 && this.ctx.faults.has('storageNetworkNotApplied', node));
    const sn = storageAttachment(this.settings.getBy(undefined, StorageNetwork.setting), (ref) => Boolean(this.nads.get(ref)), this.dataNodes, node, attached);
    const created = await this.ctx.api.create(instanceManagerPod(node, this.lhNodes.getBy(LonghornNamespace, node)?.metadata.uid, `${LonghornNamespace}/${name}/${boot}`, sn));
    if (created.metadata.uid) this.bootOf.set(created.metadata.uid, boot);
  }
}
