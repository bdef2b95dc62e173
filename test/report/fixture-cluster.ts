// A small Harvester cluster in the twin's store, as the seed pictures it: three
// control-plane nodes and a worker, embedded Rancher, addons, traditional and node-driver
// VMs, Longhorn volumes, system pods (one crash-looping), and what etcdctl would report.
// Used by the report tests to capture snapshots from real store objects.
import { Annotations, Labels, NodeDriverCreator } from '../../src/common/harvester.js';
import type { KObject } from '../../src/common/harvester-types.js';
import type { EtcdObservation } from '../../src/report/snapshot-reader.js';
import { readerFromObjectApi, type SnapshotReader } from '../../src/report/snapshot-reader.js';
import { LocalTwinApi } from '../../src/twin/api.js';
import { allTwinTypes } from '../../src/twin/resources.js';
import { Store } from '../../src/twin/store/store.js';

export const secrets = {
  proxyPassword: 'pr0xy-Pa55',
  registryPassword: 'reg-Pa55w0rd',
  registrationToken: 'tok3nABCDEF0123456789xyz',
};

export const nodeNames = ['harv41', 'harv42', 'harv43', 'harv2'] as const;
const ipOf = (n: string) => `127.0.1.${n.replace('harv', '')}`;

export function newStore(): Store {
  // Fixed UIDs: the kube-system UID salts the masked secrets' digests, and the example
  // report (docs/report-example.md) must come out the same on every run.
  let n = 0;
  const uid = () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;
  const store = new Store({ now: () => Date.parse('2025-01-10T08:00:00Z'), uid });
  for (const t of allTwinTypes) store.register(t);
  return store;
}

function create(store: Store, obj: KObject): KObject {
  return store.create(store.typeOfKind(obj.apiVersion, obj.kind), obj);
}

function node(name: string, controlPlane: boolean): KObject {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': name };
  if (controlPlane) Object.assign(labels, { [Labels.controlPlane]: 'true', [Labels.etcd]: 'true', [Labels.master]: 'true' });
  else labels[Labels.harvesterWorker] = 'true';
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, labels },
    status: {
      addresses: [{ type: 'InternalIP', address: ipOf(name) }, { type: 'Hostname', address: name }],
      conditions: [{ type: 'Ready', status: 'True' }],
      nodeInfo: { kubeletVersion: 'v1.30.7+rke2r1' },
    },
  };
}

function setting(name: string, value: string, dflt = ''): KObject {
  return { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting', metadata: { name }, value, default: dflt };
}

function addon(namespace: string, name: string, enabled: boolean): KObject {
  return {
    apiVersion: 'harvesterhci.io/v1beta1', kind: 'Addon', metadata: { name, namespace },
    spec: { enabled, repo: 'http://harvester-cluster-repo.cattle-system.svc/charts', chart: name, version: '103.0.0' },
    status: { status: enabled ? 'AddonDeploySuccessful' : 'AddonDisabled' },
  };
}

function deployment(name: string, scaleAvailable: string, replicas: number): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: 'cattle-system', annotations: { [Annotations.scaleAvailable]: scaleAvailable } },
    spec: { replicas, selector: { matchLabels: { app: name } } },
    status: { replicas, readyReplicas: replicas, availableReplicas: replicas },
  };
}

function vm(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): KObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace: 'default', labels }, spec, status: {} };
}

function vmi(name: string, nodeName: string): KObject {
  return { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name, namespace: 'default' }, status: { phase: 'Running', nodeName } };
}

function volume(name: string, state: string, robustness: string, nodeID: string, pvc?: string): KObject {
  return {
    apiVersion: 'longhorn.io/v1beta2', kind: 'Volume', metadata: { name, namespace: 'longhorn-system' },
    spec: { numberOfReplicas: 3, dataEngine: 'v1' },
    status: { state, robustness, currentNodeID: nodeID, kubernetesStatus: pvc ? { namespace: 'default', pvcName: pvc } : {} },
  };
}

export interface PodSpec {
  namespace: string;
  name: string;
  owner?: { kind: string; name: string };
  phase?: string;
  ready?: boolean;
  waiting?: string;
  restarts?: number;
  node?: string;
}

export function pod(p: PodSpec): KObject {
  const ready = p.ready ?? true;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: p.name, namespace: p.namespace,
      ownerReferences: p.owner ? [{ apiVersion: 'apps/v1', kind: p.owner.kind, name: p.owner.name, uid: 'u', controller: true }] : [],
    },
    spec: { nodeName: p.node ?? 'harv41', containers: [{ name: 'main' }] },
    status: {
      phase: p.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      containerStatuses: [{
        name: 'main', ready, restartCount: p.restarts ?? 0,
        state: p.waiting ? { waiting: { reason: p.waiting } } : { running: {} },
      }],
    },
  };
}

/** Fills the store with the cluster; returns the etcd observation etcdctl would give. */
export function seedCluster(store: Store): EtcdObservation {
  create(store, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  create(store, node('harv41', true));
  create(store, node('harv42', true));
  create(store, node('harv43', true));
  create(store, node('harv2', false));
  create(store, setting('server-version', 'v1.4.1'));
  create(store, setting('ntp-servers', '{"ntpServers":["0.suse.pool.ntp.org","1.suse.pool.ntp.org"]}'));
  create(store, setting('http-proxy', `{"httpProxy":"http://ops:${secrets.proxyPassword}@proxy.lab:3128","noProxy":"localhost,127.0.0.1"}`));
  create(store, setting('containerd-registry',
    `{"Mirrors":{"docker.io":{"Endpoints":["https://mirror.lab"]}},"Configs":{"mirror.lab":{"Auth":{"Username":"pull","Password":"${secrets.registryPassword}"}}}}`));
  create(store, setting('storage-network', '', '{"vlan":0}'));
  create(store, setting('backup-target', ''));
  create(store, setting('cluster-registration-url', `https://rancher.lab/v3/import/${secrets.registrationToken}_c-m-4xk2.yaml`));
  create(store, addon('cattle-monitoring-system', 'rancher-monitoring', true));
  create(store, addon('cattle-logging-system', 'rancher-logging', false));
  create(store, addon('harvester-system', 'vm-import-controller', true));
  create(store, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vip', namespace: 'harvester-system' },
    data: { enabled: 'true', serviceType: 'LoadBalancer', ip: '127.0.1.100', mode: 'static', hwAddress: '' } });
  create(store, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ingress-expose', namespace: 'kube-system' },
    spec: { type: 'LoadBalancer', clusterIP: '10.53.50.107' }, status: { loadBalancer: { ingress: [{ ip: '127.0.1.100' }] } } });
  create(store, deployment('rancher', '3', 3));
  create(store, deployment('cattle-cluster-agent', '2', 2));
  create(store, vm('web', { runStrategy: 'Always' }, { [Labels.vmCreator]: 'harvester' }));
  create(store, vmi('web', 'harv42'));
  create(store, vm('db', { runStrategy: 'Halted' }));
  create(store, vm('legacy', { running: true }));
  create(store, vmi('legacy', 'harv2'));
  create(store, vm('rke2-prod-pool1-x7k2p', { runStrategy: 'RerunOnFailure' },
    { [Labels.vmCreator]: NodeDriverCreator, [Labels.guestClusterName]: 'rke2-prod', [Labels.nodePoolName]: 'pool1' }));
  create(store, vmi('rke2-prod-pool1-x7k2p', 'harv43'));
  create(store, volume('pvc-3323944c', 'detached', 'unknown', '', 'db-disk'));
  create(store, volume('pvc-394713a4', 'attached', 'healthy', 'harv42', 'web-disk'));
  create(store, volume('pvc-620358ca', 'attached', 'healthy', 'harv43', 'rke2-prod-pool1-x7k2p-disk'));
  for (const n of ['harv41', 'harv42', 'harv43']) {
    create(store, pod({ namespace: 'kube-system', name: `etcd-${n}`, owner: { kind: 'Node', name: n }, node: n }));
  }
  create(store, pod({ namespace: 'kube-system', name: 'rke2-coredns-rke2-coredns-84b9cb946c-qbwnb', owner: { kind: 'ReplicaSet', name: 'rke2-coredns-rke2-coredns-84b9cb946c' } }));
  create(store, pod({ namespace: 'kube-system', name: 'helm-install-rke2-canal-abcde', owner: { kind: 'Job', name: 'helm-install-rke2-canal' }, phase: 'Succeeded', ready: false }));
  create(store, pod({ namespace: 'harvester-system', name: 'harvester-787b467f4-qlfwt', owner: { kind: 'ReplicaSet', name: 'harvester-787b467f4' } }));
  create(store, pod({ namespace: 'harvester-system', name: 'kube-vip-n4s8l', owner: { kind: 'DaemonSet', name: 'kube-vip' } }));
  create(store, pod({ namespace: 'longhorn-system', name: 'longhorn-manager-nhxbl', owner: { kind: 'DaemonSet', name: 'longhorn-manager' } }));
  create(store, pod({ namespace: 'cattle-system', name: 'rancher-7bc9d94b87-g4k4v', owner: { kind: 'ReplicaSet', name: 'rancher-7bc9d94b87' } }));
  return {
    members: [
      { id: '8e9e05c52164694d', endpoint: 'https://127.0.1.41:2379' },
      { id: 'db04095b49eb5352', endpoint: 'https://127.0.1.42:2379' },
      { id: 'a1b2c3d4e5f60718', endpoint: 'https://127.0.1.43:2379' },
    ],
    leaderId: 'db04095b49eb5352',
  };
}

/** A SnapshotReader over the store, through the same TwinApi the twin's controllers use. */
export function storeReader(store: Store, etcd: () => Promise<EtcdObservation | null>): SnapshotReader {
  return readerFromObjectApi(new LocalTwinApi(store), etcd);
}
