import { describe, expect, it } from 'vitest';
import { captureSnapshot } from '../../src/report/snapshot.js';
import { summarizePods } from '../../src/report/pods.js';
import { SnapshotSchema } from '../../src/report/snapshot-types.js';
import { etcdObservation, etcdThroughRunningPod, type SnapshotReader } from '../../src/report/snapshot-reader.js';
import { Kinds } from '../../src/common/harvester.js';
import type { PodObject } from '../../src/common/harvester-types.js';
import { LocalTwinApi } from '../../src/twin/api.js';
import { newStore, pod, secrets, seedCluster, storeReader } from './fixture-cluster.js';

async function capture(mutate?: (store: ReturnType<typeof newStore>) => void, etcdFails?: Error) {
  const store = newStore();
  const etcd = seedCluster(store);
  mutate?.(store);
  const reader = storeReader(store, async () => {
    if (etcdFails) throw etcdFails;
    return etcd;
  });
  return { store, snap: await captureSnapshot(reader, { now: () => Date.parse('2025-01-10T09:00:00Z') }) };
}

describe('captureSnapshot from the twin store', () => {
  it('records identity, schema and time', async () => {
    const { store, snap } = await capture();
    const ks = store.get(store.typeOfKind('v1', 'Namespace'), undefined, 'kube-system');
    expect(snap.schema).toBe(SnapshotSchema);
    expect(snap.takenAt).toBe('2025-01-10T09:00:00.000Z');
    expect(snap.cluster).toEqual({ id: ks.metadata.uid, harvesterVersion: 'v1.4.1' });
    expect(snap.unreadable).toEqual([]);
  });

  it('records nodes with roles, InternalIP and readiness', async () => {
    const { snap } = await capture();
    expect(snap.nodes.map((n) => n.name)).toEqual(['harv2', 'harv41', 'harv42', 'harv43']);
    expect(snap.nodes[1]).toEqual({
      name: 'harv41', roles: ['control-plane', 'etcd', 'master'], internalIP: '127.0.1.41', ready: true, kubeletVersion: 'v1.30.7+rke2r1',
    });
    expect(snap.nodes[0]?.roles).toEqual(['worker']);
  });

  it('records the VIP from the ConfigMap and ingress-expose', async () => {
    const { snap } = await capture();
    expect(snap.vip).toEqual({ configuredIp: '127.0.1.100', mode: 'static', ingressIp: '127.0.1.100' });
  });

  it('records settings by effective value and masks every credential', async () => {
    const { snap } = await capture();
    expect(snap.settings['ntp-servers']).toEqual({ value: '{"ntpServers":["0.suse.pool.ntp.org","1.suse.pool.ntp.org"]}', isDefault: false });
    expect(snap.settings['storage-network']).toEqual({ value: '{"vlan":0}', isDefault: true });
    expect(snap.settings['backup-target']).toEqual({ value: '', isDefault: true });
    // masked with a digest salted by the cluster UID (see test/common/redact.test.ts)
    expect(snap.settings['http-proxy']?.value).toMatch(/http:\/\/ops:\*\*\*~[\w-]{12}@proxy\.lab:3128/);
    expect(snap.settings['containerd-registry']?.value).toMatch(/"Password":"\*\*\*~[\w-]{12}"/);
    expect(snap.settings['containerd-registry']?.value).toContain('"Username":"pull"');
    expect(snap.settings['cluster-registration-url']?.value).toMatch(/^https:\/\/rancher\.lab\/… \(sha256:[0-9a-f]{12}\)$/);
    const text = JSON.stringify(snap);
    for (const s of Object.values(secrets)) expect(text).not.toContain(s);
  });

  it('records addons, the Rancher scale and replicas', async () => {
    const { snap } = await capture();
    expect(snap.addons.map((a) => `${a.namespace}/${a.name}:${a.enabled}:${a.status}`)).toEqual([
      'cattle-logging-system/rancher-logging:false:AddonDisabled',
      'cattle-monitoring-system/rancher-monitoring:true:AddonDeploySuccessful',
      'harvester-system/vm-import-controller:true:AddonDeploySuccessful',
    ]);
    expect(snap.rancher).toEqual({
      rancher: { scaleAvailable: '3', replicas: 3, readyReplicas: 3 },
      agent: { scaleAvailable: '2', replicas: 2, readyReplicas: 2 },
    });
  });

  it('records VMs: strategy, running now, node, traditional or downstream', async () => {
    const { snap } = await capture();
    const byName = Object.fromEntries(snap.vms.map((v) => [v.name, v]));
    expect(byName.web).toMatchObject({ runStrategy: 'Always', running: null, runningNow: true, node: 'harv42', kind: 'traditional', guestCluster: null });
    expect(byName.db).toMatchObject({ runStrategy: 'Halted', runningNow: false, node: null, vmiPhase: null });
    expect(byName.legacy).toMatchObject({ runStrategy: null, running: true, runningNow: true });
    expect(byName['rke2-prod-pool1-x7k2p']).toMatchObject({ kind: 'downstream', guestCluster: 'rke2-prod', runStrategy: 'RerunOnFailure' });
  });

  it('records Longhorn volumes with state, robustness, node and PVC', async () => {
    const { snap } = await capture();
    expect(snap.volumes[0]).toEqual({ name: 'pvc-3323944c', state: 'detached', robustness: 'unknown', node: null, pvc: 'default/db-disk' });
    expect(snap.volumes[1]).toMatchObject({ state: 'attached', robustness: 'healthy', node: 'harv42' });
  });

  it('summarizes system pods per namespace and names problem pods by workload', async () => {
    const { snap } = await capture((store) => {
      store.create(store.typeOfKind('v1', 'Pod'), pod({
        namespace: 'longhorn-system', name: 'csi-attacher-749459cf65-2x792', owner: { kind: 'ReplicaSet', name: 'csi-attacher-749459cf65' },
        ready: false, waiting: 'CrashLoopBackOff', restarts: 6,
      }));
    });
    const ks = snap.systemPods.find((n) => n.namespace === 'kube-system');
    expect(ks).toMatchObject({ ready: 4, total: 4, completed: 1, problems: [] });
    const lh = snap.systemPods.find((n) => n.namespace === 'longhorn-system');
    expect(lh).toMatchObject({ ready: 1, total: 2 });
    expect(lh?.problems).toEqual([{
      name: 'csi-attacher-749459cf65-2x792', workload: 'Deployment/csi-attacher', status: 'CrashLoopBackOff', ready: '0/1', restarts: 6, node: 'harv41',
    }]);
    expect(snap.systemPods.map((n) => n.namespace)).toContain('cattle-fleet-system');
  });

  it('maps etcd members to nodes and names the leader', async () => {
    const { snap } = await capture();
    expect(snap.etcd?.leader).toBe('harv42');
    expect(snap.etcd?.members.map((m) => `${m.node}:${m.isLeader}`)).toEqual(['harv41:false', 'harv42:true', 'harv43:false']);
  });

  it('keeps going without etcd, and says why (without secrets)', async () => {
    const { snap } = await capture(undefined, new Error('exec etcd-harv41 failed: https://admin:hunter2@127.0.1.41:6443 refused'));
    expect(snap.etcd).toBeNull();
    expect(snap.unreadable).toHaveLength(1);
    expect(snap.unreadable[0]).toContain('etcd: exec etcd-harv41 failed');
    expect(snap.unreadable[0]).not.toContain('hunter2');
  });

  it('fails closed when a core list fails', async () => {
    const store = newStore();
    const etcd = seedCluster(store);
    const reader: SnapshotReader = { ...storeReader(store, async () => etcd), volumes: () => Promise.reject(new Error('503 longhorn')) };
    await expect(captureSnapshot(reader)).rejects.toThrow('503 longhorn');
  });

  it('is plain JSON (survives a round trip unchanged)', async () => {
    const { snap } = await capture();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });
});

describe('etcd sources', () => {
  const member = (id: string, ip: string, isLeader = false) => ({ memberId: id, endpoint: `https://${ip}:2379`, isLeader, raftTerm: 5 });

  it('etcdObservation keeps hex ids and the leader', () => {
    expect(etcdObservation([member('aa', '127.0.1.41'), member('bb', '127.0.1.42', true)])).toEqual({
      members: [{ id: 'aa', endpoint: 'https://127.0.1.41:2379' }, { id: 'bb', endpoint: 'https://127.0.1.42:2379' }],
      leaderId: 'bb',
    });
    expect(etcdObservation([member('aa', '127.0.1.41')]).leaderId).toBeNull();
  });

  it('asks through the first Running etcd pod, falls through failures, null when none runs', async () => {
    const store = newStore();
    seedCluster(store);
    const api = new LocalTwinApi(store);
    const pods = (ns: string) => api.list<PodObject>(Kinds.Pod, { namespace: ns });
    const asked: string[] = [];
    const source = etcdThroughRunningPod(pods, async (node) => {
      asked.push(node);
      if (node === 'harv41') throw new Error('exec failed');
      return [member('aa', '127.0.1.41'), member('bb', '127.0.1.42', true)];
    });
    expect((await source())?.leaderId).toBe('bb');
    expect(asked).toEqual(['harv41', 'harv42']);

    for (const n of ['harv41', 'harv42', 'harv43']) await api.patch(Kinds.Pod, 'kube-system', `etcd-${n}`, { status: { phase: 'Pending' } }, { subresource: 'status' });
    expect(await source()).toBeNull();
    await api.patch(Kinds.Pod, 'kube-system', 'etcd-harv43', { status: { phase: 'Running' } }, { subresource: 'status' });
    await expect(etcdThroughRunningPod(pods, () => Promise.reject(new Error('all down')))()).rejects.toThrow('all down');
  });
});

describe('summarizePods: leftovers', () => {
  const failedPod = (name: string, created: string, status: NonNullable<PodObject['status']>): PodObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: 'harvester-system', name, creationTimestamp: created, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'virt-api-6b9f8c7d5e', uid: 'u1', controller: true }] },
    spec: { nodeName: 'harv42' },
    status,
  });
  it('keeps a Failed pod its Deployment replaced since out of the count, with the reason kubectl shows', () => {
    const s = summarizePods('harvester-system', [
      failedPod('virt-api-6b9f8c7d5e-old', '2026-11-25T10:00:00Z', { phase: 'Failed', reason: 'Terminated' } as NonNullable<PodObject['status']>),
      failedPod('virt-api-6b9f8c7d5e-new', '2026-11-26T01:00:00Z', { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] }),
    ]);
    expect(s).toMatchObject({ ready: 1, total: 1, problems: [], leftovers: [{ name: 'virt-api-6b9f8c7d5e-old', workload: 'Deployment/virt-api', status: 'Terminated', node: 'harv42' }] });
  });
});
