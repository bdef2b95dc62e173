// Names from ../shared/harvester-facts.md that both the tool and the twin speak: kinds,
// labels, annotations, namespaces and the etcdctl flags. One place, so the twin serves
// exactly what the tool looks for. Shapes of the objects are in ./harvester-types.ts.

export const Kinds = {
  Namespace: { apiVersion: 'v1', kind: 'Namespace' },
  Node: { apiVersion: 'v1', kind: 'Node' },
  Pod: { apiVersion: 'v1', kind: 'Pod' },
  Service: { apiVersion: 'v1', kind: 'Service' },
  ConfigMap: { apiVersion: 'v1', kind: 'ConfigMap' },
  Secret: { apiVersion: 'v1', kind: 'Secret' },
  Event: { apiVersion: 'v1', kind: 'Event' },
  PersistentVolumeClaim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  PersistentVolume: { apiVersion: 'v1', kind: 'PersistentVolume' },
  Deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  ReplicaSet: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  DaemonSet: { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  StatefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  VirtualMachine: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' },
  VirtualMachineInstance: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance' },
  Addon: { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Addon' },
  Setting: { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting' },
  SupportBundle: { apiVersion: 'harvesterhci.io/v1beta1', kind: 'SupportBundle' },
  VirtualMachineBackup: { apiVersion: 'harvesterhci.io/v1beta1', kind: 'VirtualMachineBackup' },
  LonghornVolume: { apiVersion: 'longhorn.io/v1beta2', kind: 'Volume' },
  LonghornNode: { apiVersion: 'longhorn.io/v1beta2', kind: 'Node' },
  LonghornReplica: { apiVersion: 'longhorn.io/v1beta2', kind: 'Replica' },
  ClusterNetwork: { apiVersion: 'network.harvesterhci.io/v1beta1', kind: 'ClusterNetwork' },
  VlanConfig: { apiVersion: 'network.harvesterhci.io/v1beta1', kind: 'VlanConfig' },
  VlanStatus: { apiVersion: 'network.harvesterhci.io/v1beta1', kind: 'VlanStatus' },
  NetworkAttachmentDefinition: { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition' },
  SeederInventory: { apiVersion: 'metal.harvesterhci.io/v1alpha1', kind: 'Inventory' },
} as const;

export type KindName = keyof typeof Kinds;

export const Labels = {
  controlPlane: 'node-role.kubernetes.io/control-plane',
  etcd: 'node-role.kubernetes.io/etcd',
  master: 'node-role.kubernetes.io/master',
  harvesterManagement: 'node-role.harvesterhci.io/management',
  harvesterWitness: 'node-role.harvesterhci.io/witness',
  harvesterWorker: 'node-role.harvesterhci.io/worker',
  vmCreator: 'harvesterhci.io/creator',
  machineSetName: 'harvesterhci.io/machineSetName',
  guestClusterName: 'guestcluster.harvesterhci.io/name',
  nodePoolName: 'nodepool.harvesterhci.io/name',
  maintainModeStrategy: 'harvesterhci.io/maintain-mode-strategy',
  /** fallow's own: VMs with a lower number stop last and start first (default 100). */
  priority: 'fallow.harvesterhci.io/priority',
} as const;

export const Annotations = {
  scaleAvailable: 'management.cattle.io/scale-available',
  maintainStatus: 'harvesterhci.io/maintain-status',
  vmRunStrategy: 'harvesterhci.io/vmRunStrategy',
} as const;

export const NodeDriverCreator = 'docker-machine-driver-harvester';

export const Namespaces = {
  cattleSystem: 'cattle-system',
  kubeSystem: 'kube-system',
  harvesterSystem: 'harvester-system',
  longhornSystem: 'longhorn-system',
} as const;

/** The seed's health-check namespaces (5.2 "Basic Components"). */
export const SystemNamespaces = [
  'cattle-fleet-local-system',
  'cattle-fleet-system',
  'cattle-system',
  'harvester-system',
  'kube-system',
  'longhorn-system',
] as const;

export const Rancher = {
  namespace: 'cattle-system',
  deployment: 'rancher',
  agentDeployment: 'cattle-cluster-agent',
} as const;

export const Vip = {
  configMap: { namespace: 'harvester-system', name: 'vip' },
  service: { namespace: 'kube-system', name: 'ingress-expose' },
} as const;

export const Etcdctl = {
  container: 'etcd',
  env: ['ETCDCTL_API=3'],
  flags: [
    '--cacert',
    '/var/lib/rancher/rke2/server/tls/etcd/server-ca.crt',
    '--cert',
    '/var/lib/rancher/rke2/server/tls/etcd/server-client.crt',
    '--key',
    '/var/lib/rancher/rke2/server/tls/etcd/server-client.key',
  ],
  podName: (node: string) => `etcd-${node}`,
} as const;

/** Settings the seed (1.2) asks to write down. */
export const RecordedSettings = [
  'server-version',
  'ntp-servers',
  'http-proxy',
  'containerd-registry',
  'storage-network',
  'backup-target',
  'cluster-registration-url',
] as const;

/** Addons that hold PVCs and must be disabled before Longhorn volumes can detach (3.3). */
export const PvcAddons = ['rancher-monitoring', 'rancher-logging', 'rancher-vcluster'] as const;

/**
 * Harvester's storage network (seed 5.2 "Storage Network"; docs.harvesterhci.io
 * advanced/storagenetwork and harvester/harvester pkg/controller/master/storagenetwork).
 * The Setting's value is "" or JSON {"vlan","clusterNetwork","range","exclude"?}; Harvester
 * makes a NAD harvester-system/storagenetwork-<random> for it, names it in the setting's
 * annotation, and reports progress in the setting's condition `configured` (True/Completed
 * when done, False/"In Progress" with a message while not). Longhorn then attaches it to
 * every instance-manager pod as interface lhnet1, which Multus reports in the pod's
 * network-status annotation.
 */
export const StorageNetwork = {
  setting: 'storage-network',
  nadAnnotation: 'storage-network.settings.harvesterhci.io/net-attach-def',
  oldNadAnnotation: 'storage-network.settings.harvesterhci.io/old-net-attach-def',
  hashAnnotation: 'storage-network.settings.harvesterhci.io/hash',
  /** On the NAD: made for the storage-network setting. */
  nadMarker: 'storage-network.settings.harvesterhci.io',
  nadHashLabel: 'storage-network.settings.harvesterhci.io/hash',
  nadNamespace: 'harvester-system',
  nadPrefix: 'storagenetwork-',
  condition: 'configured',
  completed: 'Completed',
  interface: 'lhnet1',
  instanceManagerLabel: { key: 'longhorn.io/component', value: 'instance-manager' },
  /** Multus: what the pod asks for, and what was attached. */
  networksAnnotation: 'k8s.v1.cni.cncf.io/networks',
  networkStatusAnnotation: 'k8s.v1.cni.cncf.io/network-status',
} as const;
