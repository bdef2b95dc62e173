// Rancher Manager helpers shared by the shutdown and restart steps: the port or a clear
// usage error, which downstream clusters are on this Harvester (their machines are its
// node-driver VMs), the Harvester cluster's id from its registration URL, and the
// recorded view.
import { UsageError } from '../../common/errors.js';
import { Labels, NodeDriverCreator } from '../../common/harvester.js';
import type { SettingObject, VirtualMachineObject } from '../../common/harvester-types.js';
import type { StepContext } from '../../engine/types.js';
import { registrationClusterId } from '../../rancher/views.js';
import type { RunbookEnv } from '../env.js';
import type { DownstreamClusterFact } from '../facts.js';
import type { ClusterPort } from '../ports.js';
import type { DownstreamClusterView, RancherManagerPort } from '../rancher-port.js';

type Ctx = StepContext<RunbookEnv>;

export function rancherPort(ctx: Ctx, forWhat: string): RancherManagerPort {
  const p = ctx.env.rancherManager;
  if (!p) throw new UsageError(`${forWhat} needs Rancher Manager access`, 'Pass --rancher-url with the API token in --rancher-token-file (or its environment variable)');
  return p;
}

/** Harvester's own record of where it is imported: the management cluster id, if the URL says. */
export async function registeredClusterId(cluster: ClusterPort): Promise<string | undefined> {
  const s = await cluster.get<SettingObject>('Setting', undefined, 'cluster-registration-url');
  return registrationClusterId(s?.value || s?.default);
}

export async function nodeDriverVms(cluster: ClusterPort): Promise<VirtualMachineObject[]> {
  return cluster.list<VirtualMachineObject>('VirtualMachine', { labelSelector: `${Labels.vmCreator}=${NodeDriverCreator}` });
}

/** Clusters with a machine that is one of these VMs, or named by a VM's guest-cluster label. */
export function onThisHarvester(clusters: DownstreamClusterView[], vms: VirtualMachineObject[]): DownstreamClusterView[] {
  const byName = new Map<string, VirtualMachineObject[]>();
  for (const vm of vms) byName.set(vm.metadata.name, [...(byName.get(vm.metadata.name) ?? []), vm]);
  const guest = new Set(vms.map((v) => v.metadata.labels?.[Labels.guestClusterName]).filter((g): g is string => Boolean(g)));
  return clusters.filter(
    (c) =>
      guest.has(c.name) ||
      c.machines.some((m) => m.vm && (byName.get(m.vm.name) ?? []).some((vm) => m.vm!.namespace === undefined || vm.metadata.namespace === m.vm!.namespace)),
  );
}

export function downstreamFact(c: DownstreamClusterView): DownstreamClusterFact {
  return {
    namespace: c.namespace,
    name: c.name,
    ...(c.id ? { id: c.id } : {}),
    ready: c.ready,
    readyMachines: c.machines.filter((m) => m.ready).length,
    machines: c.machines.map((m) => ({ name: m.name, ...(m.vm ? { vm: `${m.vm.namespace ?? '?'}/${m.vm.name}` } : {}), ready: m.ready })),
  };
}

export const clusterKey = (c: { namespace: string; name: string }): string => `${c.namespace}/${c.name}`;

/** Step RBAC on the Harvester side: the node-driver VMs and the registration URL. */
export const downstreamRbac = [
  { group: 'kubevirt.io', resource: 'virtualmachines', verbs: ['list'] },
  { group: 'harvesterhci.io', resource: 'settings', verbs: ['get'] },
];

