// Is this a Harvester cluster, and which one? Discovery of the API groups fallow needs
// (a cluster without them is the wrong --context, not something to act on), the server
// version, and the identity a journal binds to: kube-system namespace UID + server URL.
import { PreflightError } from '../common/errors.js';
import { Namespaces } from '../common/harvester.js';
import type { NamespaceObject, SettingObject } from '../common/harvester-types.js';
import type { Cluster } from './client.js';

/** API groups the runbook cannot work without. */
export const RequiredGroups = ['harvesterhci.io', 'kubevirt.io', 'longhorn.io'] as const;
/** Groups some steps use; missing ones are reported, not fatal. */
export const OptionalGroups = ['subresources.kubevirt.io', 'network.harvesterhci.io', 'k8s.cni.cncf.io', 'metal.harvesterhci.io'] as const;

export interface ServerVersion {
  gitVersion: string;
  major?: string;
  minor?: string;
  platform?: string;
}

interface ApiGroupList {
  groups?: { name: string; versions?: { groupVersion: string; version: string }[] }[];
}

export interface Discovery {
  groups: Map<string, string[]>; // group → versions
  missingRequired: string[];
  missingOptional: string[];
}

export async function serverVersion(cluster: Cluster): Promise<ServerVersion> {
  return cluster.transport.request<ServerVersion>({ method: 'GET', path: '/version' });
}

export async function discover(cluster: Cluster): Promise<Discovery> {
  const list = await cluster.transport.request<ApiGroupList>({ method: 'GET', path: '/apis' });
  const groups = new Map<string, string[]>();
  for (const g of list.groups ?? []) groups.set(g.name, (g.versions ?? []).map((v) => v.version));
  return {
    groups,
    missingRequired: RequiredGroups.filter((g) => !groups.has(g)),
    missingOptional: OptionalGroups.filter((g) => !groups.has(g)),
  };
}

/** Throws a PreflightError naming the missing groups when the cluster is not Harvester. */
export function assertHarvester(d: Discovery, server: string): void {
  if (d.missingRequired.length === 0) return;
  throw new PreflightError(
    `not a Harvester cluster: the API server at ${server} serves no ${d.missingRequired.join(', ')} API group${d.missingRequired.length > 1 ? 's' : ''}`,
    'Point --kubeconfig/--context at the Harvester cluster itself (not Rancher Manager or a downstream cluster)',
  );
}

export interface ClusterIdentity {
  /** kube-system namespace UID: survives renames and new kubeconfigs, changes on reinstall. */
  uid: string;
  server: string;
  /** Harvester's server-version setting (v1.4.2). */
  harvesterVersion?: string;
  /** Kubernetes gitVersion (v1.30.7+rke2r1). */
  kubernetesVersion?: string;
  /** The kubeconfig's name for this cluster. */
  name?: string;
  context?: string;
}

export async function clusterIdentity(cluster: Cluster, extra: { name?: string; context?: string; kubernetesVersion?: string } = {}): Promise<ClusterIdentity> {
  const [ns, setting] = await Promise.all([
    cluster.get<NamespaceObject>('Namespace', undefined, Namespaces.kubeSystem),
    cluster.get<SettingObject>('Setting', undefined, 'server-version'),
  ]);
  const uid = ns?.metadata.uid;
  if (!uid) {
    throw new PreflightError(
      `the API server at ${cluster.server} has no ${Namespaces.kubeSystem} namespace UID to bind the run to`,
      'Check that this is a Harvester cluster and that the user may get namespaces',
    );
  }
  const version = setting?.value || setting?.default;
  return {
    uid,
    server: cluster.server,
    ...(version ? { harvesterVersion: version } : {}),
    ...(extra.kubernetesVersion ? { kubernetesVersion: extra.kubernetesVersion } : {}),
    ...(extra.name ? { name: extra.name } : {}),
    ...(extra.context ? { context: extra.context } : {}),
  };
}
