// The edge to Rancher Manager (the external one the Harvester cluster is imported into),
// as the runbook sees it: the imported Harvester cluster's state, the downstream clusters
// Rancher provisions with the Harvester node driver, and their etcd snapshots. src/rancher
// implements it over Rancher's API; the runbook never imports that client.

/** Rancher's summary of the imported Harvester cluster (management.cattle.io Cluster). */
export interface HarvesterClusterView {
  /** management.cattle.io Cluster name, "c-m-…". */
  id: string;
  displayName: string;
  /** What the Rancher UI shows: Active when Ready and Connected. */
  state: 'Active' | 'Unavailable' | 'Provisioning';
  message?: string;
}

export interface DownstreamMachineView {
  namespace: string;
  name: string;
  /** The Harvester VM behind it (named after the machine), when the node driver is Harvester;
   *  namespace from its HarvesterMachine, absent when that could not be read. */
  vm?: { namespace?: string; name: string };
  phase: string;
  /** Running, with a node, and its node healthy. */
  ready: boolean;
  /** Why not ready, in Rancher's words when it gives any. */
  reason?: string;
}

export interface DownstreamClusterView {
  /** provisioning.cattle.io Cluster namespace/name (fleet-default/<name>). */
  namespace: string;
  name: string;
  /** management.cattle.io Cluster name, "c-m-…", once Rancher assigned it. */
  id?: string;
  ready: boolean;
  message?: string;
  /** Machine pools backed by the Harvester node driver (HarvesterConfig). */
  harvesterPools: string[];
  machines: DownstreamMachineView[];
}

export interface EtcdSnapshotView {
  name: string;
  nodeName?: string;
  createdAt?: string;
  /** "successful" | "failed" | "" while unknown. */
  status: string;
  /** Decoded failure text. */
  message?: string;
}

export interface SnapshotStateView {
  /** spec.rkeConfig.etcdSnapshotCreate.generation of the provisioning cluster (0 when unset). */
  requestedGeneration: number;
  /** Last generation the control plane finished (status.etcdSnapshotCreate.generation). */
  finishedGeneration: number;
  /** Generation the control plane is working on (its spec.etcdSnapshotCreate.generation): the
   *  phase below is about this one. */
  processingGeneration: number;
  phase?: 'Started' | 'RestartCluster' | 'Finished' | 'Failed';
  snapshots: EtcdSnapshotView[];
}

export interface RancherManagerPort {
  /** Where Rancher Manager is (for messages; never carries the token). */
  readonly url: string;
  /**
   * The imported Harvester cluster: by id when given (from Harvester's
   * cluster-registration-url), else the only cluster labelled provider.cattle.io=harvester.
   */
  harvesterCluster(id?: string): Promise<HarvesterClusterView>;
  /** Every provisioning cluster with at least one Harvester node-driver machine pool. */
  downstreamClusters(): Promise<DownstreamClusterView[]>;
  snapshotState(namespace: string, name: string): Promise<SnapshotStateView>;
  /** Sets spec.rkeConfig.etcdSnapshotCreate.generation to `generation` (Rancher's "Snapshot Now"). */
  requestSnapshot(namespace: string, name: string, generation: number): Promise<void>;
  /** Wakes a wait when any of the objects above changes; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}
