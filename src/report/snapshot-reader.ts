// SnapshotReader: the narrow, read-only view of a cluster that a snapshot needs. Adapters
// build one from anything with get/list by kind: `readerFromNamedKindApi` (the cluster
// layer's Cluster), `readerFromObjectApi` (the twin's TwinApi); etcd comes through an
// EtcdSource such as `etcdThroughRunningPod`. Capture never depends on a particular client.
import { Kinds, Namespaces, type KindName } from '../common/harvester.js';
import type {
  AddonObject,
  ConfigMapObject,
  DeploymentObject,
  KObject,
  LonghornVolumeObject,
  NodeObject,
  PodObject,
  ServiceObject,
  SettingObject,
  VirtualMachineInstanceObject,
  VirtualMachineObject,
} from '../common/harvester-types.js';

/** What `etcdctl endpoint status --cluster -w json` tells, reduced to what a snapshot keeps. */
export interface EtcdObservation {
  /** Member ids in hex (etcdctl's table form; JSON gives uint64 that must not go through a JS number). */
  members: { id: string; endpoint: string }[];
  /** Hex id of the leader the members agree on; null when there is none. */
  leaderId: string | null;
}

export interface SnapshotReader {
  namespace(name: string): Promise<KObject | undefined>;
  nodes(): Promise<NodeObject[]>;
  pods(namespace: string): Promise<PodObject[]>;
  deployment(namespace: string, name: string): Promise<DeploymentObject | undefined>;
  /** All namespaces. */
  virtualMachines(): Promise<VirtualMachineObject[]>;
  /** All namespaces. */
  virtualMachineInstances(): Promise<VirtualMachineInstanceObject[]>;
  /** All namespaces. */
  addons(): Promise<AddonObject[]>;
  settings(): Promise<SettingObject[]>;
  /** Longhorn volumes (longhorn-system). */
  volumes(): Promise<LonghornVolumeObject[]>;
  configMap(namespace: string, name: string): Promise<ConfigMapObject | undefined>;
  service(namespace: string, name: string): Promise<ServiceObject | undefined>;
  /** null when etcd cannot be asked (no etcd pod running); throws on a failed exec. */
  etcdStatus(): Promise<EtcdObservation | null>;
}

export interface KindRef {
  apiVersion: string;
  kind: string;
}

/** The get/list part of a Kubernetes client, by kind reference. TwinApi has this shape. */
export interface ObjectApi {
  get<T extends KObject = KObject>(ref: KindRef, namespace: string | undefined, name: string): Promise<T | undefined>;
  list<T extends KObject = KObject>(ref: KindRef, opts?: { namespace?: string }): Promise<T[]>;
}

/** The same by kind name ('Node', 'VirtualMachine'): the cluster layer's Cluster has this shape. */
export interface NamedKindApi {
  get<T extends KObject = KObject>(kind: KindName, namespace: string | undefined, name: string): Promise<T | undefined>;
  list<T extends KObject = KObject>(kind: KindName, opts?: { namespace?: string }): Promise<T[]>;
}

export type EtcdSource = () => Promise<EtcdObservation | null>;

export function readerFromObjectApi(api: ObjectApi, etcdStatus: EtcdSource): SnapshotReader {
  return readerFromNamedKindApi(
    { get: (kind, namespace, name) => api.get(Kinds[kind], namespace, name), list: (kind, opts) => api.list(Kinds[kind], opts) },
    etcdStatus,
  );
}

export function readerFromNamedKindApi(api: NamedKindApi, etcdStatus: EtcdSource): SnapshotReader {
  return {
    namespace: (name) => api.get('Namespace', undefined, name),
    nodes: () => api.list<NodeObject>('Node'),
    pods: (namespace) => api.list<PodObject>('Pod', { namespace }),
    deployment: (namespace, name) => api.get<DeploymentObject>('Deployment', namespace, name),
    virtualMachines: () => api.list<VirtualMachineObject>('VirtualMachine'),
    virtualMachineInstances: () => api.list<VirtualMachineInstanceObject>('VirtualMachineInstance'),
    addons: () => api.list<AddonObject>('Addon'),
    settings: () => api.list<SettingObject>('Setting'),
    volumes: () => api.list<LonghornVolumeObject>('LonghornVolume', { namespace: Namespaces.longhornSystem }),
    configMap: (namespace, name) => api.get<ConfigMapObject>('ConfigMap', namespace, name),
    service: (namespace, name) => api.get<ServiceObject>('Service', namespace, name),
    etcdStatus,
  };
}

/** What the cluster layer's etcd `endpoint status` gives per member (its EtcdMember fits). */
export interface EtcdMemberStatus {
  endpoint: string;
  /** Hex. */
  memberId: string;
  isLeader: boolean;
}

export function etcdObservation(members: readonly EtcdMemberStatus[]): EtcdObservation {
  return {
    members: members.map((m) => ({ id: m.memberId, endpoint: m.endpoint })),
    leaderId: members.find((m) => m.isLeader)?.memberId ?? null,
  };
}

/**
 * An EtcdSource that asks through the etcd static pod of the first node where it is
 * Running (kube-system/etcd-<node>), trying the next on failure. null when no etcd pod
 * runs; the last error when every one failed.
 */
export function etcdThroughRunningPod(
  pods: (namespace: string) => Promise<PodObject[]>,
  ask: (node: string) => Promise<readonly EtcdMemberStatus[]>,
): EtcdSource {
  return async () => {
    const running = (await pods(Namespaces.kubeSystem))
      .filter((p) => p.metadata.name.startsWith('etcd-') && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.spec?.nodeName)
      .map((p) => p.spec?.nodeName as string)
      .sort();
    let last: unknown;
    for (const node of running) {
      try {
        return etcdObservation(await ask(node));
      } catch (err) {
        last = err;
      }
    }
    if (last !== undefined) throw last;
    return null;
  };
}
