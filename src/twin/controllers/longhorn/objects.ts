// Longhorn's objects for one PVC, shaped like longhorn-manager's: the PV, the Volume named
// after the PV ("pvc-<pvc uid>"), and its Replicas ("<volume>-r-<8 hex>") on distinct nodes
// that may hold data (never a witness). Shared by the provisioner and the scenario builder.
import type { KObject } from '../../store/types.js';

export const LonghornNamespace = 'longhorn-system';

export interface VolumePlan {
  pvcNamespace: string;
  pvcName: string;
  pvcUid: string;
  size: string; // "10Gi"
  replicas: number;
  nodes: string[]; // where the replicas live
  replicaIds: string[]; // 8 hex each
  workload?: { podName: string; workloadName: string; workloadType: string; node: string };
}

export function bytesOf(size: string): number {
  const m = /^(\d+)(Mi|Gi|Ti)$/.exec(size);
  if (!m) return 0;
  const mul = { Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[m[2] as 'Mi' | 'Gi' | 'Ti'];
  return Number(m[1]) * mul;
}

export function volumeName(pvcUid: string): string {
  return `pvc-${pvcUid}`;
}

export function persistentVolume(p: VolumePlan): KObject {
  const name = volumeName(p.pvcUid);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': 'driver.longhorn.io' } },
    spec: {
      capacity: { storage: p.size },
      accessModes: ['ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: 'harvester-longhorn',
      volumeMode: 'Block',
      csi: { driver: 'driver.longhorn.io', volumeHandle: name, fsType: 'ext4' },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: p.pvcNamespace, name: p.pvcName, uid: p.pvcUid },
    },
    status: { phase: 'Bound' },
  };
}

export function longhornVolume(p: VolumePlan, state: { attachedTo?: string; now: string }): KObject {
  const name = volumeName(p.pvcUid);
  const attached = Boolean(p.workload && state.attachedTo);
  return {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Volume',
    metadata: { name, namespace: LonghornNamespace, labels: { longhornvolume: name }, finalizers: ['longhorn.io'] },
    spec: {
      size: String(bytesOf(p.size)),
      numberOfReplicas: p.replicas,
      dataEngine: 'v1',
      frontend: 'blockdev',
      accessMode: 'rwx',
      migratable: true,
      dataLocality: 'disabled',
      nodeID: attached ? state.attachedTo : '',
    },
    status: {
      state: attached ? 'attached' : 'detached',
      robustness: attached ? 'healthy' : 'unknown',
      currentNodeID: attached ? state.attachedTo : '',
      frontendDisabled: false,
      conditions: [
        { type: 'Scheduled', status: 'True', reason: '', message: '', lastTransitionTime: state.now },
        { type: 'Restore', status: 'False', reason: '', message: '', lastTransitionTime: state.now },
        { type: 'TooManySnapshots', status: 'False', reason: '', message: '', lastTransitionTime: state.now },
      ],
      kubernetesStatus: {
        pvName: name,
        pvStatus: 'Bound',
        namespace: p.pvcNamespace,
        pvcName: p.pvcName,
        lastPVCRefAt: '',
        lastPodRefAt: '',
        workloadsStatus: p.workload && attached ? [{ podName: p.workload.podName, podStatus: 'Running', workloadName: p.workload.workloadName, workloadType: p.workload.workloadType }] : [],
      },
    },
  };
}

export function replicas(p: VolumePlan, running: boolean): KObject[] {
  const vol = volumeName(p.pvcUid);
  return p.nodes.map((node, i) => ({
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Replica',
    metadata: { name: `${vol}-r-${p.replicaIds[i] ?? i.toString(16).padStart(8, '0')}`, namespace: LonghornNamespace, labels: { longhornvolume: vol, longhornnode: node } },
    spec: { volumeName: vol, nodeID: node, dataEngine: 'v1', failedAt: '', volumeSize: String(bytesOf(p.size)), active: true },
    status: { currentState: running ? 'running' : 'stopped', instanceManagerName: `instance-manager-${node}` },
  }));
}

/** Spreads replicas over data nodes: the `count` least-loaded, ties by name. */
export function placeReplicas(dataNodes: string[], count: number, load: Map<string, number>): string[] {
  const chosen = [...dataNodes].sort((a, b) => (load.get(a) ?? 0) - (load.get(b) ?? 0) || a.localeCompare(b)).slice(0, Math.min(count, dataNodes.length));
  for (const n of chosen) load.set(n, (load.get(n) ?? 0) + 1);
  return chosen;
}
