// The ClusterSnapshot: what an operator needs to compare a Harvester cluster before the
// shutdown and after the restart, as plain JSON (it is stored beside the journal and
// embedded in reports). Versioned: a reader rejects a snapshot of another schema.
// Only shapes live here; capture is in ./snapshot.ts, comparison in ./verify.ts.
import type { RunStrategy } from '../common/harvester-types.js';
import type { RedactionStamp } from '../common/redaction.js';

export const SnapshotSchema = 'fallow.harvesterhci.io/snapshot/v1' as const;

export interface ClusterSnapshot {
  schema: typeof SnapshotSchema;
  /** ISO time the capture started (modelled time on the twin). */
  takenAt: string;
  cluster: SnapshotCluster;
  nodes: SnapshotNode[];
  vip: SnapshotVip;
  /** Recorded settings (RecordedSettings) by name; redacted (see ../common/redact.ts). */
  settings: Record<string, SnapshotSetting>;
  /** How the settings' secrets were masked; absent: UID-salted digests (snapshots before the redaction key). */
  redaction?: RedactionStamp;
  addons: SnapshotAddon[];
  rancher: SnapshotRancher;
  vms: SnapshotVm[];
  volumes: SnapshotVolume[];
  systemPods: SnapshotPodNamespace[];
  /** null when etcd could not be asked (reported, never guessed). */
  etcd: SnapshotEtcd | null;
  /** Parts that could not be read, with why ("etcd: …"). Empty when complete. */
  unreadable: string[];
}

export interface SnapshotCluster {
  /** UID of the kube-system namespace: the identity the journal is bound to. */
  id: string | null;
  /** The `server-version` setting (Harvester release). */
  harvesterVersion: string | null;
}

export interface SnapshotNode {
  name: string;
  /** Sorted: control-plane, etcd, master, management, witness, worker (as labelled). */
  roles: string[];
  internalIP: string | null;
  ready: boolean;
  kubeletVersion: string | null;
}

export interface SnapshotVip {
  /** ConfigMap harvester-system/vip `ip` (the configured VIP). */
  configuredIp: string | null;
  mode: string | null;
  /** Service kube-system/ingress-expose status.loadBalancer.ingress[0].ip (EXTERNAL-IP). */
  ingressIp: string | null;
}

export interface SnapshotSetting {
  /** The effective value: `value`, or `default` when value is empty. Redacted. */
  value: string | null;
  /** True when the value is the default (value was empty). */
  isDefault: boolean;
}

export interface SnapshotAddon {
  namespace: string;
  name: string;
  enabled: boolean;
  /** status.status; "" when the controller has not written one. */
  status: string;
  /** Message of a True OperationFailed condition, if any. */
  failure: string | null;
}

export interface SnapshotDeploymentScale {
  /** The management.cattle.io/scale-available annotation; null when absent. */
  scaleAvailable: string | null;
  replicas: number;
  readyReplicas: number;
}

export interface SnapshotRancher {
  /** null: the deployment does not exist (Harvester without embedded Rancher). */
  rancher: SnapshotDeploymentScale | null;
  agent: SnapshotDeploymentScale | null;
}

export type VmKind = 'traditional' | 'downstream';

export interface SnapshotVm {
  namespace: string;
  name: string;
  runStrategy: RunStrategy | null;
  /** Legacy spec.running; null when runStrategy is used. */
  running: boolean | null;
  /** A VMI exists and is in phase Running. */
  runningNow: boolean;
  vmiPhase: string | null;
  node: string | null;
  printableStatus: string | null;
  kind: VmKind;
  /** guestcluster.harvesterhci.io/name of a downstream (Rancher node-driver) VM. */
  guestCluster: string | null;
}

export interface SnapshotVolume {
  name: string;
  state: string | null;
  robustness: string | null;
  node: string | null;
  /** "namespace/claim" of the PVC the volume backs, when Longhorn knows it. */
  pvc: string | null;
}

export interface SnapshotPodProblem {
  name: string;
  /** Stable across restarts: the owning workload (Deployment, DaemonSet, node for static pods). */
  workload: string;
  /** What kubectl's STATUS column shows: CrashLoopBackOff, Pending, Terminating, Error… */
  status: string;
  /** "ready containers/containers", as kubectl's READY column. */
  ready: string;
  restarts: number;
  node: string | null;
}

export interface SnapshotPodNamespace {
  namespace: string;
  /** Pods Running with every container ready. */
  ready: number;
  /** Pods counted: all except Succeeded (completed jobs are not expected to run). */
  total: number;
  completed: number;
  problems: SnapshotPodProblem[];
  /**
   * Failed pods their Deployment, DaemonSet or Job has replaced since (./pods.ts
   * supersededFailedPods): not counted in total. Absent when none (and in older snapshots).
   */
  leftovers?: SnapshotPodProblem[];
}

export interface SnapshotEtcdMember {
  /** Hex member id, as etcdctl prints and move-leader takes it. */
  id: string;
  endpoint: string;
  /** The node whose InternalIP the endpoint points at; null when none matches. */
  node: string | null;
  isLeader: boolean;
}

export interface SnapshotEtcd {
  members: SnapshotEtcdMember[];
  /** Node name of the leader (or its member id when no node matches); null: no leader. */
  leader: string | null;
}
