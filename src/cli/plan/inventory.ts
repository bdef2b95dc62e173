// What `fallow plan` reads from the cluster: everything the seed asks the operator to know
// before a shutdown (nodes and roles, etcd members and leader, VIP, settings, addons and
// which hold PVCs, Rancher's deployments, VMs by kind, Longhorn volumes). Read-only; it
// reuses the runbook's own classifiers so plan and shutdown never disagree.
import { Namespaces, PvcAddons, Rancher, RecordedSettings, Vip, Annotations, Etcdctl } from '../../common/harvester.js';
import type {
  AddonObject,
  ConfigMapObject,
  DeploymentObject,
  LonghornVolumeObject,
  NodeObject,
  PodObject,
  ServiceObject,
  SettingObject,
  VirtualMachineInstanceObject,
  VirtualMachineObject,
} from '../../common/harvester-types.js';
import type { ClusterIdentity } from '../../cluster/discovery.js';
import type { EtcdMember } from '../../cluster/etcd.js';
import { redactSetting } from '../../common/redact.js';
import type { NodeFact } from '../../runbook/facts.js';
import { endpointHost } from '../../runbook/lib/etcd-order.js';
import { isReady, nodeFact } from '../../runbook/lib/nodes.js';
import { isDownstream } from '../../runbook/lib/vms.js';
import { namespacesWithAttachedVolumes } from '../../runbook/lib/volumes.js';
import type { PlanReader } from './proven.js';

export interface NodeInventory extends NodeFact {
  ready: boolean;
  unschedulable: boolean;
  maintenance: boolean;
  kubeletVersion?: string;
  /** Annotations that tell how the address was set (see preflight's static-IP check). */
  addressHints: { rke2InternalIp?: string; nodeIpPinned?: boolean; ipMode?: string };
}

export interface EtcdInventory {
  /** The node whose etcd pod answered. */
  via?: string;
  members: (EtcdMember & { node?: string })[];
  leader?: string;
  /** Why the members could not be read. */
  error?: string;
}

export interface VmInventory {
  namespace: string;
  name: string;
  runStrategy?: string;
  status: string;
  running: boolean;
  node?: string;
  guestCluster?: string;
}

export interface AddonInventory {
  namespace: string;
  name: string;
  enabled: boolean;
  status: string;
  holdsPvcs: boolean;
  reason?: string;
  failed: boolean;
}

export interface DeploymentInventory {
  name: string;
  present: boolean;
  replicas: number;
  ready: number;
  scaleAvailable: string | null;
}

export interface VolumeInventory {
  total: number;
  byState: Record<string, number>;
  byRobustness: Record<string, number>;
  faulted: string[];
  degraded: string[];
  attached: string[];
}

export interface Inventory {
  identity: ClusterIdentity;
  nodes: NodeInventory[];
  etcd: EtcdInventory;
  vip: { configured?: string; mode?: string; externalIp?: string };
  settings: Record<string, string>;
  addons: AddonInventory[];
  rancher: { imported: boolean; deployments: DeploymentInventory[] };
  vms: { traditional: VmInventory[]; downstream: VmInventory[] };
  volumes: VolumeInventory;
}

/** Harvester's own record of how a node got its management address, when present (the runbook reads it too). */
export const IpModeAnnotation = 'harvesterhci.io/management-ip-mode';

function nodeInventory(n: NodeObject): NodeInventory {
  const a = n.metadata.annotations ?? {};
  const args = a['rke2.io/node-args'] ?? '';
  return {
    ...nodeFact(n),
    ready: isReady(n),
    unschedulable: n.spec?.unschedulable === true,
    maintenance: Boolean(a[Annotations.maintainStatus]),
    ...(n.status?.nodeInfo?.kubeletVersion ? { kubeletVersion: n.status.nodeInfo.kubeletVersion } : {}),
    addressHints: {
      ...(a['rke2.io/internal-ip'] ? { rke2InternalIp: a['rke2.io/internal-ip'].split(',')[0] } : {}),
      ...(args.includes('--node-ip') || args.includes('"node-ip"') ? { nodeIpPinned: true } : {}),
      ...(a[IpModeAnnotation] ? { ipMode: a[IpModeAnnotation] } : {}),
    },
  };
}

/** Reads etcd through the first Ready etcd node whose etcd pod runs (control-plane first). */
async function etcdInventory(cluster: PlanReader, nodes: NodeInventory[]): Promise<EtcdInventory> {
  const candidates = nodes
    .filter((n) => (n.etcd || n.controlPlane) && n.ready)
    .sort((a, b) => Number(a.witness) - Number(b.witness) || a.name.localeCompare(b.name));
  let last = 'no Ready etcd node with a Running etcd pod';
  for (const n of candidates) {
    try {
      const pod = await cluster.get<PodObject>('Pod', Namespaces.kubeSystem, Etcdctl.podName(n.name));
      if (pod?.status?.phase !== 'Running') continue;
      const members = (await cluster.etcdMembers(n.name)).map((m): EtcdInventory['members'][number] => {
        const node = nodes.find((x) => x.ip !== '' && x.ip === endpointHost(m.endpoint));
        return node ? { ...m, node: node.name } : m;
      });
      const leader = members.find((m) => m.isLeader);
      return { via: n.name, members, ...(leader?.node ? { leader: leader.node } : {}) };
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
  }
  return { members: [], error: last };
}

function deploymentInventory(name: string, d: DeploymentObject | undefined): DeploymentInventory {
  return {
    name,
    present: d !== undefined,
    replicas: d?.spec?.replicas ?? 0,
    ready: d?.status?.readyReplicas ?? 0,
    scaleAvailable: d?.metadata.annotations?.[Annotations.scaleAvailable] ?? null,
  };
}

function vmInventory(vm: VirtualMachineObject, vmi: VirtualMachineInstanceObject | undefined): VmInventory {
  const phase = vmi?.status?.phase;
  const guest = vm.metadata.labels?.['guestcluster.harvesterhci.io/name'];
  return {
    namespace: vm.metadata.namespace ?? 'default',
    name: vm.metadata.name,
    ...(vm.spec?.runStrategy ? { runStrategy: vm.spec.runStrategy } : vm.spec?.running !== undefined ? { runStrategy: vm.spec.running ? 'running=true' : 'running=false' } : {}),
    status: vm.status?.printableStatus ?? (phase ?? 'Stopped'),
    running: phase !== undefined && phase !== 'Succeeded' && phase !== 'Failed',
    ...(vmi?.status?.nodeName ? { node: vmi.status.nodeName } : {}),
    ...(guest ? { guestCluster: guest } : {}),
  };
}

function volumeInventory(vols: LonghornVolumeObject[]): VolumeInventory {
  const count = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  const inv: VolumeInventory = { total: vols.length, byState: {}, byRobustness: {}, faulted: [], degraded: [], attached: [] };
  for (const v of vols) {
    const state = v.status?.state ?? 'unknown';
    const rob = v.status?.robustness ?? 'unknown';
    count(inv.byState, state);
    count(inv.byRobustness, rob);
    if (rob === 'faulted') inv.faulted.push(v.metadata.name);
    if (rob === 'degraded') inv.degraded.push(v.metadata.name);
    if (state === 'attached' || state === 'attaching') inv.attached.push(v.metadata.name);
  }
  return inv;
}

function addonInventory(addons: AddonObject[], vols: LonghornVolumeObject[]): AddonInventory[] {
  const busy = namespacesWithAttachedVolumes(vols);
  return addons
    .map((a) => {
      const ns = a.metadata.namespace ?? 'default';
      const byName = (PvcAddons as readonly string[]).includes(a.metadata.name);
      const reason = byName ? 'holds PVCs (seed 3.3)' : busy.has(ns) ? `a Longhorn volume in ${ns} is in use` : undefined;
      const conds = a.status?.conditions ?? [];
      return {
        namespace: ns,
        name: a.metadata.name,
        enabled: a.spec?.enabled === true,
        status: a.status?.status || (a.spec?.enabled ? 'Enabled' : 'Disabled'),
        holdsPvcs: reason !== undefined,
        ...(reason ? { reason } : {}),
        failed: a.status?.status === 'AddonDeployFailed' || conds.some((c) => c.type === 'OperationFailed' && c.status === 'True'),
      };
    })
    .sort((x, y) => x.namespace.localeCompare(y.namespace) || x.name.localeCompare(y.name));
}

/**
 * Objects per list page. Every page is a request, and every request a token of the client's
 * QPS limit: at the default 500 a 5,000-VM cluster took 23 pages for its VMs, VMIs and
 * volumes (over a second of waiting at 20 QPS). The server does the same work for one large
 * page as for many small ones (API priority and fairness weighs a list by its objects).
 */
export const InventoryPageSize = 5000;

/** What readInventory reads; the identity is read apart (discovery.ts), at the same time. */
export type InventoryReadout = Omit<Inventory, 'identity'>;

export async function readInventory(cluster: PlanReader): Promise<InventoryReadout> {
  const page = { limit: InventoryPageSize };
  const nodesRead = cluster.list<NodeObject>('Node', page).then((objs) => objs.map(nodeInventory).sort((a, b) => a.name.localeCompare(b.name)));
  // etcd needs only the nodes: its pod read and exec go out while the large lists load.
  const [nodes, etcd, settings, addons, vms, vmis, vols, vipCm, svc, rancher, agent] = await Promise.all([
    nodesRead,
    nodesRead.then((n) => etcdInventory(cluster, n)),
    cluster.list<SettingObject>('Setting', page),
    cluster.list<AddonObject>('Addon', page),
    cluster.list<VirtualMachineObject>('VirtualMachine', page),
    cluster.list<VirtualMachineInstanceObject>('VirtualMachineInstance', page),
    cluster.list<LonghornVolumeObject>('LonghornVolume', { namespace: Namespaces.longhornSystem, ...page }),
    cluster.get<ConfigMapObject>('ConfigMap', Vip.configMap.namespace, Vip.configMap.name),
    cluster.get<ServiceObject>('Service', Vip.service.namespace, Vip.service.name),
    cluster.get<DeploymentObject>('Deployment', Rancher.namespace, Rancher.deployment),
    cluster.get<DeploymentObject>('Deployment', Rancher.namespace, Rancher.agentDeployment),
  ]);

  const recorded: Record<string, string> = {};
  for (const s of settings) {
    const name = s.metadata.name;
    if ((RecordedSettings as readonly string[]).includes(name)) recorded[name] = redactSetting(name, s.value || s.default || '');
  }
  const registration = settings.find((s) => s.metadata.name === 'cluster-registration-url');
  const vmiByKey = new Map(vmis.map((v) => [`${v.metadata.namespace}/${v.metadata.name}`, v]));
  const traditional: VmInventory[] = [];
  const downstream: VmInventory[] = [];
  for (const vm of vms) {
    const inv = vmInventory(vm, vmiByKey.get(`${vm.metadata.namespace}/${vm.metadata.name}`));
    (isDownstream(vm) ? downstream : traditional).push(inv);
  }
  const byKey = (a: VmInventory, b: VmInventory) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
  const vipData = vipCm?.data ?? {};
  const externalIp = svc?.status?.loadBalancer?.ingress?.[0]?.ip;
  return {
    nodes,
    etcd,
    vip: {
      ...(vipData.ip ? { configured: vipData.ip } : {}),
      ...(vipData.mode ? { mode: vipData.mode } : {}),
      ...(externalIp ? { externalIp } : {}),
    },
    settings: recorded,
    addons: addonInventory(addons, vols),
    rancher: {
      imported: Boolean(registration?.value),
      deployments: [deploymentInventory(Rancher.deployment, rancher), deploymentInventory(Rancher.agentDeployment, agent)],
    },
    vms: { traditional: traditional.sort(byKey), downstream: downstream.sort(byKey) },
    volumes: volumeInventory(vols),
  };
}
