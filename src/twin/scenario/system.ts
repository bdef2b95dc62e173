// Harvester's own workloads, as the seed's 5.2 "Basic Components" listing shows them: the
// Deployments and DaemonSets in cattle-fleet-*, cattle-system, harvester-system,
// kube-system and longhorn-system (static pods such as etcd-<node> come from the kubelets).

export interface SystemWorkload {
  namespace: string;
  name: string;
  kind: 'Deployment' | 'DaemonSet';
  /** Deployments: replicas (capped by eligible nodes where noted). */
  replicas?: number;
  /** Containers per pod (READY 2/2, 3/3 in the listing). */
  containers?: number;
  /** Which nodes may run it: every node, control-plane nodes, or nodes that hold data/VMs. */
  nodes?: 'all' | 'control-plane' | 'data';
  annotations?: Record<string, string>;
}

const d = (namespace: string, name: string, replicas = 1, extra: Partial<SystemWorkload> = {}): SystemWorkload => ({ namespace, name, kind: 'Deployment', replicas, ...extra });
const ds = (namespace: string, name: string, extra: Partial<SystemWorkload> = {}): SystemWorkload => ({ namespace, name, kind: 'DaemonSet', nodes: 'data', ...extra });

export const systemWorkloads: SystemWorkload[] = [
  d('cattle-fleet-local-system', 'fleet-agent'),
  d('cattle-fleet-system', 'fleet-controller'),
  d('cattle-fleet-system', 'gitjob'),
  d('cattle-system', 'harvester-cluster-repo'),
  d('cattle-system', 'system-upgrade-controller'),
  d('cattle-system', 'rancher-webhook'),
  d('harvester-system', 'harvester'),
  d('harvester-system', 'harvester-load-balancer'),
  d('harvester-system', 'harvester-load-balancer-webhook'),
  ds('harvester-system', 'harvester-network-controller'),
  d('harvester-system', 'harvester-network-controller-manager'),
  d('harvester-system', 'harvester-network-webhook'),
  ds('harvester-system', 'harvester-node-disk-manager'),
  ds('harvester-system', 'harvester-node-manager', { nodes: 'all' }),
  d('harvester-system', 'harvester-node-manager-webhook'),
  d('harvester-system', 'harvester-webhook'),
  ds('harvester-system', 'kube-vip', { nodes: 'control-plane' }),
  d('harvester-system', 'virt-api'),
  d('harvester-system', 'virt-controller', 2),
  ds('harvester-system', 'virt-handler'),
  d('harvester-system', 'virt-operator'),
  d('kube-system', 'harvester-snapshot-validation-webhook', 2),
  ds('kube-system', 'harvester-whereabouts', { nodes: 'all' }),
  ds('kube-system', 'rke2-canal', { nodes: 'all', containers: 2 }),
  d('kube-system', 'rke2-coredns-rke2-coredns'),
  d('kube-system', 'rke2-coredns-rke2-coredns-autoscaler'),
  ds('kube-system', 'rke2-ingress-nginx-controller', { nodes: 'all' }),
  d('kube-system', 'rke2-metrics-server'),
  ds('kube-system', 'rke2-multus', { nodes: 'all' }),
  d('kube-system', 'snapshot-controller', 2),
  d('longhorn-system', 'csi-attacher', 3),
  d('longhorn-system', 'csi-provisioner', 3),
  d('longhorn-system', 'csi-resizer', 3),
  d('longhorn-system', 'csi-snapshotter', 3),
  ds('longhorn-system', 'engine-image-ei-94d5ee6c'),
  ds('longhorn-system', 'longhorn-csi-plugin', { containers: 3 }),
  d('longhorn-system', 'longhorn-driver-deployer'),
  ds('longhorn-system', 'longhorn-loop-device-cleaner'),
  ds('longhorn-system', 'longhorn-manager', { containers: 2 }),
  d('longhorn-system', 'longhorn-ui', 2),
];

/** Namespaces every Harvester cluster has. */
export const systemNamespaces = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'harvester-system',
  'harvester-public',
  'longhorn-system',
  'cattle-system',
  'cattle-fleet-system',
  'cattle-fleet-local-system',
  'cattle-monitoring-system',
  'cattle-logging-system',
  'cattle-dashboards',
  'rancher-vcluster',
];
