// The narrow edges the runbook acts through: `ClusterPort` (Kubernetes access) and
// `PowerPort` (node power). The cluster layer and the power layer implement them for a
// real cluster; tests may also plug the twin in-process. The runbook never imports a
// Kubernetes client or a power driver directly.
import type { KindName } from '../common/harvester.js';
import type { KObject } from '../common/harvester-types.js';

export interface ListOpts {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** An informer-style cache: a list+watch kept current, for watch-driven waits. */
export interface CachePort<T extends KObject = KObject> {
  /** Resolves once the initial list is in (and again after a relist). */
  synced(): Promise<void>;
  list(): T[];
  get(namespace: string | undefined, name: string): T | undefined;
  /** Called on every add/update/delete and on relist; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ClusterPort {
  list<T extends KObject = KObject>(kind: KindName, opts?: ListOpts): Promise<T[]>;
  get<T extends KObject = KObject>(kind: KindName, namespace: string | undefined, name: string): Promise<T | undefined>;
  create<T extends KObject = KObject>(obj: T): Promise<T>;
  /** JSON merge patch (application/merge-patch+json). */
  mergePatch(kind: KindName, namespace: string | undefined, name: string, patch: unknown): Promise<void>;
  /** Sets replicas through the scale subresource. */
  scale(kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet', namespace: string, name: string, replicas: number): Promise<void>;
  delete(kind: KindName, namespace: string | undefined, name: string, opts?: { gracePeriodSeconds?: number }): Promise<void>;
  /** KubeVirt subresource: PUT …/virtualmachines/{name}/{action}. Answers 409 → 'conflict'. */
  vmAction(namespace: string, name: string, action: 'start' | 'stop' | 'restart', body?: { gracePeriod?: number }): Promise<'ok' | 'conflict'>;
  exec(namespace: string, pod: string, container: string, command: string[]): Promise<ExecResult>;
  /** GET a non-Kubernetes path of the same server (support bundle download) into a file. */
  download(path: string, toFile: string): Promise<{ bytes: number }>;
  cache<T extends KObject = KObject>(kind: KindName, opts?: ListOpts): CachePort<T>;
  /** `etcdctl endpoint status --cluster` run in kube-system/etcd-<node>. */
  etcdMembers(viaNode: string): Promise<EtcdMember[]>;
  /** `etcdctl move-leader <id>` sent to the current leader's endpoint, through its pod. */
  etcdMoveLeader(leaderNode: string, toMemberIdHex: string): Promise<void>;
  /** True when the API answers right now (used while nodes go down or come back). */
  reachable(): Promise<boolean>;
}

export interface EtcdMember {
  endpoint: string; // https://<ip>:2379
  memberId: string; // hex, as etcdctl prints it
  isLeader: boolean;
  raftTerm: number;
  raftIndex: number;
  version: string;
  dbSize: number;
}

export type PowerState = 'on' | 'off' | 'unknown';

export interface NodeTarget {
  name: string;
  ip: string;
}

export interface PowerPort {
  /** Graceful OS shutdown (SSH `shutdown -h now`, else BMC soft-off). */
  shutdown(node: NodeTarget): Promise<void>;
  /** BMC power on, or ask the operator (manual). */
  powerOn(node: NodeTarget): Promise<void>;
  /** Hard power-off; only with --force-off. */
  forceOff(node: NodeTarget): Promise<void>;
  /** Best knowledge of the power state (BMC, else probes). */
  status(node: NodeTarget): Promise<PowerState>;
  /** The node's OS answers (SSH port open): it has booted, even while the API is down. */
  osUp(node: NodeTarget): Promise<boolean>;
}
