// Where each kind fallow touches lives in the REST API (group, version, plural, scope); the
// TypeScript shape it reads as is KindShapes, next to the shapes in common/. A static table
// instead of discovery per call: the kinds are fixed by harvester-facts.md, and discovery
// only confirms the groups exist.
import { Kinds, type KindName } from '../common/harvester.js';
import type { KindShapes } from '../common/harvester-types.js';

export interface KindInfo {
  kind: string;
  apiVersion: string;
  group: string; // "" for core
  version: string;
  plural: string;
  namespaced: boolean;
}

const plurals: Record<KindName, [plural: string, namespaced: boolean]> = {
  Namespace: ['namespaces', false],
  Node: ['nodes', false],
  Pod: ['pods', true],
  Service: ['services', true],
  ConfigMap: ['configmaps', true],
  Secret: ['secrets', true],
  Event: ['events', true],
  PersistentVolumeClaim: ['persistentvolumeclaims', true],
  PersistentVolume: ['persistentvolumes', false],
  Deployment: ['deployments', true],
  ReplicaSet: ['replicasets', true],
  DaemonSet: ['daemonsets', true],
  StatefulSet: ['statefulsets', true],
  VirtualMachine: ['virtualmachines', true],
  VirtualMachineInstance: ['virtualmachineinstances', true],
  Addon: ['addons', true],
  Setting: ['settings', false],
  SupportBundle: ['supportbundles', true],
  VirtualMachineBackup: ['virtualmachinebackups', true],
  LonghornVolume: ['volumes', true],
  LonghornNode: ['nodes', true],
  LonghornReplica: ['replicas', true],
  ClusterNetwork: ['clusternetworks', false],
  VlanConfig: ['vlanconfigs', false],
  VlanStatus: ['vlanstatuses', false],
  NetworkAttachmentDefinition: ['network-attachment-definitions', true],
  SeederInventory: ['inventories', true],
};

export function kindInfo(name: KindName): KindInfo {
  const { apiVersion, kind } = Kinds[name];
  const [plural, namespaced] = plurals[name];
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return { kind, apiVersion, group, version, plural, namespaced };
}

/** "/api/v1" or "/apis/kubevirt.io/v1". */
export function groupVersionPath(info: Pick<KindInfo, 'group' | 'version'>): string {
  return info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
}

/** Collection or object path; namespace omitted for cluster-scoped kinds or all-namespace lists. */
export function resourcePath(info: KindInfo, namespace?: string, name?: string, subresource?: string): string {
  let p = groupVersionPath(info);
  if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${info.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** "deployments.apps", "pods", "volumes.longhorn.io": how kubectl and RBAC messages name a resource. */
export function qualifiedResource(info: Pick<KindInfo, 'group' | 'plural'>): string {
  return info.group ? `${info.plural}.${info.group}` : info.plural;
}

export type { KindName, KindShapes };
