// Shapes shared by the twin's store, API server and controllers.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  generateName?: string;
  [k: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any Kubernetes object. Kind-specific fields are read through narrow casts. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [k: string]: unknown;
}

/** A served resource type, as discovery lists it. */
export interface ResourceType {
  group: string; // "" for core
  version: string;
  resource: string; // plural, e.g. "virtualmachines"
  kind: string;
  listKind?: string;
  singular?: string;
  shortNames?: string[];
  namespaced: boolean;
  /** Subresources served: "status", "scale", or custom ("start", "stop", "exec", …). */
  subresources?: string[];
  verbs?: string[];
  categories?: string[];
  /** True for kinds that come from a CRD; unset: decided by the group (see isCrd). */
  crd?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends KObject = KObject> {
  type: WatchEventType;
  object: T;
}

export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** Built-in groups: everything else a store serves comes from a CRD. */
const builtinGroups = new Set(['', 'apps', 'apiextensions.k8s.io', 'authorization.k8s.io', 'batch', 'policy', 'autoscaling', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'coordination.k8s.io', 'networking.k8s.io', 'discovery.k8s.io', 'events.k8s.io']);

/** Whether a type is a custom resource (registry rules differ from the built-in kinds'). */
export function isCrd(t: ResourceType): boolean {
  return t.crd ?? !builtinGroups.has(t.group);
}

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}
