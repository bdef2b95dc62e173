// SnapshotReader: the narrow, read-only view of a cluster that a snapshot needs. The
// cluster layer's client satisfies it for a real cluster; `readerFromObjectApi` builds one
// from anything with get/list by kind (the twin's TwinApi, or a thin wrapper around the
// cluster client), so capture code never depends on a particular client.
import { Kinds, Namespaces } from '../common/harvester.js';
import type {
  AddonObject,
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

export interface ConfigMapObject extends KObject {
  data?: Record<string, string>;
}

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

/** The get/list part of a Kubernetes client, by kind. TwinApi has exactly this shape. */
export interface ObjectApi {
  get<T extends KObject = KObject>(ref: KindRef, namespace: string | undefined, name: string): Promise<T | undefined>;
  list<T extends KObject = KObject>(ref: KindRef, opts?: { namespace?: string }): Promise<T[]>;
}

export function readerFromObjectApi(api: ObjectApi, etcdStatus: () => Promise<EtcdObservation | null>): SnapshotReader {
  return {
    namespace: (name) => api.get(Kinds.Namespace, undefined, name),
    nodes: () => api.list<NodeObject>(Kinds.Node),
    pods: (namespace) => api.list<PodObject>(Kinds.Pod, { namespace }),
    deployment: (namespace, name) => api.get<DeploymentObject>(Kinds.Deployment, namespace, name),
    virtualMachines: () => api.list<VirtualMachineObject>(Kinds.VirtualMachine),
    virtualMachineInstances: () => api.list<VirtualMachineInstanceObject>(Kinds.VirtualMachineInstance),
    addons: () => api.list<AddonObject>(Kinds.Addon),
    settings: () => api.list<SettingObject>(Kinds.Setting),
    volumes: () => api.list<LonghornVolumeObject>(Kinds.LonghornVolume, { namespace: Namespaces.longhornSystem }),
    configMap: (namespace, name) => api.get<ConfigMapObject>(Kinds.ConfigMap, namespace, name),
    service: (namespace, name) => api.get<ServiceObject>(Kinds.Service, namespace, name),
    etcdStatus,
  };
}
