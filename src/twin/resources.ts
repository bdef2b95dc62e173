// The catalogue of resource types the twin serves: built-in kinds the runbook touches and
// the CRDs of Harvester, KubeVirt, Longhorn, the network controller and Seeder, each with
// the printer columns kubectl shows (what the seed's outputs show). The fidelity bed
// generates its CRD manifests from this same list, so the twin and the real apiserver
// serve one definition.
import type { ResourceType } from './store/types.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  priority?: number;
  description?: string;
}

export interface TwinResourceType extends ResourceType {
  /** For CRDs: printer columns as in the upstream CRD. Built-ins have handwritten tables. */
  printerColumns?: PrinterColumn[];
  /** True for kinds that come from a CRD (served under apiextensions too). */
  crd?: boolean;
}

const ns = true;
const cluster = false;
const std = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

export const builtinTypes: TwinResourceType[] = [
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: cluster, shortNames: ['ns'], subresources: ['status'] },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: cluster, shortNames: ['no'], subresources: ['status'] },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: ns, shortNames: ['po'], subresources: ['status', 'exec', 'log', 'eviction'], categories: ['all'] },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: ns, shortNames: ['svc'], subresources: ['status'], categories: ['all'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: ns, shortNames: ['cm'] },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: ns },
  { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: ns, shortNames: ['ev'] },
  { group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', namespaced: ns, shortNames: ['pvc'], subresources: ['status'] },
  { group: '', version: 'v1', resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: cluster, shortNames: ['pv'], subresources: ['status'] },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: ns, shortNames: ['deploy'], subresources: ['status', 'scale'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: ns, shortNames: ['rs'], subresources: ['status', 'scale'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: ns, shortNames: ['ds'], subresources: ['status'], categories: ['all'] },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: ns, shortNames: ['sts'], subresources: ['status', 'scale'], categories: ['all'] },
];

export const crdTypes: TwinResourceType[] = [
  {
    group: 'kubevirt.io', version: 'v1', resource: 'virtualmachines', kind: 'VirtualMachine', singular: 'virtualmachine', namespaced: ns,
    shortNames: ['vm', 'vms'], subresources: ['status'], categories: ['all'], crd: true,
    printerColumns: [
      age,
      { name: 'Status', type: 'string', jsonPath: '.status.printableStatus', description: 'Human Readable Status' },
      { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    ],
  },
  {
    group: 'kubevirt.io', version: 'v1', resource: 'virtualmachineinstances', kind: 'VirtualMachineInstance', singular: 'virtualmachineinstance', namespaced: ns,
    shortNames: ['vmi', 'vmis'], subresources: ['status'], categories: ['all'], crd: true,
    printerColumns: [
      age,
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'IP', type: 'string', jsonPath: '.status.interfaces[0].ipAddress' },
      { name: 'NodeName', type: 'string', jsonPath: '.status.nodeName' },
      { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
      { name: 'Live-Migratable', type: 'string', jsonPath: ".status.conditions[?(@.type=='LiveMigratable')].status", priority: 1 },
    ],
  },
  {
    group: 'harvesterhci.io', version: 'v1beta1', resource: 'addons', kind: 'Addon', singular: 'addon', namespaced: ns, subresources: ['status'], crd: true,
    printerColumns: [
      { name: 'HelmRepo', type: 'string', jsonPath: '.spec.repo' },
      { name: 'ChartName', type: 'string', jsonPath: '.spec.chart' },
      { name: 'Enabled', type: 'boolean', jsonPath: '.spec.enabled' },
    ],
  },
  {
    group: 'harvesterhci.io', version: 'v1beta1', resource: 'settings', kind: 'Setting', singular: 'setting', namespaced: cluster, crd: true,
    printerColumns: [{ name: 'Value', type: 'string', jsonPath: '.value' }],
  },
  {
    group: 'harvesterhci.io', version: 'v1beta1', resource: 'supportbundles', kind: 'SupportBundle', singular: 'supportbundle', namespaced: ns, subresources: ['status'], crd: true,
    printerColumns: [
      { name: 'Issue_URL', type: 'string', jsonPath: '.spec.issueURL' },
      { name: 'Description', type: 'string', jsonPath: '.spec.description' },
      age,
    ],
  },
  {
    group: 'harvesterhci.io', version: 'v1beta1', resource: 'virtualmachinebackups', kind: 'VirtualMachineBackup', singular: 'virtualmachinebackup', namespaced: ns,
    shortNames: ['vmbackup', 'vmbackups'], subresources: ['status'], crd: true,
    printerColumns: [
      { name: 'Source_Kind', type: 'string', jsonPath: '.spec.source.kind' },
      { name: 'Source_Name', type: 'string', jsonPath: '.spec.source.name' },
      { name: 'Type', type: 'string', jsonPath: '.spec.type' },
      { name: 'Ready_To_Use', type: 'boolean', jsonPath: '.status.readyToUse' },
      age,
    ],
  },
  {
    group: 'longhorn.io', version: 'v1beta2', resource: 'volumes', kind: 'Volume', singular: 'volume', namespaced: ns, shortNames: ['lhv'], subresources: ['status'], crd: true,
    printerColumns: [
      { name: 'Data Engine', type: 'string', jsonPath: '.spec.dataEngine' },
      { name: 'State', type: 'string', jsonPath: '.status.state' },
      { name: 'Robustness', type: 'string', jsonPath: '.status.robustness' },
      { name: 'Scheduled', type: 'string', jsonPath: ".status.conditions[?(@.type=='Scheduled')].status" },
      { name: 'Size', type: 'string', jsonPath: '.spec.size' },
      { name: 'Node', type: 'string', jsonPath: '.status.currentNodeID' },
      age,
    ],
  },
  {
    group: 'longhorn.io', version: 'v1beta2', resource: 'nodes', kind: 'Node', singular: 'node', namespaced: ns, shortNames: ['lhn'], subresources: ['status'], crd: true,
    printerColumns: [
      { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
      { name: 'AllowScheduling', type: 'boolean', jsonPath: '.spec.allowScheduling' },
      { name: 'Schedulable', type: 'string', jsonPath: ".status.conditions[?(@.type=='Schedulable')].status" },
      age,
    ],
  },
  {
    group: 'longhorn.io', version: 'v1beta2', resource: 'replicas', kind: 'Replica', singular: 'replica', namespaced: ns, shortNames: ['lhr'], subresources: ['status'], crd: true,
    printerColumns: [
      { name: 'State', type: 'string', jsonPath: '.status.currentState' },
      { name: 'Node', type: 'string', jsonPath: '.spec.nodeID' },
      age,
    ],
  },
  { group: 'network.harvesterhci.io', version: 'v1beta1', resource: 'clusternetworks', kind: 'ClusterNetwork', singular: 'clusternetwork', namespaced: cluster, shortNames: ['cn'], subresources: ['status'], crd: true, printerColumns: [age] },
  { group: 'network.harvesterhci.io', version: 'v1beta1', resource: 'vlanconfigs', kind: 'VlanConfig', singular: 'vlanconfig', namespaced: cluster, shortNames: ['vc'], crd: true,
    printerColumns: [{ name: 'ClusterNetwork', type: 'string', jsonPath: '.spec.clusterNetwork' }, age] },
  { group: 'network.harvesterhci.io', version: 'v1beta1', resource: 'vlanstatuses', kind: 'VlanStatus', singular: 'vlanstatus', namespaced: cluster, shortNames: ['vs'], subresources: ['status'], crd: true, printerColumns: [age] },
  { group: 'k8s.cni.cncf.io', version: 'v1', resource: 'network-attachment-definitions', kind: 'NetworkAttachmentDefinition', singular: 'network-attachment-definition', namespaced: ns, shortNames: ['net-attach-def'], crd: true, printerColumns: [age] },
  { group: 'metal.harvesterhci.io', version: 'v1alpha1', resource: 'inventories', kind: 'Inventory', singular: 'inventory', namespaced: ns, subresources: ['status'], crd: true,
    printerColumns: [
      { name: 'HardwareStatus', type: 'string', jsonPath: '.status.status' },
      { name: 'PowerAction', type: 'string', jsonPath: '.spec.powerActionRequested' },
      age,
    ] },
];

export const allTwinTypes: TwinResourceType[] = [...builtinTypes, ...crdTypes].map((t) => ({ verbs: std, ...t }));
