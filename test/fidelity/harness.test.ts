// The fidelity bed itself: it comes up with the pinned versions and the twin's CRDs, the
// real controllers run, the apiserver can go away and come back, and HttpTwinApi (the
// twin controllers' client for a real apiserver) lists, patches and keeps watching
// across that outage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTwinApi } from '../../src/twin/http-api.js';
import { crdTypes } from '../../src/twin/resources.js';
import { StatusError } from '../../src/twin/store/errors.js';
import type { KObject, WatchEvent } from '../../src/twin/store/types.js';
import { crdName } from './crds.js';
import { startFidelityBed, type FidelityBed } from './harness.js';

let bed: FidelityBed;

beforeAll(async () => {
  bed = await startFidelityBed({ users: [{ name: 'operator', groups: [] }] });
});

afterAll(async () => {
  await bed?.stop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('fidelity bed', () => {
  it('serves the pinned Kubernetes version, and kubectl is the same version', async () => {
    const v = await bed.client.json<{ gitVersion: string }>('GET', '/version');
    expect(v.gitVersion).toBe('v1.34.4');
    const out = await bed.kubectl(['version', '-o', 'json']);
    expect(out.code).toBe(0);
    const parsed = JSON.parse(out.stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
    expect(parsed.clientVersion.gitVersion).toBe('v1.34.4');
    expect(parsed.serverVersion.gitVersion).toBe('v1.34.4');
  });

  it('has every CRD of the twin catalogue established, with its printer columns', async () => {
    const out = await bed.kubectl(['get', 'crd', '-o', 'name']);
    expect(out.code).toBe(0);
    const names = out.stdout.trim().split('\n').map((l) => l.replace(/^customresourcedefinition\.apiextensions\.k8s\.io\//, ''));
    expect(names.sort()).toEqual(crdTypes.map(crdName).sort());
    const res = await bed.kubectl(['api-resources', '--api-group=longhorn.io', '-o', 'name']);
    expect(res.stdout.split('\n').filter(Boolean).sort()).toEqual(['nodes.longhorn.io', 'replicas.longhorn.io', 'volumes.longhorn.io']);
  });

  it('enforces RBAC: a user is forbidden until a RoleBinding grants the verb', async () => {
    await bed.client.json('POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vip' }, data: { ip: '192.168.122.144' } } });
    const before = await bed.kubectl(['get', 'configmaps', '-n', 'default'], { user: 'operator' });
    expect(before.code).not.toBe(0);
    expect(before.stderr).toMatch(/User "operator" cannot list resource "configmaps" in API group "" in the namespace "default"/);
    await bed.client.json('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'read-cm' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] },
    });
    await bed.client.json('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', {
      body: {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'operator-read-cm' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-cm' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'operator' }],
      },
    });
    const after = await until('the binding to take effect', async () => {
      const r = await bed.kubectl(['get', 'configmaps', '-n', 'default'], { user: 'operator' });
      return r.code === 0 ? r : undefined;
    });
    expect(after.stdout).toMatch(/^vip\s+1\s+/m);
    const other = await bed.kubectl(['get', 'configmaps', '-n', 'kube-system'], { user: 'operator' });
    expect(other.stderr).toMatch(/forbidden/);
  });

  it('runs the real Deployment and ReplicaSet controllers', async () => {
    await bed.client.json('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'cattle-system' } } });
    await bed.client.json('POST', '/apis/apps/v1/namespaces/cattle-system/deployments', {
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'rancher' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'rancher' } },
          template: { metadata: { labels: { app: 'rancher' } }, spec: { containers: [{ name: 'rancher', image: 'rancher/rancher:v2.8' }] } },
        },
      },
    });
    const rs = await until('a ReplicaSet owned by the deployment', async () => {
      const l = await bed.client.json<{ items: KObject[] }>('GET', '/apis/apps/v1/namespaces/cattle-system/replicasets?labelSelector=app%3Drancher');
      return l.items[0];
    });
    expect(rs.metadata.ownerReferences?.[0]?.kind).toBe('Deployment');
    const pods = await until('two pods of the ReplicaSet', async () => {
      const l = await bed.client.json<{ items: KObject[] }>('GET', '/api/v1/namespaces/cattle-system/pods?labelSelector=app%3Drancher');
      return l.items.length === 2 ? l.items : undefined;
    });
    expect(pods.every((p) => p.metadata.ownerReferences?.[0]?.name === rs.metadata.name)).toBe(true);
  });

  it('stops and restarts kube-apiserver; HttpTwinApi keeps its watch across the outage', async () => {
    const api = new HttpTwinApi(bed.endpointFor('fallow-twin'), { maxBackoffMs: 300 });
    const ref = { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting' };
    await api.create({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: 'ntp-servers' }, value: '{"ntpServers":["0.pool"]}' });
    const seen: WatchEvent[] = [];
    const stop = await api.watch(ref, {}, (ev) => seen.push(ev));
    try {
      expect(seen.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'ntp-servers']]);

      await bed.stopApiServer();
      expect(bed.apiServerRunning).toBe(false);
      await expect(api.list(ref)).rejects.toThrow();
      await bed.startApiServer();

      await api.patch(ref, undefined, 'ntp-servers', { value: '{"ntpServers":["1.pool"]}' });
      await api.create({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: 'http-proxy' }, value: '{}' });
      await until('the watch to see both changes', async () => (seen.length >= 3 ? true : undefined));
      // Order depends on whether the watch resumed or (after 410 from the restarted
      // apiserver's fresh watch cache) relisted; both changes must arrive either way.
      expect(seen.slice(1).map((e) => [e.type, e.object.metadata.name]).sort()).toEqual([
        ['ADDED', 'http-proxy'],
        ['MODIFIED', 'ntp-servers'],
      ]);
    } finally {
      stop();
      api.close();
    }
  });

  it('takes kube-controller-manager down and up with the apiserver; the fresh one reconciles what changed meanwhile', async () => {
    const before = bed.controllerManagerPid;
    expect(before).toBeDefined();
    await bed.stopControlPlane();
    expect(bed.apiServerRunning).toBe(false);
    expect(bed.controllerManagerPid).toBeUndefined();
    await bed.startControlPlane();
    expect(bed.apiServerRunning).toBe(true);
    const after = bed.controllerManagerPid;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    await bed.client.json('PATCH', '/apis/apps/v1/namespaces/cattle-system/deployments/rancher', { body: { spec: { replicas: 3 } }, contentType: 'application/merge-patch+json' });
    await until('a third rancher pod', async () => {
      const l = await bed.client.json<{ items: KObject[] }>('GET', '/api/v1/namespaces/cattle-system/pods?labelSelector=app%3Drancher');
      return l.items.length === 3 ? l.items : undefined;
    });
  });

  it('HttpTwinApi answers like LocalTwinApi: undefined for a missing get, StatusError 409 for a stale update', async () => {
    const api = new HttpTwinApi(bed.endpointFor('fallow-twin'));
    try {
      const ref = { apiVersion: 'v1', kind: 'ConfigMap' };
      expect(await api.get(ref, 'default', 'absent')).toBeUndefined();
      const created = await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'default' }, data: { a: '1' } });
      await api.patch(ref, 'default', 'c1', { data: { a: '2' } });
      const err = await api.update({ ...created, data: { a: '3' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StatusError);
      expect((err as StatusError).code).toBe(409);
      expect((err as StatusError).reason).toBe('Conflict');
      const listed = await api.list(ref, { namespace: 'default', fieldSelector: 'metadata.name=c1' });
      expect(listed.map((o) => [o.kind, o.apiVersion, (o as { data?: Record<string, string> }).data?.a])).toEqual([['ConfigMap', 'v1', '2']]);
      await api.delete(ref, 'default', 'c1');
      expect(await api.get(ref, 'default', 'c1')).toBeUndefined();
    } finally {
      api.close();
    }
  });
});
