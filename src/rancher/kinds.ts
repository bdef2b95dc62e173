// The Rancher Manager kinds fallow reads (and the one field it writes), where they live in
// the REST API of Rancher's local cluster, and their shapes narrowed to the fields used.
// Sources and what each field means: docs/rancher-manager.md (Rancher v2.8–v2.10).
// Both the client (src/rancher) and the twin's Rancher Manager use this one table.
import type { Condition, KObject } from '../common/harvester-types.js';
import type { KindInfo } from '../cluster/kinds.js';

export const RancherKinds = {
  /** management.cattle.io/v3 Cluster: the imported Harvester ("c-m-…") and every downstream. */
  ManagementCluster: { kind: 'Cluster', apiVersion: 'management.cattle.io/v3', group: 'management.cattle.io', version: 'v3', plural: 'clusters', namespaced: false },
  /** provisioning.cattle.io/v1 Cluster: a downstream cluster Rancher provisions (fleet-default). */
  ProvisioningCluster: { kind: 'Cluster', apiVersion: 'provisioning.cattle.io/v1', group: 'provisioning.cattle.io', version: 'v1', plural: 'clusters', namespaced: true },
  /** cluster.x-k8s.io/v1beta1 Machine: one per downstream node (a Harvester VM here). */
  Machine: { kind: 'Machine', apiVersion: 'cluster.x-k8s.io/v1beta1', group: 'cluster.x-k8s.io', version: 'v1beta1', plural: 'machines', namespaced: true },
  /** rke-machine.cattle.io/v1 HarvesterMachine: the node driver's machine (VM name and namespace). */
  HarvesterMachine: { kind: 'HarvesterMachine', apiVersion: 'rke-machine.cattle.io/v1', group: 'rke-machine.cattle.io', version: 'v1', plural: 'harvestermachines', namespaced: true },
  /** rke.cattle.io/v1 RKEControlPlane: carries the etcd snapshot phase of a downstream cluster. */
  RkeControlPlane: { kind: 'RKEControlPlane', apiVersion: 'rke.cattle.io/v1', group: 'rke.cattle.io', version: 'v1', plural: 'rkecontrolplanes', namespaced: true },
  /** rke.cattle.io/v1 ETCDSnapshot: one per snapshot file of a downstream cluster. */
  EtcdSnapshot: { kind: 'ETCDSnapshot', apiVersion: 'rke.cattle.io/v1', group: 'rke.cattle.io', version: 'v1', plural: 'etcdsnapshots', namespaced: true },
} as const satisfies Record<string, KindInfo>;

export type RancherKindName = keyof typeof RancherKinds;

export const RancherLabels = {
  /** On the Harvester cluster's management (and provisioning) Cluster. */
  provider: 'provider.cattle.io',
  capiClusterName: 'cluster.x-k8s.io/cluster-name',
  /** On ETCDSnapshot objects (and RKE machine objects): the provisioning cluster's name. */
  rkeClusterName: 'rke.cattle.io/cluster-name',
} as const;

export const HarvesterProvider = 'harvester';
export const HarvesterMachineKind = 'HarvesterMachine';
export const HarvesterConfigKind = 'HarvesterConfig';
/** Where Rancher keeps provisioning clusters it creates from the UI. */
export const FleetDefault = 'fleet-default';
/** Rancher's path to its own (local) cluster's Kubernetes API. */
export const LocalClusterPath = '/k8s/clusters/local';

export interface ManagementClusterObject extends KObject {
  spec?: { displayName?: string; internal?: boolean };
  status?: { conditions?: Condition[]; provider?: string; driver?: string; version?: { gitVersion?: string } };
}

export interface MachinePool {
  name: string;
  quantity?: number;
  etcdRole?: boolean;
  controlPlaneRole?: boolean;
  workerRole?: boolean;
  machineConfigRef?: { kind?: string; name?: string; apiVersion?: string };
}

export interface ProvisioningClusterObject extends KObject {
  spec?: {
    kubernetesVersion?: string;
    cloudCredentialSecretName?: string;
    rkeConfig?: { machinePools?: MachinePool[]; etcdSnapshotCreate?: { generation?: number } };
  };
  status?: { clusterName?: string; ready?: boolean; conditions?: Condition[]; observedGeneration?: number };
}

export interface MachineObject extends KObject {
  spec?: {
    clusterName?: string;
    infrastructureRef?: { apiVersion?: string; kind?: string; name?: string; namespace?: string };
  };
  status?: {
    phase?: 'Pending' | 'Provisioning' | 'Provisioned' | 'Running' | 'Deleting' | 'Deleted' | 'Failed' | 'Unknown';
    nodeRef?: { kind?: string; name?: string };
    conditions?: Condition[];
  };
}

export interface HarvesterMachineObject extends KObject {
  spec?: { vmNamespace?: string };
}

export type SnapshotCreatePhase = 'Started' | 'RestartCluster' | 'Finished' | 'Failed';

export interface RkeControlPlaneObject extends KObject {
  spec?: { etcdSnapshotCreate?: { generation?: number }; clusterName?: string };
  status?: { etcdSnapshotCreate?: { generation?: number }; etcdSnapshotCreatePhase?: SnapshotCreatePhase; ready?: boolean };
}

export interface EtcdSnapshotObject extends KObject {
  spec?: { clusterName?: string };
  snapshotFile?: {
    name?: string;
    nodeName?: string;
    location?: string;
    createdAt?: string;
    size?: number;
    /** "successful" | "failed" (k3s/rke2 snapshot file status). */
    status?: string;
    /** Base64 of the error text when status is "failed". */
    message?: string;
  };
  status?: { missing?: boolean };
}

export interface RancherKindShapes {
  ManagementCluster: ManagementClusterObject;
  ProvisioningCluster: ProvisioningClusterObject;
  Machine: MachineObject;
  HarvesterMachine: HarvesterMachineObject;
  RkeControlPlane: RkeControlPlaneObject;
  EtcdSnapshot: EtcdSnapshotObject;
}

export function conditionOf(obj: { status?: { conditions?: Condition[] } } | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}
