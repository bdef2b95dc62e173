// The objects an external Rancher Manager holds for a twin Harvester, derived from the twin:
// its own `local` cluster; the imported Harvester (management Cluster named by the
// cluster-registration-url, labelled provider.cattle.io=harvester, plus its provisioning
// Cluster); and per downstream cluster (node-driver VMs grouped by their
// guestcluster.harvesterhci.io/name label) a provisioning Cluster with a Harvester machine
// pool, its management Cluster, RKEControlPlane, and one CAPI Machine + HarvesterMachine per
// VM, named after the VM as the node driver does. Statuses are left to the controller.
import { Kinds, Labels, NodeDriverCreator } from '../../common/harvester.js';
import type { SettingObject, VirtualMachineObject } from '../../common/harvester-types.js';
import { FleetDefault, HarvesterConfigKind, HarvesterMachineKind, HarvesterProvider, RancherKinds, RancherLabels, type RancherKindName } from '../../rancher/kinds.js';
import { registrationClusterId } from '../../rancher/views.js';
import type { TwinApi } from '../api.js';
import { hashString } from '../scenario/rng.js';
import type { KObject } from '../store/types.js';

export interface DownstreamModel {
  name: string;
  id: string;
  /** VM keys "ns/name" of its machines. */
  vms: string[];
}

export interface RancherModel {
  harvesterId: string | undefined;
  harvesterName: string;
  downstream: DownstreamModel[];
}

const obj = (k: RancherKindName, metadata: KObject['metadata'], rest: Partial<KObject> = {}): KObject => ({
  apiVersion: RancherKinds[k].apiVersion,
  kind: RancherKinds[k].kind,
  metadata,
  ...rest,
});

/** Rancher's ids look like c-m-xxxxxxxx; derived from the name so a scenario rebuilds the same. */
export function clusterIdFor(name: string): string {
  return `c-m-${(hashString(name) >>> 0).toString(36).padStart(8, '0').slice(-8)}`;
}

export async function readModel(harvester: TwinApi, harvesterName: string): Promise<RancherModel> {
  const [reg, vms] = await Promise.all([
    harvester.get<SettingObject>(Kinds.Setting, undefined, 'cluster-registration-url'),
    harvester.list<VirtualMachineObject>(Kinds.VirtualMachine),
  ]);
  const groups = new Map<string, string[]>();
  for (const vm of vms) {
    const l = vm.metadata.labels ?? {};
    const gc = l[Labels.guestClusterName];
    if (!gc || l[Labels.vmCreator] !== NodeDriverCreator) continue;
    groups.set(gc, [...(groups.get(gc) ?? []), `${vm.metadata.namespace}/${vm.metadata.name}`]);
  }
  return {
    harvesterId: registrationClusterId(reg?.value || reg?.default),
    harvesterName,
    downstream: [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, keys]) => ({ name, id: clusterIdFor(name), vms: keys.sort() })),
  };
}

export function buildObjects(m: RancherModel, kubernetesVersion: string): KObject[] {
  const out: KObject[] = [
    obj('ManagementCluster', { name: 'local', labels: { 'provider.cattle.io': 'rke2' } }, { spec: { displayName: 'local', internal: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }),
  ];
  if (m.harvesterId) {
    const labels = { [RancherLabels.provider]: HarvesterProvider };
    out.push(obj('ManagementCluster', { name: m.harvesterId, labels }, { spec: { displayName: m.harvesterName }, status: { provider: HarvesterProvider, driver: 'imported' } }));
    out.push(obj('ProvisioningCluster', { name: m.harvesterName, namespace: FleetDefault, labels }, { spec: {}, status: { clusterName: m.harvesterId } }));
  }
  for (const d of m.downstream) {
    const pools = new Map<string, string[]>();
    for (const key of d.vms) {
      const vmName = key.slice(key.indexOf('/') + 1);
      const pool = poolOf(d.name, vmName);
      pools.set(pool, [...(pools.get(pool) ?? []), key]);
    }
    out.push(
      obj('ProvisioningCluster', { name: d.name, namespace: FleetDefault }, {
        spec: {
          kubernetesVersion,
          cloudCredentialSecretName: `cattle-global-data:cc-${d.id.slice(4, 9)}`,
          rkeConfig: {
            machinePools: [...pools.entries()].map(([pool, keys]) => ({
              name: pool,
              quantity: keys.length,
              etcdRole: true,
              controlPlaneRole: true,
              workerRole: true,
              machineConfigRef: { kind: HarvesterConfigKind, name: `nc-${d.name}-${pool}-${d.id.slice(4, 9)}` },
            })),
          },
        },
        status: { clusterName: d.id },
      }),
      obj('ManagementCluster', { name: d.id }, { spec: { displayName: d.name }, status: { driver: 'rke2' } }),
      obj('RkeControlPlane', { name: d.name, namespace: FleetDefault, labels: { [RancherLabels.capiClusterName]: d.name } }, { spec: { clusterName: d.name, managementClusterName: d.id }, status: {} }),
    );
    for (const [pool, keys] of pools) {
      for (const key of keys) {
        const [vmNs, vmName] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
        const labels = { [RancherLabels.capiClusterName]: d.name, [RancherLabels.rkeClusterName]: d.name, 'rke.cattle.io/rke-machine-pool-name': pool };
        out.push(
          obj('HarvesterMachine', { name: vmName, namespace: FleetDefault, labels }, { spec: { vmNamespace: vmNs } }),
          obj('Machine', { name: vmName, namespace: FleetDefault, labels }, {
            spec: { clusterName: d.name, infrastructureRef: { apiVersion: RancherKinds.HarvesterMachine.apiVersion, kind: HarvesterMachineKind, name: vmName, namespace: FleetDefault } },
            status: { phase: 'Provisioning' },
          }),
        );
      }
    }
  }
  return out;
}

/** "prod-pool1-6c4f9-2xlqm" of cluster rke2-prod → "pool1": the node driver's <prefix>-<pool>-<hash>-<id>. */
function poolOf(cluster: string, vmName: string): string {
  const parts = vmName.split('-');
  const pool = parts.find((p) => /^pool\d*$/.test(p));
  return pool ?? `${cluster}-pool`;
}
