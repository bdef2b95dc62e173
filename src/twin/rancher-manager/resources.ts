// The resource types the twin's Rancher Manager serves on its local cluster: the management,
// provisioning, Cluster API, RKE machine and RKE control-plane kinds from ../../rancher/kinds,
// with the printer columns Rancher's CRDs declare. Registered only in the Rancher Manager's
// own store, never in the Harvester twin's.
import { RancherKinds, type RancherKindName } from '../../rancher/kinds.js';
import type { TwinResourceType } from '../resources.js';

const std = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const age = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' } as const;

function type(k: RancherKindName, extra: Partial<TwinResourceType>): TwinResourceType {
  const info = RancherKinds[k];
  return {
    group: info.group,
    version: info.version,
    resource: info.plural,
    kind: info.kind,
    singular: info.kind.toLowerCase(),
    namespaced: info.namespaced,
    subresources: ['status'],
    verbs: std,
    crd: true,
    ...extra,
  };
}

export const rancherTwinTypes: TwinResourceType[] = [
  type('ManagementCluster', { printerColumns: [{ name: 'Display Name', type: 'string', jsonPath: '.spec.displayName' }, age] }),
  type('ProvisioningCluster', {
    printerColumns: [
      { name: 'Ready', type: 'string', jsonPath: '.status.ready' },
      { name: 'Kubeconfig', type: 'string', jsonPath: '.status.clientSecretName' },
    ],
  }),
  type('Machine', {
    shortNames: ['ma'],
    printerColumns: [
      { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterName' },
      { name: 'NodeName', type: 'string', jsonPath: '.status.nodeRef.name' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      age,
    ],
  }),
  type('HarvesterMachine', { printerColumns: [age] }),
  type('RkeControlPlane', {
    printerColumns: [
      { name: 'Cluster', type: 'string', jsonPath: ".metadata.labels['cluster\\.x-k8s\\.io/cluster-name']" },
      { name: 'API Server Available', type: 'boolean', jsonPath: '.status.ready' },
      age,
    ],
  }),
  type('EtcdSnapshot', {
    subresources: [],
    printerColumns: [
      { name: 'Cluster', type: 'string', jsonPath: '.spec.clusterName' },
      { name: 'Node', type: 'string', jsonPath: '.snapshotFile.nodeName' },
      { name: 'Status', type: 'string', jsonPath: '.snapshotFile.status' },
      age,
    ],
  }),
];
