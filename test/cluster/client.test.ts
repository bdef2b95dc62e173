// The cluster layer against the twin's HTTPS API server: connect and identity, typed
// CRUD with the right patch types, pagination, scale, KubeVirt subresources, exec and
// etcd, downloads, access review and the error lines a user sees.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FatalError, PreflightError, UnreachableError, UsageError } from '../../src/common/errors.js';
import type { DeploymentObject, VirtualMachineObject } from '../../src/common/harvester-types.js';
import { connect } from '../../src/cluster/connect.js';
import { clusterIdentity } from '../../src/cluster/discovery.js';
import { type Bed, harvesterStore, put, startBed } from './fixture.js';

async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise((r) => setTimeout(r, 10));
}

describe('Cluster against the twin API server', () => {
  let bed: Bed;
  beforeAll(async () => {
    bed = await startBed();
  });
  afterAll(() => bed.close());

  it('connects, checks discovery and reads the identity', async () => {
    const { cluster, version, discovery, kubeconfig } = await bed.connect();
    expect(version.gitVersion).toMatch(/^v1\./);
    expect(discovery.missingRequired).toEqual([]);
    const id = await clusterIdentity(cluster, { name: kubeconfig.clusterName });
    const ns = bed.store.get(bed.store.typeOfKind('v1', 'Namespace'), undefined, 'kube-system');
    expect(id).toMatchObject({ uid: ns.metadata.uid, server: bed.api.url, harvesterVersion: 'v1.4.2' });
  });

  it('lists across pages, restoring apiVersion/kind on items', async () => {
    for (let i = 0; i < 1_234; i++) put(bed.store, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { i: String(i) } });
    const { cluster } = await bed.connect();
    const before = bed.recorder.records.length;
    const cms = await cluster.list('ConfigMap', { namespace: 'default' });
    expect(cms).toHaveLength(1_234);
    expect(cms[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    const lists = bed.recorder.records.slice(before).filter((r) => r.verb === 'list');
    expect(lists).toHaveLength(3);
  });

  it('get returns undefined for a missing object; delete is idempotent', async () => {
    const { cluster } = await bed.connect();
    expect(await cluster.get('ConfigMap', 'default', 'nope')).toBeUndefined();
    await cluster.delete('ConfigMap', 'default', 'cm-0');
    await cluster.delete('ConfigMap', 'default', 'cm-0');
    expect(await cluster.get('ConfigMap', 'default', 'cm-0')).toBeUndefined();
  });

  it('merge-patches annotations (null deletes) and json-patches with a test op', async () => {
    const { cluster } = await bed.connect();
    await cluster.mergePatch('Deployment', 'cattle-system', 'rancher', { metadata: { annotations: { 'management.cattle.io/scale-available': '' } } });
    let d = await cluster.getKind('Deployment', 'cattle-system', 'rancher');
    expect(d?.metadata.annotations?.['management.cattle.io/scale-available']).toBe('');
    await cluster.patch('Deployment', 'cattle-system', 'rancher', { metadata: { annotations: { 'management.cattle.io/scale-available': null } } });
    d = await cluster.getKind('Deployment', 'cattle-system', 'rancher');
    expect(d?.metadata.annotations?.['management.cattle.io/scale-available']).toBeUndefined();
    await cluster.jsonPatch('Deployment', 'cattle-system', 'rancher', [
      { op: 'test', path: '/spec/replicas', value: 3 },
      // Its only annotation was deleted, and kube-apiserver stores no empty map: add the map.
      { op: 'add', path: '/metadata/annotations', value: { 'management.cattle.io/scale-available': '3' } },
    ]);
    await expect(cluster.jsonPatch('Deployment', 'cattle-system', 'rancher', [{ op: 'test', path: '/spec/replicas', value: 99 }])).rejects.toThrow();
  });

  it('scales through the scale subresource', async () => {
    const { cluster } = await bed.connect();
    await cluster.scale('Deployment', 'cattle-system', 'rancher', 0);
    const d = bed.store.get(bed.store.typeOfKind('apps/v1', 'Deployment'), 'cattle-system', 'rancher') as DeploymentObject;
    expect(d.spec?.replicas).toBe(0);
    // autoscaling/v1 omits replicas: 0, so a reader must take a missing value as 0.
    expect((await cluster.getScale('Deployment', 'cattle-system', 'rancher')).spec).toEqual({});
    const scaleReq = bed.recorder.records.filter((r) => r.path.endsWith('/deployments/rancher/scale') && r.method === 'PATCH');
    expect(scaleReq.at(-1)?.status).toBe(200);
  });

  it('stops a VM through subresources.kubevirt.io; a second stop is a conflict', async () => {
    const { cluster } = await bed.connect();
    expect(await cluster.vmAction('default', 'vm1', 'stop', { gracePeriod: 60 })).toBe('ok');
    const vm = bed.store.get(bed.store.typeOfKind('kubevirt.io/v1', 'VirtualMachine'), 'default', 'vm1') as VirtualMachineObject;
    expect(vm.spec?.runStrategy).toBe('Halted');
    expect(await cluster.vmAction('default', 'vm1', 'stop')).toBe('conflict');
    expect(await cluster.vmAction('default', 'vm1', 'start')).toBe('ok');
  });

  it('reads etcd members through exec and sends move-leader to the leader endpoint', async () => {
    const { cluster } = await bed.connect();
    const members = await cluster.etcdMembers('harv2');
    expect(members.map((m) => [m.endpoint, m.memberId, m.isLeader])).toEqual([
      ['https://10.0.0.1:2379', 'c70780b7862269c9', true],
      ['https://10.0.0.2:2379', 'db04095b49eb5352', false],
    ]);
    await cluster.etcdMoveLeader('harv1', 'db04095b49eb5352');
    expect(bed.etcd.moves).toEqual([['--endpoints', 'https://10.0.0.1:2379', 'move-leader', 'db04095b49eb5352', '--cacert', '--cert', '--key']]);
    expect((await cluster.etcdMembers('harv1')).find((m) => m.isLeader)?.endpoint).toBe('https://10.0.0.2:2379');
    const execs = bed.recorder.records.filter((r) => r.verb === 'exec');
    expect(execs.every((r) => r.path.startsWith('/api/v1/namespaces/kube-system/pods/etcd-') && r.status === 101)).toBe(true);
  });

  it('etcdctl failures carry etcd\'s own message', async () => {
    const { cluster } = await bed.connect();
    await expect(cluster.etcdctl('harv1', ['defrag'])).rejects.toThrow(/^etcdctl defrag in kube-system\/etcd-harv1 failed: Error: unknown command "defrag /);
  });

  it('exec into a missing pod fails with a mapped error', async () => {
    const { cluster } = await bed.connect();
    await expect(cluster.exec('kube-system', 'etcd-nowhere', 'etcd', ['true'])).rejects.toBeInstanceOf(FatalError);
  });

  it('downloads a non-Kubernetes route into a private file', async () => {
    bed.api.addRoute('GET', /^\/v1\/harvester\/supportbundles\/([^/]+)\/download$/, (_req, res, m) => {
      res.writeHead(200, { 'Content-Type': 'application/zip' });
      res.end(Buffer.alloc(70_000, m[1]!.length));
    });
    const { cluster } = await bed.connect();
    const file = join(bed.dir, 'bundle.zip');
    expect(await cluster.downloadSupportBundle('b1', file)).toEqual({ bytes: 70_000 });
    expect((await readFile(file)).length).toBe(70_000);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('reviews access with SelfSubjectAccessReview', async () => {
    const { cluster } = await bed.connect();
    const checks = await cluster.accessReview([{ group: '', resource: 'pods/exec', verbs: ['create'], namespace: 'kube-system' }]);
    expect(checks).toEqual([{ group: '', resource: 'pods/exec', verb: 'create', namespace: 'kube-system', allowed: true, ...(checks[0]?.reason ? { reason: checks[0].reason } : {}) }]);
  });

  it('every request takes a QPS token first: REST, watch, exec and download alike', async () => {
    const { cluster } = await bed.connect();
    const take = vi.spyOn(cluster.transport.bucket, 'take');
    const start = bed.recorder.records.length;
    await cluster.list('Node');
    const inf = cluster.cache('Node');
    await inf.synced();
    await until(() => bed.recorder.records.slice(start).some((r) => r.verb === 'watch'));
    await cluster.etcdMembers('harv1');
    await cluster.download('/v1/harvester/supportbundles/b2/download', join(bed.dir, 'b2.zip'));
    const made = bed.recorder.records.slice(start);
    expect(new Set(made.map((r) => r.verb))).toEqual(new Set(['list', 'watch', 'exec', 'download']));
    expect(take).toHaveBeenCalledTimes(made.length);
  });

  it('reachable() follows the server', async () => {
    const { cluster } = await bed.connect();
    expect(await cluster.reachable()).toBe(true);
  });
});

describe('errors a user sees', () => {
  it('a user without permission gets verb, resource and namespace named', async () => {
    const bed = await startBed({
      rbac: true,
      users: [{ name: 'viewer', token: 'viewer-token-123', rules: [{ apiGroups: [''], resources: ['nodes', 'namespaces'], verbs: ['get', 'list'] }, { apiGroups: ['harvesterhci.io', 'kubevirt.io', 'longhorn.io'], resources: ['*'], verbs: ['get', 'list'] }] }],
    });
    try {
      const kc = join(bed.dir, 'viewer');
      await bed.api.writeKubeconfig(kc, { user: 'viewer' });
      const { cluster } = await connect({ kubeconfig: kc, env: {} });
      await expect(cluster.list('Pod', { namespace: 'kube-system' })).rejects.toThrow('forbidden: user "viewer" may not list pods in namespace "kube-system"');
      await expect(cluster.scale('Deployment', 'cattle-system', 'rancher', 0)).rejects.toThrow(/may not patch deployments\.apps\/scale "rancher" in namespace "cattle-system"/);
      const checks = await cluster.accessReview([{ group: 'apps', resource: 'deployments/scale', verbs: ['patch'], namespace: 'cattle-system' }, { group: '', resource: 'nodes', verbs: ['list'] }]);
      expect(checks.map((c) => [c.resource, c.allowed])).toEqual([['nodes', true], ['deployments/scale', false]]);
      cluster.close();
    } finally {
      await bed.close();
    }
  });

  it('a cluster without the Harvester APIs is refused, naming what is missing', async () => {
    const bed = await startBed({ store: harvesterStore({ harvester: false }) });
    try {
      const err = await bed.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PreflightError);
      expect((err as Error).message).toBe(`not a Harvester cluster: the API server at ${bed.api.url} serves no harvesterhci.io, kubevirt.io, longhorn.io API groups`);
    } finally {
      await bed.close();
    }
  });

  it('an unreachable server is named', async () => {
    const bed = await startBed();
    const url = bed.api.url;
    await bed.api.setReachability('refused');
    try {
      const err = await bed.connect().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnreachableError);
      expect((err as Error).message).toMatch(new RegExp(`^cannot reach the Kubernetes API at ${url.replace(/[.]/g, '\\.')}: connection refused`));
    } finally {
      await bed.close();
    }
  });

  it('a server whose certificate the kubeconfig does not trust is a TLS usage error', async () => {
    const a = await startBed();
    const b = await startBed();
    try {
      // b's kubeconfig (b's CA and token) pointed at a's address.
      const text = (await readFile(b.kubeconfig, 'utf8')).replace(b.api.url, a.api.url);
      const kc = join(b.dir, 'wrong-ca');
      await import('node:fs/promises').then((fs) => fs.writeFile(kc, text, { mode: 0o600 }));
      const err = await connect({ kubeconfig: kc, env: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/^TLS verification of the API server at https:\/\/127\.0\.0\.1:\d+ failed/);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a server slower than --request-timeout is unreachable, named, and recorded as a timeout', async () => {
    const bed = await startBed();
    try {
      const { cluster } = await bed.connect();
      bed.api.faults.latencyMs = 2_000;
      const slow = await connect({ kubeconfig: bed.kubeconfig, env: {}, requestTimeoutMs: 200, recorder: bed.recorder }).catch((e: unknown) => e);
      expect(slow).toBeInstanceOf(UnreachableError);
      expect((slow as Error).message).toBe(`cannot reach the Kubernetes API at ${bed.api.url}: no answer within the request timeout (get /version)`);
      expect(bed.recorder.records.at(-1)).toMatchObject({ path: '/version', status: 0, error: 'REQUEST_TIMEOUT' });
      bed.api.faults.latencyMs = 0;
      expect(await cluster.reachable()).toBe(true);
    } finally {
      await bed.close();
    }
  });

  it('an unknown token is a credentials error', async () => {
    const bed = await startBed();
    try {
      const text = (await readFile(bed.kubeconfig, 'utf8')).replace(bed.api.adminToken, 'not-a-real-token');
      const kc = join(bed.dir, 'bad-token');
      await import('node:fs/promises').then((fs) => fs.writeFile(kc, text, { mode: 0o600 }));
      const err = await connect({ kubeconfig: kc, env: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(/rejected the kubeconfig's credentials \(401 Unauthorized\)/);
      expect((err as Error).message).not.toContain('not-a-real-token');
    } finally {
      await bed.close();
    }
  });
});
