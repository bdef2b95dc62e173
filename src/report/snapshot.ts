// captureSnapshot: reads a cluster through a SnapshotReader and reduces it to a
// ClusterSnapshot. Reading is fail-closed: if a core list fails, the capture fails (a
// half snapshot would make the verification lie); only etcd, which needs an exec into a
// running pod, may be missing, and then the snapshot says so in `unreadable`.
import { Annotations, Labels, Namespaces, NodeDriverCreator, Rancher, RecordedSettings, SystemNamespaces, Vip } from '../common/harvester.js';
import type {
  AddonObject,
  DeploymentObject,
  LonghornVolumeObject,
  NodeObject,
  SettingObject,
  VirtualMachineInstanceObject,
  VirtualMachineObject,
} from '../common/harvester-types.js';
import { summarizePods } from './pods.js';
import { redactSetting, redactText, type RedactOptions } from '../common/redact.js';
import { redactOptionsFor, stampField, UidSalted, type RedactionPlan } from '../common/redaction.js';
import type { EtcdObservation, SnapshotReader } from './snapshot-reader.js';
import {
  SnapshotSchema,
  type ClusterSnapshot,
  type SnapshotAddon,
  type SnapshotDeploymentScale,
  type SnapshotEtcd,
  type SnapshotNode,
  type SnapshotSetting,
  type SnapshotVm,
  type SnapshotVolume,
} from './snapshot-types.js';

export interface CaptureOptions {
  /** Modelled now (Clock.now()); the snapshot's takenAt. */
  now?: () => number;
  /**
   * How secrets are masked (../common/redaction.ts). A shutdown records with its state
   * root's key; a comparison captures as the recorded snapshot did. Default: UID-salted,
   * as fallow did before the key (kept for tests and old callers; no run uses it for new records).
   */
  redaction?: RedactionPlan;
}

export async function captureSnapshot(reader: SnapshotReader, opts: CaptureOptions = {}): Promise<ClusterSnapshot> {
  const takenAt = new Date((opts.now ?? Date.now)()).toISOString();
  const [kubeSystem, nodes, settings, addons, vms, vmis, volumes, vipCm, ingress, rancher, agent, podLists] = await Promise.all([
    reader.namespace(Namespaces.kubeSystem),
    reader.nodes(),
    reader.settings(),
    reader.addons(),
    reader.virtualMachines(),
    reader.virtualMachineInstances(),
    reader.volumes(),
    reader.configMap(Vip.configMap.namespace, Vip.configMap.name),
    reader.service(Vip.service.namespace, Vip.service.name),
    reader.deployment(Rancher.namespace, Rancher.deployment),
    reader.deployment(Rancher.namespace, Rancher.agentDeployment),
    Promise.all(SystemNamespaces.map(async (ns) => summarizePods(ns, await reader.pods(ns)))),
  ]);
  const unreadable: string[] = [];
  let etcdObs: EtcdObservation | null = null;
  try {
    etcdObs = await reader.etcdStatus();
    if (!etcdObs) unreadable.push('etcd: no running etcd pod to ask');
  } catch (err) {
    unreadable.push(`etcd: ${redactText(err instanceof Error ? err.message : String(err))}`);
  }
  const snapNodes = nodes.map(toNode).sort(byName);
  // The UID (and the key) salt the digests of masked secrets: same cluster, same digest for the same secret.
  const redaction = opts.redaction ?? UidSalted;
  const snapSettings = toSettings(settings, redactOptionsFor(redaction, kubeSystem?.metadata.uid));
  return {
    schema: SnapshotSchema,
    takenAt,
    cluster: { id: kubeSystem?.metadata.uid ?? null, harvesterVersion: snapSettings['server-version']?.value ?? null },
    nodes: snapNodes,
    vip: {
      configuredIp: nonEmpty(vipCm?.data?.ip),
      mode: nonEmpty(vipCm?.data?.mode),
      ingressIp: nonEmpty(ingress?.status?.loadBalancer?.ingress?.[0]?.ip),
    },
    settings: snapSettings,
    ...stampField(redaction),
    addons: addons.map(toAddon).sort(byNamespacedName),
    rancher: { rancher: toScale(rancher), agent: toScale(agent) },
    vms: toVms(vms, vmis),
    volumes: volumes.map(toVolume).sort(byName),
    systemPods: podLists,
    etcd: etcdObs ? toEtcd(etcdObs, snapNodes) : null,
    unreadable,
  };
}

const roleLabel = /^node-role\.(kubernetes|harvesterhci)\.io\/(.+)$/;

function toNode(n: NodeObject): SnapshotNode {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata.labels ?? {})) {
    const m = roleLabel.exec(k);
    // kubectl shows any node-role.kubernetes.io label; Harvester's own roles are "true".
    if (m?.[2] && (m[1] === 'kubernetes' || v === 'true')) roles.add(m[2]);
  }
  return {
    name: n.metadata.name,
    roles: [...roles].sort(),
    internalIP: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? null,
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? null,
  };
}

function toSettings(settings: readonly SettingObject[], redact: RedactOptions): Record<string, SnapshotSetting> {
  const out: Record<string, SnapshotSetting> = {};
  for (const name of RecordedSettings) {
    const s = settings.find((x) => x.metadata.name === name);
    if (!s) {
      out[name] = { value: null, isDefault: true };
      continue;
    }
    const isDefault = !s.value;
    out[name] = { value: redactSetting(name, (isDefault ? s.default : s.value) ?? '', redact), isDefault };
  }
  return out;
}

function toAddon(a: AddonObject): SnapshotAddon {
  const failed = a.status?.conditions?.find((c) => c.type === 'OperationFailed' && c.status === 'True');
  return {
    namespace: a.metadata.namespace ?? '',
    name: a.metadata.name,
    enabled: a.spec?.enabled ?? false,
    status: a.status?.status ?? '',
    failure: failed ? redactText(failed.message ?? failed.reason ?? 'OperationFailed') : null,
  };
}

function toScale(d: DeploymentObject | undefined): SnapshotDeploymentScale | null {
  if (!d) return null;
  return {
    scaleAvailable: d.metadata.annotations?.[Annotations.scaleAvailable] ?? null,
    // The API server defaults an omitted spec.replicas to 1.
    replicas: d.spec?.replicas ?? 1,
    readyReplicas: d.status?.readyReplicas ?? 0,
  };
}

function toVms(vms: readonly VirtualMachineObject[], vmis: readonly VirtualMachineInstanceObject[]): SnapshotVm[] {
  const vmiByKey = new Map(vmis.map((i) => [`${i.metadata.namespace}/${i.metadata.name}`, i]));
  return vms
    .map((vm): SnapshotVm => {
      const vmi = vmiByKey.get(`${vm.metadata.namespace}/${vm.metadata.name}`);
      const labels = { ...vm.spec?.template?.metadata?.labels, ...vm.metadata.labels };
      const guestCluster = labels[Labels.guestClusterName] ?? null;
      const downstream = labels[Labels.vmCreator] === NodeDriverCreator || guestCluster !== null;
      const phase = vmi?.status?.phase ?? null;
      return {
        namespace: vm.metadata.namespace ?? '',
        name: vm.metadata.name,
        runStrategy: vm.spec?.runStrategy ?? null,
        running: vm.spec?.runStrategy === undefined ? (vm.spec?.running ?? null) : null,
        runningNow: phase === 'Running' && !vmi?.metadata.deletionTimestamp,
        vmiPhase: phase,
        node: vmi?.status?.nodeName ?? null,
        printableStatus: vm.status?.printableStatus ?? null,
        kind: downstream ? 'downstream' : 'traditional',
        guestCluster,
      };
    })
    .sort(byNamespacedName);
}

function toVolume(v: LonghornVolumeObject): SnapshotVolume {
  const k = v.status?.kubernetesStatus;
  return {
    name: v.metadata.name,
    state: v.status?.state ?? null,
    robustness: v.status?.robustness ?? null,
    node: nonEmpty(v.status?.currentNodeID),
    pvc: k?.namespace && k.pvcName ? `${k.namespace}/${k.pvcName}` : null,
  };
}

/** Maps etcd endpoints (https://IP:2379) to nodes by InternalIP, so members read as names. */
function toEtcd(obs: EtcdObservation, nodes: readonly SnapshotNode[]): SnapshotEtcd {
  const members = obs.members
    .map((m) => {
      const host = hostOf(m.endpoint);
      const node = nodes.find((n) => n.internalIP !== null && n.internalIP === host)?.name ?? null;
      return { id: m.id, endpoint: m.endpoint, node, isLeader: obs.leaderId !== null && m.id === obs.leaderId };
    })
    .sort((a, b) => (a.node ?? a.id).localeCompare(b.node ?? b.id));
  const leader = members.find((m) => m.isLeader);
  return { members, leader: leader ? (leader.node ?? leader.id) : null };
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return endpoint;
  }
}

function nonEmpty(s: string | undefined | null): string | null {
  return s ? s : null;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}

function byNamespacedName(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  return a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}
