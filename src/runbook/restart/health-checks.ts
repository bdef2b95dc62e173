// What the seed's 5.2 "Healthy Check" looks at, as data: each system pod's problem (its
// state as kubectl shows it, restart count, node) and each faulted Longhorn volume with the
// PVC it backs and whether anything this restart brings back needs it; and, when a storage
// network is set, whether it is configured and on every instance-manager pod. health.ts decides
// when to wait, warn or stop; this module only reads objects.
import { Namespaces, StorageNetwork } from '../../common/harvester.js';
import type { LonghornVolumeObject, PodObject, SettingObject, VirtualMachineObject } from '../../common/harvester-types.js';
import { capList, count } from '../../common/list.js';
import { supersededFailedPods } from '../../report/pods.js';
import type { VmFact } from '../facts.js';

export interface PodProblem {
  /** "namespace/name" */
  pod: string;
  /** CrashLoopBackOff, Failed (NodeShutdown), NotReady, Pending, Terminating, … */
  state: string;
  restarts: number;
  node?: string;
  /** A state the seed says needs troubleshooting (Failed, CrashLoopBackOff and kin), not just slow. */
  failing: boolean;
}

// The kubelet's waiting/terminated reasons that do not clear by waiting for a boot to finish.
const failingReasons = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerError',
  'CreateContainerConfigError',
  'RunContainerError',
  'Error',
  'OOMKilled',
]);

const readyCondition = (p: PodObject) => p.status?.conditions?.find((c) => c.type === 'Ready');

/** The pod's problem, or undefined when it is Running and Ready (or a finished Job pod). */
export function podProblem(p: PodObject): PodProblem | undefined {
  const containers = p.status?.containerStatuses ?? [];
  const base = {
    pod: `${p.metadata.namespace}/${p.metadata.name}`,
    restarts: containers.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
  };
  const phase = p.status?.phase;
  if (p.metadata.deletionTimestamp) return { ...base, state: 'Terminating', failing: false };
  if (phase === 'Succeeded') return undefined;
  if (phase === 'Failed') {
    const reason = (p.status as { reason?: string } | undefined)?.reason;
    return { ...base, state: reason ? `Failed (${reason})` : 'Failed', failing: true };
  }
  const reason = containers.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).find((r) => r);
  if (reason) return { ...base, state: reason, failing: failingReasons.has(reason) };
  if (phase !== 'Running') return { ...base, state: phase ?? 'Pending', failing: false };
  // The Ready condition, not only the containers' flags: after an outage the node-lifecycle
  // controller marks pods not ready without touching containerStatuses, which still say
  // ready from before the shutdown until the kubelet syncs the pod again.
  const ready = readyCondition(p);
  if ((ready && ready.status !== 'True') || !containers.every((c) => c.ready)) return { ...base, state: 'NotReady', failing: false };
  return undefined;
}

export interface SystemPodFindings {
  /** Pods not Running and Ready, each with its problem. */
  problems: PodProblem[];
  /** Failed pods their controller has replaced since: warned, not waited on. */
  leftovers: PodProblem[];
}

/**
 * The pods of one namespace as the seed's check reads them: what "continues" to fail or is
 * not up yet, apart from Failed pods left over from before the restart (a graceful node
 * shutdown's "Terminated" pods, evicted or admission-rejected ones) whose Deployment,
 * DaemonSet or Job has a Ready or Succeeded pod created since. Those would otherwise hold
 * the gate to its timeout for nothing; a replacement that fails too is caught by itself.
 */
export function systemPodFindings(pods: readonly PodObject[]): SystemPodFindings {
  const superseded = supersededFailedPods(pods);
  const problems: PodProblem[] = [];
  const leftovers: PodProblem[] = [];
  for (const p of pods) {
    const problem = podProblem(p);
    if (!problem) continue;
    if (superseded.has(p)) leftovers.push({ ...problem, failing: false });
    else problems.push(problem);
  }
  return { problems, leftovers };
}

/** "longhorn-system/longhorn-manager-66n7h CrashLoopBackOff (12 restarts, on harv2)" */
export function describePodProblem(p: PodProblem): string {
  const parts = [p.restarts === 1 ? '1 restart' : `${p.restarts} restarts`, ...(p.node ? [`on ${p.node}`] : [])];
  return `${p.pod} ${p.state} (${parts.join(', ')})`;
}

export interface FaultedVolume {
  volume: string;
  /** "namespace/name" of the PVC it backs, when Longhorn knows it. */
  pvc?: string;
  state: string;
  /** What this restart brings back that needs it; empty: nothing does. */
  neededBy: string[];
}

/** What the restart brings back that needs storage, keyed by PVC ("ns/name") or namespace. */
export interface StorageNeeds {
  /** PVC → the VMs (recorded running) that mount it. */
  vmClaims: Map<string, string[]>;
  /** Namespaces whose workloads this restart brings back (re-enabled addons, scaled-back workloads). */
  namespaces: Set<string>;
}

/** Only the VMs that ran before count: the restart starts no other (design: seed 5.5). */
export function storageNeeds(recorded: readonly VmFact[], vms: readonly VirtualMachineObject[], namespaces: Iterable<string>): StorageNeeds {
  const ran = new Set(recorded.filter((v) => v.vmiRan).map((v) => `${v.namespace}/${v.name}`));
  const vmClaims = new Map<string, string[]>();
  for (const vm of vms) {
    const key = `${vm.metadata.namespace}/${vm.metadata.name}`;
    if (!ran.has(key)) continue;
    for (const vol of vm.spec?.template?.spec?.volumes ?? []) {
      const claim = vol.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const pvc = `${vm.metadata.namespace}/${claim}`;
      vmClaims.set(pvc, [...(vmClaims.get(pvc) ?? []), `VM ${key}`]);
    }
  }
  return { vmClaims, namespaces: new Set(namespaces) };
}

export function faultedVolumes(vols: readonly LonghornVolumeObject[], needs: StorageNeeds): FaultedVolume[] {
  return vols
    .filter((v) => v.status?.robustness === 'faulted')
    .map((v) => {
      const ks = v.status?.kubernetesStatus;
      const pvc = ks?.namespace && ks.pvcName ? `${ks.namespace}/${ks.pvcName}` : undefined;
      const neededBy = [
        ...(pvc ? (needs.vmClaims.get(pvc) ?? []) : []),
        ...(ks?.namespace && needs.namespaces.has(ks.namespace) ? [`the workloads of namespace ${ks.namespace}`] : []),
        ...(ks?.workloadsStatus ?? []).map((w) => `pod ${ks?.namespace ? `${ks.namespace}/` : ''}${w.podName}`),
      ];
      return { volume: v.metadata.name, ...(pvc ? { pvc } : {}), state: v.status?.state ?? 'unknown', neededBy: [...new Set(neededBy)] };
    });
}

/** "pvc-1a2b (PVC default/vm1-disk-0, detached, faulted; needed by VM default/vm1)" */
export function describeFaultedVolume(v: FaultedVolume): string {
  const needed = v.neededBy.length ? `; needed by ${v.neededBy.join(', ')}` : '; nothing this restart starts needs it';
  return `${v.volume} (${v.pvc ? `PVC ${v.pvc}` : 'no PVC'}, ${v.state}, faulted${needed})`;
}

/** What is wrong with the storage network (seed 5.2 "Storage Network"), when one is set. */
export interface StorageNetworkProblem {
  /** The setting's JSON value, as the operator set it. */
  value: string;
  /** "harvester-system/storagenetwork-xxxxx", from the setting's annotation ('' if none yet). */
  nad: string;
  /** The `configured` condition when it is not True: "False (In Progress: waiting for …)". */
  notConfigured?: string;
  /** Running instance-manager pods without the storage network attached: "ns/name (on node)". */
  podsWithout: string[];
}

interface NetworkStatusEntry {
  name?: string;
  interface?: string;
  ips?: string[];
}

function networkStatus(p: PodObject): NetworkStatusEntry[] {
  const raw = p.metadata.annotations?.[StorageNetwork.networkStatusAnnotation];
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? (parsed as NetworkStatusEntry[]) : [];
  } catch {
    return []; // unreadable counts as not attached: fail closed
  }
}

/** Multus attached the storage NAD (or, before the setting names one, any lhnet1) with an address. */
function carriesStorageNetwork(p: PodObject, nad: string): boolean {
  return networkStatus(p).some((e) => (nad ? e.name === nad : e.interface === StorageNetwork.interface) && (e.ips?.length ?? 0) > 0);
}

const isInstanceManager = (p: PodObject) =>
  p.metadata.namespace === Namespaces.longhornSystem && p.metadata.labels?.[StorageNetwork.instanceManagerLabel.key] === StorageNetwork.instanceManagerLabel.value;

/**
 * Undefined when no storage network is set (the check does not apply) or when it is
 * consistent: the setting configured and every running instance-manager pod carrying it.
 * Pods not yet Running are the pod checks' business, not this one's.
 */
export function storageNetworkProblem(setting: SettingObject | undefined, pods: readonly PodObject[]): StorageNetworkProblem | undefined {
  const value = setting?.value?.trim() ?? '';
  if (!setting || value === '') return undefined;
  const nad = setting.metadata.annotations?.[StorageNetwork.nadAnnotation] ?? '';
  const cond = setting.status?.conditions?.find((c) => c.type === StorageNetwork.condition);
  const notConfigured = cond?.status === 'True' ? undefined : cond ? `${cond.status}${cond.reason ? ` (${cond.reason}${cond.message ? `: ${cond.message}` : ''})` : ''}` : 'not reported';
  const podsWithout = pods
    .filter((p) => isInstanceManager(p) && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && !carriesStorageNetwork(p, nad))
    .map((p) => `${p.metadata.namespace}/${p.metadata.name}${p.spec?.nodeName ? ` (on ${p.spec.nodeName})` : ''}`);
  return notConfigured || podsWithout.length ? { value, nad, ...(notConfigured ? { notConfigured } : {}), podsWithout } : undefined;
}

/** "setting storage-network (NAD harvester-system/storagenetwork-x) condition configured is False (…); 2 instance-manager pods without it: …" */
export function describeStorageNetworkProblem(p: StorageNetworkProblem): string {
  const parts = [
    ...(p.notConfigured ? [`its condition ${StorageNetwork.condition} is ${p.notConfigured}`] : []),
    ...(p.podsWithout.length ? [`${count(p.podsWithout.length, 'Longhorn instance-manager pod')} without it on ${StorageNetwork.interface}: ${capList(p.podsWithout)}`] : []),
  ];
  return `setting ${StorageNetwork.setting} ${p.value} (NAD ${p.nad || 'not named yet'}): ${parts.join('; ')}`;
}
