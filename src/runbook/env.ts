// What every runbook step gets: the cluster and power edges, the run's options, and where
// the run directory is (bundles are downloaded there, off the cluster).
import type { NetCheckPort } from './netcheck-port.js';
import type { ClusterPort, PowerPort } from './ports.js';
import type { RancherManagerPort } from './rancher-port.js';

export interface RunOptions {
  /** Seed 2: back up these VMs ("ns/name"), or every running one with ["*"]. */
  backupVms: string[];
  /** Hard-stop guests that ignore ACPI after their grace period, and nodes that stay on. */
  forceOff: boolean;
  /** Force-delete pods stuck Terminating (rancher pods, seed 3.2). */
  forceDeleteStuckPods: boolean;
  /** Seed 3.4: scale down other workloads that hold Longhorn volumes. */
  scaleDownWorkloads: boolean;
  /** How many VMs stop at once (3.1, 3.2). */
  stopConcurrency: number;
  /** Restart: at most this many VMs booting at once (5.5); 0 = sized to the cluster. */
  waveSize: number;
  /** Overrides of the guest grace period (s); undefined = each VM's own. */
  guestGraceSeconds?: number;
  /** Restart: how long the health gates may take (modelled ms, default 15 min). */
  healthTimeoutMs: number;
  /** Restart: how long to wait for Rancher Manager to bring downstream VMs back. */
  downstreamTimeoutMs: number;
  /** Restart from a shutdown that did not complete: restore only what was recorded. */
  fromPartial: boolean;
  /** Skip the support bundles (1.1, 5.6), e.g. when the battery is short. */
  skipBundles: boolean;
  /** Seed 2: an etcd snapshot of each downstream cluster through Rancher Manager first. */
  snapshotDownstream?: boolean;
  /** Restart: go on without the network re-checks over SSH (seed 1.2 / 5). */
  skipNetCheck?: boolean;
  /** Largest NTP offset the network re-check accepts (ms, default 1000). */
  ntpMaxOffsetMs?: number;
}

export const defaultRunOptions: RunOptions = {
  backupVms: [],
  forceOff: false,
  forceDeleteStuckPods: false,
  scaleDownWorkloads: false,
  stopConcurrency: 10,
  waveSize: 0,
  healthTimeoutMs: 15 * 60_000,
  downstreamTimeoutMs: 20 * 60_000,
  fromPartial: false,
  skipBundles: false,
};

export interface RunbookEnv {
  cluster: ClusterPort;
  power: PowerPort;
  options: RunOptions;
  /** The run directory (journal, bundles, report), off the cluster. */
  runDir: string;
  /** Rancher Manager (--rancher-url): downstream snapshots and checks; absent = not used. */
  rancherManager?: RancherManagerPort;
  /** Read-only network checks over SSH on the nodes; absent = no SSH access configured. */
  netCheck?: NetCheckPort;
}
