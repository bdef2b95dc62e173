// The seed's own kubectl commands, run with the real kubectl against the real apiserver
// with the twin's CRDs: the columns and messages must be what the seed shows. Objects are
// shaped as harvester-facts.md says a Harvester cluster holds them; `kubectl exec` into an
// etcd pod reaches the twin's etcdctl through fidelity-kubelet.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/common/clock.js';
import { Etcdctl } from '../../src/common/harvester.js';
import { Timers } from '../../src/twin/controllers/timers.js';
import { runEtcdctl } from '../../src/twin/etcd/etcdctl.js';
import { EtcdModel } from '../../src/twin/etcd/model.js';
import { EventLog } from '../../src/twin/events.js';
import { Rng } from '../../src/twin/scenario/rng.js';
import type { KObject } from '../../src/twin/store/types.js';
import { startFidelityBed, type FidelityBed } from './harness.js';
import { waitForDefaultServiceAccount } from './diff/runner.js';

let bed: FidelityBed;
let timers: Timers;

const seedMembers = [
  { node: 'harv41', ip: '192.168.122.141', id: 'c70780b7862269c9', name: 'harv41-1a2b3c4d' },
  { node: 'harv42', ip: '192.168.122.142', id: 'db04095b49eb5352', name: 'harv42-2b3c4d5e' },
  { node: 'harv43', ip: '192.168.122.143', id: 'c27585769b2ce977', name: 'harv43-3c4d5e6f' },
];

const cpLabels = { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/etcd': 'true', 'node-role.kubernetes.io/master': 'true' };

/** Creates the object, then writes its status through /status (create drops it on most kinds). */
async function put(path: string, obj: KObject): Promise<void> {
  const name = obj.metadata.name;
  await bed.client.json('POST', path, { body: obj });
  if (obj.status !== undefined) {
    await bed.client.json('PATCH', `${path}/${name}/status`, { body: { status: obj.status }, contentType: 'application/merge-patch+json' });
  }
}

async function node(name: string, labels: Record<string, string>): Promise<void> {
  await put('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: bed.kubelet!.port } },
      nodeInfo: { kubeletVersion: 'v1.27.10+rke2r1', kubeProxyVersion: 'v1.27.10+rke2r1', containerRuntimeVersion: 'containerd://1.7.11-k3s2', osImage: 'Harvester v1.3.1', kernelVersion: '5.14.21', operatingSystem: 'linux', architecture: 'amd64', machineID: '', systemUUID: '', bootID: '' },
    },
  });
}

function addon(ns: string, name: string, chart: string, enabled: boolean): KObject {
  return { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Addon', metadata: { name, namespace: ns }, spec: { enabled, repo: 'http://harvester-cluster-repo.cattle-system.svc/charts', chart, version: '103.0.3' } };
}

beforeAll(async () => {
  const clock = new ScaledClock(1);
  timers = new Timers(clock);
  const etcd = new EtcdModel({ members: seedMembers, clock, timers, rng: new Rng(7), events: new EventLog(clock), term: 45, index: 6538756, dbSize: 34_000_000, entriesPerSecond: 0, clusterId: 'a1b2c3d4e5f60718' });
  bed = await startFidelityBed({
    exec: async (pod, _container, command) => runEtcdctl(etcd, String((pod.spec as { nodeName?: string }).nodeName), command),
  });
  for (const ns of ['cattle-system', 'cattle-monitoring-system', 'cattle-logging-system', 'harvester-system', 'longhorn-system']) {
    await bed.client.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  }
  // The real admission refuses pods until kube-controller-manager made each namespace's default ServiceAccount.
  for (const ns of ['kube-system', 'cattle-system', 'longhorn-system']) await waitForDefaultServiceAccount(bed.client, ns);
  await node('harv2', {});
  for (const n of ['harv41', 'harv42', 'harv43']) await node(n, cpLabels);
  for (const m of seedMembers) {
    await put('/api/v1/namespaces/kube-system/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `etcd-${m.node}`, namespace: 'kube-system', labels: { component: 'etcd', tier: 'control-plane' } },
      spec: { nodeName: m.node, containers: [{ name: 'etcd', image: 'rancher/hardened-etcd:v3.5.9' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
  const addons: [string, string, string, boolean][] = [
    ['cattle-logging-system', 'rancher-logging', 'rancher-logging', false],
    ['cattle-monitoring-system', 'rancher-monitoring', 'rancher-monitoring', true],
    ['harvester-system', 'harvester-seeder', 'harvester-seeder', false],
    ['harvester-system', 'nvidia-driver-toolkit', 'nvidia-driver-runtime', false],
    ['harvester-system', 'pcidevices-controller', 'harvester-pcidevices-controller', false],
    ['harvester-system', 'vm-import-controller', 'harvester-vm-import-controller', false],
  ];
  for (const [ns, name, chart, enabled] of addons) await put(`/apis/harvesterhci.io/v1beta1/namespaces/${ns}/addons`, addon(ns, name, chart, enabled));
  await put('/apis/longhorn.io/v1beta2/namespaces/longhorn-system/volumes', {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Volume',
    metadata: { name: 'pvc-394713a4-d08c-4a45-bf7a-d44343f29dea', namespace: 'longhorn-system' },
    spec: { dataEngine: 'v1', size: '6442450944', numberOfReplicas: 3 },
    status: { state: 'attached', robustness: 'healthy', currentNodeID: 'harv41' },
  });
  await put('/apis/kubevirt.io/v1/namespaces/default/virtualmachines', {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: 'vm1', namespace: 'default' },
    spec: { runStrategy: 'Always', template: { spec: { domain: { devices: {} } } } },
    status: { printableStatus: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
  // VMIs have no status subresource upstream; the twin's catalogue gives them one (see the report).
  await put('/apis/kubevirt.io/v1/namespaces/default/virtualmachineinstances', {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name: 'vm1', namespace: 'default' },
    spec: { domain: { devices: {} } },
    status: { phase: 'Running', nodeName: 'harv41', interfaces: [{ ipAddress: '10.52.0.214' }], conditions: [{ type: 'Ready', status: 'True' }] },
  });
  const rancher = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'rancher', namespace: 'cattle-system', labels: { app: 'rancher', 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'management.cattle.io/scale-available': '3' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'rancher' } },
      template: { metadata: { labels: { app: 'rancher' } }, spec: { containers: [{ name: 'rancher', image: 'rancher/rancher:v2.8.5' }] } },
    },
  };
  await bed.client.json('POST', '/apis/apps/v1/namespaces/cattle-system/deployments', { body: rancher });
  await put('/api/v1/namespaces/kube-system/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'ingress-expose', namespace: 'kube-system' },
    spec: { type: 'LoadBalancer', selector: { app: 'rke2-ingress-nginx' }, ports: [{ name: 'https-internal', port: 443, targetPort: 443 }, { name: 'http', port: 80, targetPort: 80 }] },
    status: { loadBalancer: { ingress: [{ ip: '192.168.122.144' }] } },
  });
});

afterAll(async () => {
  timers?.stop();
  await bed?.stop();
});

/** Column headers of kubectl's table output, split where two or more spaces separate them. */
const header = (out: string): string[] => out.split('\n')[0]!.trim().split(/\s{2,}/);
const row = (out: string, first: string): string[] | undefined =>
  out
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/))
    .find((cells) => cells[0] === first || cells[1] === first);

describe("the seed's kubectl commands against the real apiserver", () => {
  it('3.3 kubectl get addons.harvesterhci.io -A', async () => {
    const out = await bed.kubectl(['get', 'addons.harvesterhci.io', '-A']);
    expect(out.code).toBe(0);
    expect(header(out.stdout)).toEqual(['NAMESPACE', 'NAME', 'HELMREPO', 'CHARTNAME', 'ENABLED']);
    expect(row(out.stdout, 'rancher-monitoring')).toEqual([
      'cattle-monitoring-system',
      'rancher-monitoring',
      'http://harvester-cluster-repo.cattle-system.svc/charts',
      'rancher-monitoring',
      'true',
    ]);
    expect(out.stdout.trim().split('\n')).toHaveLength(7);
  });

  it('3.3 kubectl edit addons.harvesterhci.io … rancher-monitoring (enabled: false)', async () => {
    const editor = join(bed.dir, 'edit-enabled.sh');
    await writeFile(editor, '#!/bin/sh\nsed -i "s/^  enabled: true$/  enabled: false/" "$1"\n', { mode: 0o755 });
    const out = await bed.kubectl(['edit', 'addons.harvesterhci.io', '-n', 'cattle-monitoring-system', 'rancher-monitoring'], { env: { KUBE_EDITOR: editor } });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe('addon.harvesterhci.io/rancher-monitoring edited');
    const a = await bed.client.json<{ spec: { enabled: boolean } }>('GET', '/apis/harvesterhci.io/v1beta1/namespaces/cattle-monitoring-system/addons/rancher-monitoring');
    expect(a.spec.enabled).toBe(false);
  });

  it('3.5 kubectl get volume -A', async () => {
    const out = await bed.kubectl(['get', 'volume', '-A']);
    expect(out.code).toBe(0);
    expect(header(out.stdout)).toEqual(['NAMESPACE', 'NAME', 'DATA ENGINE', 'STATE', 'ROBUSTNESS', 'SCHEDULED', 'SIZE', 'NODE', 'AGE']);
    expect(out.stdout).toMatch(/pvc-394713a4-d08c-4a45-bf7a-d44343f29dea\s+v1\s+attached\s+healthy\s+6442450944\s+harv41\s+\d+s/);
  });

  it('3.2 kubectl get vmi -A and kubectl get vm -A', async () => {
    const vmi = await bed.kubectl(['get', 'vmi', '-A']);
    expect(header(vmi.stdout)).toEqual(['NAMESPACE', 'NAME', 'AGE', 'PHASE', 'IP', 'NODENAME', 'READY']);
    expect(vmi.stdout).toMatch(/default\s+vm1\s+\d+s\s+Running\s+10\.52\.0\.214\s+harv41\s+True/);
    const vm = await bed.kubectl(['get', 'vm', '-A']);
    expect(header(vm.stdout)).toEqual(['NAMESPACE', 'NAME', 'AGE', 'STATUS', 'READY']);
    expect(vm.stdout).toMatch(/default\s+vm1\s+\d+s\s+Running\s+True/);
  });

  it('3.2 virtctl stop vm1 = PUT …/virtualmachines/vm1/stop through the aggregated subresources API', async () => {
    const body = join(bed.dir, 'stop.json');
    await writeFile(body, '{}');
    const stop = await bed.kubectl(['replace', '--raw', '/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/vm1/stop', '-f', body]);
    expect(stop.stderr).toBe('');
    expect(stop.code).toBe(0);
    const vm = await bed.client.json<{ spec: { runStrategy: string } }>('GET', '/apis/kubevirt.io/v1/namespaces/default/virtualmachines/vm1');
    expect(vm.spec.runStrategy).toBe('Halted');
    // virt-api's answer to stopping a Halted VM whose VMI is still running, without a shorter grace period.
    const again = await bed.kubectl(['replace', '--raw', '/apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/vm1/stop', '-f', body]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/Halted only supports manual stop requests with a shorter graceperiod/);
  });

  it('4 kubectl get nodes -A shows roles and the RKE2 version', async () => {
    const out = await bed.kubectl(['get', 'nodes', '-A']);
    expect(header(out.stdout)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(row(out.stdout, 'harv2')).toEqual(['harv2', 'Ready', '<none>', expect.stringMatching(/^\d+s$/), 'v1.27.10+rke2r1']);
    expect(row(out.stdout, 'harv41')).toEqual(['harv41', 'Ready', 'control-plane,etcd,master', expect.stringMatching(/^\d+s$/), 'v1.27.10+rke2r1']);
  });

  it('4.2 kubectl exec -n kube-system etcd-harv41 -- env ETCDCTL_API=3 etcdctl endpoint status --cluster -w table …', async () => {
    const out = await bed.kubectl(['exec', '-n', 'kube-system', 'etcd-harv41', '--', 'env', 'ETCDCTL_API=3', 'etcdctl', 'endpoint', 'status', '--cluster', '-w', 'table', ...Etcdctl.flags]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[1]).toBe('|           ENDPOINT           |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |');
    expect(lines[3]).toBe('| https://192.168.122.141:2379 | c70780b7862269c9 |   3.5.9 |   34 MB |      true |      false |        45 |    6538756 |            6538756 |        |');
  });

  it('kubectl exec passes a non-zero exit code through', async () => {
    const out = await bed.kubectl(['exec', '-n', 'kube-system', 'etcd-harv42', '--', 'etcdctl', 'move-leader']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/command terminated with exit code/);
  });

  it('3.2 kubectl edit deployment rancher (scale-available "3" → ""), kubectl scale … --replicas=0', async () => {
    const editor = join(bed.dir, 'edit-scale.sh');
    await writeFile(editor, `#!/bin/sh\nsed -i 's|management.cattle.io/scale-available: "3"|management.cattle.io/scale-available: ""|' "$1"\n`, { mode: 0o755 });
    const edit = await bed.kubectl(['edit', 'deployment', '-n', 'cattle-system', 'rancher'], { env: { KUBE_EDITOR: editor } });
    expect(edit.stdout.trim()).toBe('deployment.apps/rancher edited');
    const scaled = await bed.kubectl(['scale', 'deployment', '-n', 'cattle-system', 'rancher', '--replicas=0']);
    expect(scaled.stdout.trim()).toBe('deployment.apps/rancher scaled');
    const d = await bed.client.json<{ metadata: { annotations: Record<string, string> }; spec: { replicas: number } }>('GET', '/apis/apps/v1/namespaces/cattle-system/deployments/rancher');
    expect(d.metadata.annotations['management.cattle.io/scale-available']).toBe('');
    expect(d.spec.replicas).toBe(0);
    const get = await bed.kubectl(['get', 'deployment', '-n', 'cattle-system', 'rancher']);
    expect(header(get.stdout)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(row(get.stdout, 'rancher')?.slice(0, 4)).toEqual(['rancher', '0/0', '0', '0']);
  });

  it('3.2 kubectl delete pod -n cattle-system <rancher pod> --force', async () => {
    await put('/api/v1/namespaces/cattle-system/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'rancher-856f674f7d-5dqb6', namespace: 'cattle-system', labels: { app: 'rancher-stuck' }, finalizers: [] },
      spec: { nodeName: 'harv41', containers: [{ name: 'rancher', image: 'rancher/rancher:v2.8.5' }] },
    });
    const out = await bed.kubectl(['delete', 'pod', '-n', 'cattle-system', 'rancher-856f674f7d-5dqb6', '--force']);
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/Immediate deletion does not wait for confirmation that the running resource has been terminated/);
    // kubectl ≥ 1.31 names the namespace when it is not the context's default.
    expect(out.stdout.trim()).toBe('pod "rancher-856f674f7d-5dqb6" force deleted from cattle-system namespace');
    const gone = await bed.client.request('GET', '/api/v1/namespaces/cattle-system/pods/rancher-856f674f7d-5dqb6');
    expect(gone.status).toBe(404);
  });

  it('5.1 kubectl get service -n kube-system ingress-expose shows the VIP', async () => {
    const out = await bed.kubectl(['get', 'service', '-n', 'kube-system', 'ingress-expose']);
    expect(header(out.stdout)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(out.stdout).toMatch(/ingress-expose\s+LoadBalancer\s+10\.53\.\d+\.\d+\s+192\.168\.122\.144\s+443:\d+\/TCP,80:\d+\/TCP\s+\d+s/);
  });
});
