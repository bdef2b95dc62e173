// Table answers (what kubectl get prints) for built-in kinds and CRD printer columns,
// plus the JSONPath subset and kubectl's human durations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { age, humanDuration } from '../../../src/twin/apiserver/table/duration.js';
import { findResults } from '../../../src/twin/apiserver/table/jsonpath.js';
import type { KObject } from '../../../src/twin/store/types.js';
import { pod, put, raw, startTwin, tableAccept, vm, vmi, type Twin } from './fixture.js';

interface Table {
  kind: string;
  columnDefinitions: { name: string; priority: number }[];
  rows: { cells: unknown[]; object?: { kind: string; metadata: { name: string; namespace?: string } } }[];
  metadata: { resourceVersion: string; continue?: string };
}

let twin: Twin;
beforeAll(async () => {
  twin = await startTwin();
});
afterAll(() => twin.close());

async function table(path: string): Promise<{ headers: string[]; rows: Record<string, unknown>[]; raw: Table }> {
  const res = await raw(twin.api, 'GET', path, { headers: { Accept: tableAccept } });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toContain('as=Table');
  const t = res.json() as unknown as Table;
  expect(t).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
  const headers = t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name);
  const rows = t.rows.map((r) => Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name, r.cells[i]])));
  return { headers, rows, raw: t };
}

describe('built-in tables', () => {
  it('nodes: NAME STATUS ROLES AGE VERSION, roles from labels, <none> without', async () => {
    const t = await table('/api/v1/nodes');
    expect(t.headers).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version']);
    expect(t.rows.map((r) => [r.Name, r.Status, r.Roles, r.Version])).toEqual([
      ['harv1', 'Ready', 'control-plane,etcd,master', 'v1.30.9+rke2r1'],
      ['harv2', 'Ready', 'control-plane,etcd,master', 'v1.30.9+rke2r1'],
      ['harv3', 'Ready', '<none>', 'v1.30.9+rke2r1'],
    ]);
    expect(t.rows[0]!['Internal-IP']).toBe('10.0.0.1');
    expect(t.raw.rows[0]!.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: 'harv1' } });
  });

  it('nodes: NotReady and SchedulingDisabled', async () => {
    const nodes = twin.store.typeFor('', 'v1', 'nodes')!;
    const n = twin.store.get(nodes, undefined, 'harv3');
    twin.store.update(nodes, { ...n, spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
    twin.store.update(nodes, { ...twin.store.get(nodes, undefined, 'harv3'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, { subresource: 'status' });
    const t = await table('/api/v1/nodes/harv3');
    expect(t.rows[0]!.Status).toBe('NotReady,SchedulingDisabled');
  });

  it('pods: READY, STATUS (Terminating, CrashLoopBackOff, Pending), RESTARTS with "ago"', async () => {
    const crash = pod('default', 'crash-1', 'harv1');
    crash.status = {
      phase: 'Running',
      containerStatuses: [{ name: 'main', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { finishedAt: new Date(Date.now() - 90_000).toISOString() } } }],
    };
    put(twin.store, crash);
    put(twin.store, pod('default', 'term-1', 'harv1'));
    twin.store.delete(twin.store.typeFor('', 'v1', 'pods')!, 'default', 'term-1');
    const t = await table('/api/v1/namespaces/default/pods');
    expect(t.headers).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    const byName = Object.fromEntries(t.rows.map((r) => [r.Name, r]));
    expect(byName['crash-1']).toMatchObject({ Ready: '0/1', Status: 'CrashLoopBackOff', Restarts: '4 (90s ago)' });
    expect(byName['term-1']).toMatchObject({ Ready: '1/1', Status: 'Terminating', Restarts: '0' });
    expect(byName['pending-pod']).toMatchObject({ Ready: '0/1', Status: 'ContainerCreating', Node: '<none>' });
  });

  it('pods across namespaces carry metadata for kubectl\'s NAMESPACE column', async () => {
    const t = await table('/api/v1/pods');
    expect(t.raw.rows.map((r) => r.object?.metadata.namespace)).toContain('kube-system');
  });

  it('deployments: READY UP-TO-DATE AVAILABLE', async () => {
    const t = await table('/apis/apps/v1/namespaces/cattle-system/deployments');
    expect(t.headers).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    expect(t.rows.find((r) => r.Name === 'rancher')).toMatchObject({ Ready: '3/3', 'Up-to-date': 3, Available: 3 });
  });

  it('services: TYPE CLUSTER-IP EXTERNAL-IP PORT(S) for the VIP LoadBalancer', async () => {
    put(twin.store, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ingress-expose', namespace: 'kube-system' },
      spec: { type: 'LoadBalancer', clusterIP: '10.53.10.10', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }, { port: 80, nodePort: 31080, protocol: 'TCP' }] },
      status: { loadBalancer: { ingress: [{ ip: '192.168.1.100' }] } },
    });
    put(twin.store, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'pending-lb', namespace: 'kube-system' }, spec: { type: 'LoadBalancer', clusterIP: '10.53.10.11', ports: [] } });
    const t = await table('/api/v1/namespaces/kube-system/services');
    expect(t.headers).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age']);
    expect(t.rows.find((r) => r.Name === 'ingress-expose')).toMatchObject({ Type: 'LoadBalancer', 'Cluster-IP': '10.53.10.10', 'External-IP': '192.168.1.100', 'Port(s)': '443:31443/TCP,80:31080/TCP' });
    expect(t.rows.find((r) => r.Name === 'pending-lb')).toMatchObject({ 'External-IP': '<pending>', 'Port(s)': '<none>' });
  });

  it('configmaps and namespaces', async () => {
    put(twin.store, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vip', namespace: 'harvester-system' }, data: { ip: '1', mode: 'static' } });
    expect((await table('/api/v1/namespaces/harvester-system/configmaps')).rows[0]).toMatchObject({ Name: 'vip', Data: 2 });
    expect((await table('/api/v1/namespaces')).rows.find((r) => r.Name === 'kube-system')).toMatchObject({ Status: 'Active' });
  });

  it('pages tables like lists', async () => {
    const t = await table('/api/v1/nodes?limit=2');
    expect(t.rows).toHaveLength(2);
    expect(t.raw.metadata.continue).toBeTruthy();
  });
});

describe('CRD tables', () => {
  it('VMIs: Age Phase IP NodeName Ready, filters on conditions', async () => {
    put(twin.store, vmi('default', 'vm-a'));
    const t = await table('/apis/kubevirt.io/v1/virtualmachineinstances');
    expect(t.headers).toEqual(['Name', 'Age', 'Phase', 'IP', 'NodeName', 'Ready']);
    expect(t.rows[0]).toMatchObject({ Name: 'vm-a', Phase: 'Running', IP: '10.52.0.10', NodeName: 'harv1', Ready: 'True', 'Live-Migratable': 'False' });
    expect(String(t.rows[0]!.Age)).toMatch(/^\d+s$/);
  });

  it('missing values are null (kubectl prints <none>), booleans stay booleans', async () => {
    put(twin.store, vm('default', 'vm-b', 'Halted'));
    put(twin.store, { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Addon', metadata: { name: 'rancher-logging', namespace: 'cattle-monitoring-system' }, spec: { enabled: false, chart: 'rancher-logging' } });
    const vms = await table('/apis/kubevirt.io/v1/namespaces/default/virtualmachines');
    expect(vms.rows[0]).toMatchObject({ Name: 'vm-b', Status: 'Stopped', Ready: 'False' });
    const addons = await table('/apis/harvesterhci.io/v1beta1/addons');
    expect(addons.headers).toEqual(['Name', 'HelmRepo', 'ChartName', 'Enabled']);
    expect(addons.rows[0]).toMatchObject({ HelmRepo: null, ChartName: 'rancher-logging', Enabled: false });
  });

  it('customresourcedefinitions list with NAME and CREATED AT', async () => {
    const t = await table('/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    expect(t.headers).toEqual(['Name', 'Created At']);
    expect(t.rows.map((r) => r.Name)).toContain('volumes.longhorn.io');
  });
});

describe('JSONPath subset', () => {
  const obj: KObject = {
    apiVersion: 'v1',
    kind: 'X',
    metadata: { name: 'x' },
    status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Scheduled', status: 'False' }], interfaces: [{ ipAddress: 'a' }, { ipAddress: 'b' }] },
  };
  it.each([
    ['.metadata.name', ['x']],
    [".status.conditions[?(@.type=='Scheduled')].status", ['False']],
    ['.status.conditions[?(@.type!="Ready")].type', ['Scheduled']],
    ['.status.interfaces[0].ipAddress', ['a']],
    ['.status.interfaces[-1].ipAddress', ['b']],
    ['.status.interfaces[*].ipAddress', ['a', 'b']],
    ['{.status.missing.x}', []],
    [".status.conditions[?(@.type=='Nope')].status", []],
  ])('%s', (expr, want) => {
    expect(findResults(obj, expr)).toEqual(want);
  });
});

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [-1500, '0s'],
    [-5000, '<invalid>'],
    [59_000, '59s'],
    [119_000, '119s'],
    [150_000, '2m30s'],
    [600_000, '10m'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [10 * 3600_000, '10h'],
    [50 * 3600_000, '2d2h'],
    [30 * 86400_000, '30d'],
    [800 * 86400_000, '2y70d'],
    [9 * 365 * 86400_000, '9y'],
  ])('%i ms → %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
  it('reads timestamps', () => {
    expect(age(undefined, 0)).toBe('<unknown>');
    expect(age('2024-01-01T00:00:00Z', Date.parse('2024-01-01T00:01:00Z'))).toBe('60s');
  });
});
