// The seed's own kubectl commands, run with a real kubectl against the twin's API server,
// must print what the seed shows (fidelity level 3). Uses, in order: $FALLOW_KUBECTL,
// the fidelity bed's build (.cache/fidelity/bin/kubectl), `kubectl` on PATH; skips with
// a message only when none exists (CI installs one).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecHandler } from '../../src/twin/apiserver/index.js';
import { Etcdctl } from '../../src/common/harvester.js';
import { deployment, node, pod, put, seededStore, startTwin, vm, vmi, type Twin } from '../twin/apiserver/fixture.js';

function findKubectl(): string | undefined {
  const candidates = [process.env.FALLOW_KUBECTL, join(process.cwd(), '.cache/fidelity/bin/kubectl')];
  for (const c of candidates) if (c && existsSync(c)) return c;
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'kubectl'))) return join(dir, 'kubectl');
  return undefined;
}

const kubectlBin = findKubectl();
if (!kubectlBin) console.warn('test/peers/kubectl.test.ts: skipped: no kubectl found (set FALLOW_KUBECTL, build the fidelity bed, or install kubectl)');

const etcdTable = [
  '+------------------------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+--------+',
  '|           ENDPOINT           |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |',
  '| https://192.168.122.141:2379 | c70780b7862269c9 |   3.5.9 |   34 MB |      true |      false |        45 |    6538756 |            6538756 |        |',
].join('\n');

const execs: string[][] = [];
const exec: ExecHandler = async (_pod, container, command) => {
  execs.push([container, ...command]);
  if (command.includes('endpoint')) return { stdout: etcdTable + '\n', stderr: '', exitCode: 0 };
  return { stdout: '', stderr: 'Error: unknown command\n', exitCode: 1 };
};

let twin: Twin;

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      kubectlBin!,
      ['--cache-dir', join(twin.dir, 'kube-cache'), ...args],
      { env: { PATH: process.env.PATH, HOME: twin.dir, KUBECONFIG: twin.kubeconfigPath }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Splits kubectl's column output into rows of cells. */
function rows(out: string): string[][] {
  return out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s{2,}/));
}

describe.skipIf(!kubectlBin)('real kubectl against the twin', () => {
  beforeAll(async () => {
    const store = seededStore();
    put(store, node('harv41', ['control-plane', 'etcd', 'master']));
    put(store, node('harv2w', []));
    put(store, pod('kube-system', 'etcd-harv41', 'harv41', 'Running', ['etcd']));
    put(store, pod('cattle-system', 'rancher-856f674f7d-5dqb6', 'harv41'));
    put(store, vm('default', 'vm1', 'Always'));
    put(store, vmi('default', 'vm1', 'Running', 'harv41'));
    put(store, deployment('cattle-system', 'fleet-agent', 1));
    put(store, { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Addon', metadata: { name: 'rancher-monitoring', namespace: 'cattle-monitoring-system' }, spec: { enabled: true, repo: 'http://harvester-cluster-repo.cattle-system.svc/charts', chart: 'rancher-monitoring' } });
    put(store, {
      apiVersion: 'longhorn.io/v1beta2',
      kind: 'Volume',
      metadata: { name: 'pvc-3323944c-00d9-4b35-ae38-a00b1e8a8841', namespace: 'longhorn-system' },
      spec: { dataEngine: 'v1', size: '5368709120' },
      status: { state: 'detached', robustness: 'unknown' },
    });
    put(store, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ingress-expose', namespace: 'kube-system' },
      spec: { type: 'LoadBalancer', clusterIP: '10.53.50.107', ports: [{ port: 443, nodePort: 32701, protocol: 'TCP' }, { port: 80, nodePort: 31480, protocol: 'TCP' }] },
      status: { loadBalancer: { ingress: [{ ip: '192.168.122.144' }] } },
    });
    twin = await startTwin({ exec }, store);
  });
  afterAll(() => twin?.close());

  it('kubectl get nodes', async () => {
    const r = await kubectl('get', 'nodes', '-A');
    expect(r.code).toBe(0);
    const t = rows(r.stdout);
    expect(t[0]).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(t.find((x) => x[0] === 'harv41')?.slice(1, 3)).toEqual(['Ready', 'control-plane,etcd,master']);
    expect(t.find((x) => x[0] === 'harv2w')?.slice(1, 3)).toEqual(['Ready', '<none>']);
  });

  it('kubectl get pods -A', async () => {
    const r = await kubectl('get', 'pods', '-A');
    expect(r.code).toBe(0);
    const t = rows(r.stdout);
    expect(t[0]).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(t.find((x) => x[1] === 'etcd-harv41')?.slice(0, 5)).toEqual(['kube-system', 'etcd-harv41', '1/1', 'Running', '0']);
  });

  it('kubectl get deployment -n cattle-system, scale, and get again', async () => {
    const before = rows((await kubectl('get', 'deployment', '-n', 'cattle-system')).stdout);
    expect(before[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(before.find((x) => x[0] === 'rancher')?.slice(1, 4)).toEqual(['3/3', '3', '3']);
    const scaled = await kubectl('scale', 'deployment', '-n', 'cattle-system', 'cattle-cluster-agent', '--replicas=0');
    expect(scaled.stdout.trim()).toBe('deployment.apps/cattle-cluster-agent scaled');
    const dep = twin.store.get(twin.store.typeFor('apps', 'v1', 'deployments')!, 'cattle-system', 'cattle-cluster-agent');
    expect((dep.spec as { replicas: number }).replicas).toBe(0);
  });

  it('kubectl get vmi -A and get vm -A use the KubeVirt printer columns', async () => {
    const r = rows((await kubectl('get', 'vmi', '-A')).stdout);
    expect(r[0]).toEqual(['NAMESPACE', 'NAME', 'AGE', 'PHASE', 'IP', 'NODENAME', 'READY']);
    expect([r[1]![0], r[1]![1], ...r[1]!.slice(3)]).toEqual(['default', 'vm1', 'Running', '10.52.0.10', 'harv41', 'True']);
    const v = rows((await kubectl('get', 'vm', '-A')).stdout);
    expect(v[0]).toEqual(['NAMESPACE', 'NAME', 'AGE', 'STATUS', 'READY']);
  });

  it('kubectl get volumes.longhorn.io -n longhorn-system prints <none>-free blanks like the seed', async () => {
    const r = await kubectl('get', 'volumes.longhorn.io', '-n', 'longhorn-system');
    expect(r.code).toBe(0);
    const header = r.stdout.split('\n')[0]!.trim().split(/\s{2,}/);
    expect(header).toEqual(['NAME', 'DATA ENGINE', 'STATE', 'ROBUSTNESS', 'SCHEDULED', 'SIZE', 'NODE', 'AGE']);
    expect(r.stdout).toContain('pvc-3323944c-00d9-4b35-ae38-a00b1e8a8841   v1            detached   unknown');
  });

  it('kubectl get addons.harvesterhci.io -A', async () => {
    const r = rows((await kubectl('get', 'addons.harvesterhci.io', '-A')).stdout);
    expect(r[0]).toEqual(['NAMESPACE', 'NAME', 'HELMREPO', 'CHARTNAME', 'ENABLED']);
    expect(r[1]).toEqual(['cattle-monitoring-system', 'rancher-monitoring', 'http://harvester-cluster-repo.cattle-system.svc/charts', 'rancher-monitoring', 'true']);
  });

  it('kubectl get service -n kube-system ingress-expose shows the VIP', async () => {
    const r = rows((await kubectl('get', 'service', '-n', 'kube-system', 'ingress-expose')).stdout);
    expect(r[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(r[1]!.slice(0, 5)).toEqual(['ingress-expose', 'LoadBalancer', '10.53.50.107', '192.168.122.144', '443:32701/TCP,80:31480/TCP']);
  });

  it('kubectl exec … -- etcdctl endpoint status (the seed\'s leader check)', async () => {
    const r = await kubectl('exec', '-n', 'kube-system', 'etcd-harv41', '--', 'env', 'ETCDCTL_API=3', 'etcdctl', 'endpoint', 'status', '--cluster', '-w', 'table', ...Etcdctl.flags);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('IS LEADER');
    expect(execs.at(-1)).toEqual(['etcd', 'env', 'ETCDCTL_API=3', 'etcdctl', 'endpoint', 'status', '--cluster', '-w', 'table', ...Etcdctl.flags]);
    const bad = await kubectl('exec', '-n', 'kube-system', 'etcd-harv41', '--', 'etcdctl', 'bogus');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('command terminated with exit code 1');
    const missing = await kubectl('exec', '-n', 'kube-system', 'etcd-nope', '--', 'etcdctl');
    expect(missing.stderr).toContain('Error from server (NotFound): pods "etcd-nope" not found');
  });

  it('kubectl delete pod --force removes a pod stuck in Terminating', async () => {
    const pods = twin.store.typeFor('', 'v1', 'pods')!;
    twin.store.delete(pods, 'cattle-system', 'rancher-856f674f7d-5dqb6');
    const stuck = rows((await kubectl('get', 'pods', '-n', 'cattle-system')).stdout);
    expect(stuck.find((x) => x[0] === 'rancher-856f674f7d-5dqb6')?.[2]).toBe('Terminating');
    const r = await kubectl('delete', 'pod', '-n', 'cattle-system', 'rancher-856f674f7d-5dqb6', '--force');
    expect(r.code).toBe(0);
    expect(twin.store.tryGet(pods, 'cattle-system', 'rancher-856f674f7d-5dqb6')).toBeUndefined();
  });

  it('kubectl drain cordons the node and evicts its pods', async () => {
    const p = pod('default', 'drainme', 'harv2w');
    (p.spec as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds = 0;
    put(twin.store, p);
    const r = await kubectl('drain', 'harv2w', '--force', '--ignore-daemonsets', '--timeout=30s');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('node/harv2w cordoned');
    expect(r.stdout).toContain('pod/drainme evicted');
    expect(r.stdout).toContain('node/harv2w drained');
    const n = twin.store.get(twin.store.typeFor('', 'v1', 'nodes')!, undefined, 'harv2w');
    expect((n.spec as { unschedulable?: boolean }).unschedulable).toBe(true);
    expect(twin.store.tryGet(twin.store.typeFor('', 'v1', 'pods')!, 'default', 'drainme')).toBeUndefined();
  });

  it('kubectl auth can-i and errors read like kube-apiserver\'s', async () => {
    expect((await kubectl('auth', 'can-i', 'delete', 'nodes')).stdout.trim()).toBe('yes');
    const r = await kubectl('get', 'deployment', '-n', 'cattle-system', 'nope');
    expect(r.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "nope" not found');
  });
});
