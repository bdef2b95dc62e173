// Turns a validated scenario into the objects of a running Harvester cluster, in steady
// state (pods Running, VMIs Running, volumes attached where a VM runs), before any
// controller starts: namespaces, nodes, Longhorn nodes, settings, networks, the VIP,
// Harvester's system workloads and Rancher, addons, and VMs with their disks.
import { Annotations, Rancher, StorageNetwork, Vip } from '../../common/harvester.js';
import type { Condition, NodeObject } from '../../common/harvester-types.js';
import type { AddonWorkload } from '../controllers/addons.js';
import { staticPod, staticPodsFor } from '../controllers/kubelet.js';
import { bootIdOf } from '../controllers/nodes.js';
import { templateHash, type PodTemplate } from '../controllers/workloads/template.js';
import type { GuestProfile } from '../controllers/kubevirt/vmi.js';
import type { KObject } from '../store/types.js';
import { buildInstanceManagers, buildStorageNad, configuredStatus } from './build-storage.js';
import { buildAddons, buildVms } from './build-vms.js';
import { BuildContext, roleLabels } from './build-context.js';
import { systemNamespaces, systemWorkloads, type SystemWorkload } from './system.js';

export interface BuildResult {
  roles: Record<string, string>;
  ips: Record<string, string>;
  dataNodes: string[];
  controlPlane: string[];
  guestProfiles: Map<string, GuestProfile>;
  addonCatalog: Map<string, AddonWorkload[]>;
}

export async function buildCluster(b: BuildContext): Promise<BuildResult> {
  const s = b.scenario;
  const namespaces = new Set([...systemNamespaces, ...s.vms.map((v) => v.namespace), ...s.addons.map((a) => a.namespace), ...s.networks.map((n) => n.namespace)]);
  await b.aged(Math.max(...s.nodes.map((n) => n.ageDays)), async () => {
    for (const ns of namespaces) await b.ensure({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  });
  await buildNodes(b);
  await buildSettings(b);
  await buildNetwork(b);
  await buildVip(b);
  if (s.systemPods) await buildSystem(b);
  const addonCatalog = await buildAddons(b);
  const guestProfiles = await buildVms(b);
  return {
    roles: Object.fromEntries(s.nodes.map((n) => [n.name, n.role])),
    ips: Object.fromEntries(s.nodes.map((n) => [n.name, n.ip])),
    dataNodes: b.dataNodes(),
    controlPlane: b.controlPlane(),
    guestProfiles,
    addonCatalog,
  };
}

async function buildNodes(b: BuildContext): Promise<void> {
  const s = b.scenario;
  for (const n of s.nodes) {
    await b.aged(n.ageDays, async () => {
      const on = b.on.has(n.name);
      const since = new Date(b.clock.now() - 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
      const ready: Condition = on
        ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastTransitionTime: since }
        : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: since };
      const taints = [
        ...(n.role === 'witness' ? [{ key: 'node-role.kubernetes.io/etcd', value: 'true', effect: 'NoExecute' }] : []),
        ...(on ? [] : [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: since }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: since }]),
      ];
      const node = await b.create<KObject>({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: n.name, labels: roleLabels(n, s), annotations: { 'rke2.io/node-args': '["server"]', 'rke2.io/internal-ip': n.ip, 'alpha.kubernetes.io/provided-node-ip': n.ip } },
        spec: { podCIDR: `10.52.${s.nodes.indexOf(n)}.0/24`, providerID: `rke2://${n.name}`, ...(taints.length ? { taints } : {}) },
      });
      await b.setStatus(node, {
        addresses: [
          { type: 'InternalIP', address: n.ip },
          { type: 'Hostname', address: n.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: b.kubeletPort } },
        capacity: { cpu: '32', memory: '131913908Ki', pods: '200', 'ephemeral-storage': '153707984Ki' },
        allocatable: { cpu: '32', memory: '131913908Ki', pods: '200', 'ephemeral-storage': '149527712200' },
        conditions: [
          { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastTransitionTime: since },
          { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', lastTransitionTime: since },
          { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', lastTransitionTime: since },
          ready,
        ],
        nodeInfo: {
          kubeletVersion: s.cluster.kubernetesVersion,
          kubeProxyVersion: s.cluster.kubernetesVersion,
          osImage: `Harvester ${s.cluster.harvesterVersion}`,
          kernelVersion: '5.14.21-150500.55.83-default',
          containerRuntimeVersion: 'containerd://1.7.23-k3s2',
          operatingSystem: 'linux',
          architecture: 'amd64',
          machineID: b.rng.hex(32),
          systemUUID: b.rng.uuid(),
          bootID: bootIdOf(n.name, 1),
        },
      });
      await b.create({
        apiVersion: 'longhorn.io/v1beta2',
        kind: 'Node',
        metadata: { name: n.name, namespace: 'longhorn-system' },
        spec: { name: n.name, allowScheduling: n.role !== 'witness', evictionRequested: false, disks: { 'default-disk-1b8c': { path: '/var/lib/harvester/defaultdisk', allowScheduling: true, storageReserved: 0 } } },
        status: {
          conditions: [
            { type: 'Ready', status: on ? 'True' : 'False', lastTransitionTime: since },
            { type: 'Schedulable', status: on && n.role !== 'witness' ? 'True' : 'False', lastTransitionTime: since },
          ],
        },
      });
      // Static pods the kubelet runs (mirror pods).
      for (const component of staticPodsFor(n.role)) await b.startPod(staticPod(component, n.name, node as NodeObject), n.name);
    });
  }
}

async function buildSettings(b: BuildContext): Promise<void> {
  const s = b.scenario;
  const defaults: Record<string, string> = {
    'server-version': s.cluster.harvesterVersion,
    'ntp-servers': '{"ntpServers":["0.suse.pool.ntp.org","1.suse.pool.ntp.org"]}',
    'http-proxy': '{"httpProxy":"","httpsProxy":"","noProxy":"localhost,127.0.0.1,0.0.0.0,10.0.0.0/8,longhorn-system,cattle-system,cattle-system.svc,harvester-system,.svc,.cluster.local"}',
    'containerd-registry': '{"Mirrors":null,"Configs":null,"Auths":null}',
    'storage-network': '',
    'backup-target': '',
    'cluster-registration-url': s.rancher.imported ? s.rancher.registrationUrl : '',
    'vm-force-reset-policy': '{"enable":true,"period":300}',
    'default-vm-termination-grace-period-seconds': '120',
    'support-bundle-namespaces': '',
  };
  const values = { ...defaults, ...s.settings };
  await b.aged(Math.max(...s.nodes.map((n) => n.ageDays)), async () => {
    const storageNetwork = await buildStorageNad(b, values[StorageNetwork.setting] ?? '');
    for (const [name, value] of Object.entries(values)) {
      const configured = name === StorageNetwork.setting && storageNetwork;
      await b.create({
        apiVersion: 'harvesterhci.io/v1beta1',
        kind: 'Setting',
        metadata: { name, ...(configured ? { annotations: storageNetwork } : {}) },
        value,
        default: name === 'cluster-registration-url' ? '' : defaults[name] ?? '',
        ...(configured ? { status: configuredStatus(new Date(b.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z')) } : {}),
      } as KObject);
    }
  });
}

async function buildNetwork(b: BuildContext): Promise<void> {
  const s = b.scenario;
  const since = new Date(b.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  await b.create({ apiVersion: 'network.harvesterhci.io/v1beta1', kind: 'ClusterNetwork', metadata: { name: 'mgmt' }, status: { conditions: [{ type: 'ready', status: 'True', lastUpdateTime: since }] } });
  // A second cluster network for VM traffic, with its uplink on every node that runs VMs.
  await b.create({ apiVersion: 'network.harvesterhci.io/v1beta1', kind: 'ClusterNetwork', metadata: { name: 'data' }, status: { conditions: [{ type: 'ready', status: 'True', lastUpdateTime: since }] } });
  const hosts = b.dataNodes();
  await b.create({
    apiVersion: 'network.harvesterhci.io/v1beta1',
    kind: 'VlanConfig',
    metadata: { name: 'data-all-nodes', annotations: { 'network.harvesterhci.io/matched-nodes': JSON.stringify(hosts) } },
    spec: { clusterNetwork: 'data', nodeSelector: { 'kubevirt.io/schedulable': 'true' }, uplink: { nics: ['eno2'], linkAttributes: { mtu: 1500, txQLen: -1 }, bondOptions: { mode: 'active-backup', miimon: -1 } } },
  });
  for (const node of hosts) {
    await b.create({
      apiVersion: 'network.harvesterhci.io/v1beta1',
      kind: 'VlanStatus',
      metadata: { name: `data-all-nodes-${node}`, labels: { 'network.harvesterhci.io/clusternetwork': 'data', 'network.harvesterhci.io/node': node, 'network.harvesterhci.io/vlanconfig': 'data-all-nodes' } },
      status: { clusterNetwork: 'data', node, vlanConfig: 'data-all-nodes', linkMonitor: 'data', localAreas: [], conditions: [{ type: 'ready', status: 'True', lastUpdateTime: since }] },
    });
  }
  for (const net of s.networks) {
    const config = JSON.stringify({ cniVersion: '0.3.1', name: net.name, type: 'bridge', bridge: 'mgmt-br', promiscMode: true, vlan: net.vlan, ipam: {} });
    await b.create({
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: { name: net.name, namespace: net.namespace, labels: { 'network.harvesterhci.io/clusternetwork': 'mgmt', 'network.harvesterhci.io/ready': 'true', 'network.harvesterhci.io/type': 'L2VlanNetwork', 'network.harvesterhci.io/vlan-id': String(net.vlan) } },
      spec: { config },
    });
  }
}

async function buildVip(b: BuildContext): Promise<void> {
  const s = b.scenario;
  const vip = s.cluster.vip;
  await b.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: Vip.configMap.name, namespace: Vip.configMap.namespace }, data: { enabled: 'true', serviceType: 'LoadBalancer', ip: vip, mode: 'static', hwAddress: '', loadBalancerIP: vip } });
  const svc = await b.create<KObject>({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: Vip.service.name, namespace: Vip.service.namespace, annotations: { 'kube-vip.io/loadbalancerIPs': vip, 'kube-vip.io/vipHost': b.controlPlane()[0] ?? '' } },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.53.50.107',
      clusterIPs: ['10.53.50.107'],
      loadBalancerIP: vip,
      selector: { 'app.kubernetes.io/name': 'rke2-ingress-nginx' },
      ports: [
        { name: 'https-internal', port: 443, protocol: 'TCP', targetPort: 443, nodePort: 32701 },
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 80, nodePort: 31480 },
      ],
    },
  });
  const up = b.controlPlane().some((n) => b.on.has(n));
  if (up) await b.setStatus(svc, { loadBalancer: { ingress: [{ ip: vip }] } });
}

async function buildSystem(b: BuildContext): Promise<void> {
  const s = b.scenario;
  const r = s.rancher;
  const rancherWorkloads: SystemWorkload[] = [
    { namespace: Rancher.namespace, name: Rancher.deployment, kind: 'Deployment', replicas: r.replicas, annotations: { [Annotations.scaleAvailable]: r.scaleAvailable } },
    { namespace: Rancher.namespace, name: Rancher.agentDeployment, kind: 'Deployment', replicas: r.agentReplicas, annotations: { [Annotations.scaleAvailable]: r.agentScaleAvailable } },
  ];
  const age = Math.max(...s.nodes.map((n) => n.ageDays)) - 1;
  for (const w of [...systemWorkloads, ...rancherWorkloads]) await b.aged(age, () => buildWorkload(b, w));
  await b.aged(age, () => buildInstanceManagers(b));
}

export async function buildWorkload(b: BuildContext, w: SystemWorkload): Promise<void> {
  const labels = { app: w.name, 'app.kubernetes.io/name': w.name };
  const containers = Array.from({ length: w.containers ?? 1 }, (_, i) => ({ name: i === 0 ? w.name.replace(/^rke2-/, '') : `${w.name}-sidecar-${i}`, image: `rancher/mirrored-${w.name}:v1` }));
  const nodeSelector: Record<string, string> | undefined = w.nodes === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': 'true' } : w.nodes === 'data' ? { 'kubevirt.io/schedulable': 'true' } : undefined;
  const template: PodTemplate = { metadata: { labels }, spec: { containers, ...(nodeSelector ? { nodeSelector } : {}) } };
  const candidates = b.nodes.filter((n) => (w.nodes === 'control-plane' ? n.role === 'control-plane' : w.nodes === 'data' ? n.role !== 'witness' : true)).map((n) => n.name);
  if (w.kind === 'DaemonSet') {
    const dsTemplate = { ...template, spec: { ...template.spec, tolerations: w.nodes === 'all' ? [{ operator: 'Exists' as const }] : [] } };
    const ds = await b.create<KObject>({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: w.name, namespace: w.namespace, labels, ...(w.annotations ? { annotations: w.annotations } : {}) }, spec: { selector: { matchLabels: { app: w.name } }, template: dsTemplate } });
    for (const node of candidates) await b.runningPod(ds, dsTemplate, `${w.name}-${b.rng.suffix()}`, node, { spec: { tolerations: [...(dsTemplate.spec.tolerations ?? []), { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] } });
    return;
  }
  const replicas = w.replicas ?? 1;
  const hash = templateHash(template);
  const rsLabels = { ...labels, 'pod-template-hash': hash };
  const rsTemplate = { ...template, metadata: { labels: rsLabels } };
  const rsName = `${w.name}-${hash}`;
  const pods: { name: string; node: string }[] = [];
  const { deployment: dep, replicaSet: rs } = await b.deploymentBottomUp(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: w.name, namespace: w.namespace, labels, ...(w.annotations ? { annotations: w.annotations } : {}) }, spec: { replicas, selector: { matchLabels: { app: w.name } }, template, strategy: { type: 'RollingUpdate' } } },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: rsName, namespace: w.namespace, labels: rsLabels },
      spec: { replicas, selector: { matchLabels: { app: w.name, 'pod-template-hash': hash } }, template: rsTemplate },
    },
    async () => {
      for (let i = 0; i < replicas; i++) {
        const node = b.spread(candidates.filter((n) => b.on.has(n)).length ? candidates.filter((n) => b.on.has(n)) : candidates);
        const pod = await b.orphanPod(w.namespace, rsName, rsTemplate, `${rsName}-${b.rng.suffix()}`, node);
        pods.push({ name: pod.metadata.name, node });
      }
      return pods.map((p) => p.name);
    },
  );
  const ready = pods.filter((p) => b.on.has(p.node)).length;
  await b.setStatus(rs, { replicas, fullyLabeledReplicas: replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 });
  const avail = ready >= replicas;
  await b.setStatus(dep, {
    observedGeneration: 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: ready,
    availableReplicas: ready,
    conditions: [
      { type: 'Available', status: avail ? 'True' : 'False', reason: avail ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
    ],
  });
}
