// PATCH through client-node with each Content-Type, the scale subresource, and the
// errors kube-apiserver gives for unsupported or failing patches.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put, raw, startTwin, vm, type Twin } from './fixture.js';

let twin: Twin;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  twin = await startTwin();
  core = twin.kc.makeApiClient(CoreV1Api);
  apps = twin.kc.makeApiClient(AppsV1Api);
});
afterAll(() => twin.close());

const as = (strategy: PatchStrategy) => setHeaderOptions('Content-Type', strategy);

describe('patch types', () => {
  it('merge patch: sets and removes annotations (the seed\'s scale-available edit)', async () => {
    const out = await apps.patchNamespacedDeployment(
      { namespace: 'cattle-system', name: 'rancher', body: { metadata: { annotations: { 'management.cattle.io/scale-available': '' } } } },
      as(PatchStrategy.MergePatch),
    );
    expect(out.metadata?.annotations?.['management.cattle.io/scale-available']).toBe('');
    const removed = await apps.patchNamespacedDeployment(
      { namespace: 'cattle-system', name: 'rancher', body: { metadata: { annotations: { 'management.cattle.io/scale-available': null } } } },
      as(PatchStrategy.MergePatch),
    );
    // Its only annotation gone, the empty map is not stored either.
    expect(removed.metadata?.annotations).toBeUndefined();
  });

  it('JSON patch (client-node default): add, replace, test; a failed test is 422', async () => {
    const out = await apps.patchNamespacedDeployment({
      namespace: 'cattle-system',
      name: 'cattle-cluster-agent',
      body: [
        { op: 'test', path: '/spec/replicas', value: 2 },
        { op: 'replace', path: '/spec/replicas', value: 0 },
        { op: 'add', path: '/metadata/labels', value: { 'fallow/x': 'y' } },
      ],
    });
    expect(out.spec?.replicas).toBe(0);
    expect(out.metadata?.labels).toEqual({ 'fallow/x': 'y' });
    const failed = await raw(twin.api, 'PATCH', '/apis/apps/v1/namespaces/cattle-system/deployments/cattle-cluster-agent', {
      body: [{ op: 'test', path: '/spec/replicas', value: 5 }],
      headers: { 'Content-Type': 'application/json-patch+json' },
    });
    expect(failed.status).toBe(422);
    expect(failed.json().message).toContain('test failed');
    const malformed = await raw(twin.api, 'PATCH', '/apis/apps/v1/namespaces/cattle-system/deployments/cattle-cluster-agent', {
      body: { op: 'replace' },
      headers: { 'Content-Type': 'application/json-patch+json' },
    });
    expect(malformed.status).toBe(400);
  });

  it('strategic merge patch merges containers and env by name', async () => {
    const out = await apps.patchNamespacedDeployment(
      {
        namespace: 'cattle-system',
        name: 'rancher',
        body: { spec: { template: { spec: { containers: [{ name: 'rancher', env: [{ name: 'B', value: '2' }, { name: 'A', value: 'changed' }] }] } } } },
      },
      as(PatchStrategy.StrategicMergePatch),
    );
    const c = out.spec?.template.spec?.containers;
    expect(c).toHaveLength(1);
    expect(c?.[0]?.image).toBe('rancher:v1'); // kept: merged, not replaced
    // In the patch's order: kube-apiserver lists the patched items as the patch does.
    expect(c?.[0]?.env).toEqual([
      { name: 'B', value: '2' },
      { name: 'A', value: 'changed' },
    ]);
  });

  it('strategic merge patch on status merges conditions by type', async () => {
    await core.patchNodeStatus(
      { name: 'harv3', body: { status: { conditions: [{ type: 'MemoryPressure', status: 'False' }] } } },
      as(PatchStrategy.StrategicMergePatch),
    );
    const out = await core.patchNodeStatus(
      { name: 'harv3', body: { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] } } },
      as(PatchStrategy.StrategicMergePatch),
    );
    // MemoryPressure was new, so it went first; Ready stays after it.
    expect(out.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['MemoryPressure=False', 'Ready=False']);
    expect(out.status?.addresses).toHaveLength(1);
  });

  it('main-resource patches cannot change status; /status patches cannot change spec', async () => {
    const main = await core.patchNode({ name: 'harv2', body: { spec: { unschedulable: true }, status: { phase: 'X' } } }, as(PatchStrategy.MergePatch));
    expect(main.spec?.unschedulable).toBe(true);
    expect(main.status?.phase).toBeUndefined();
    const status = await core.patchNodeStatus({ name: 'harv2', body: { spec: { unschedulable: false }, status: { phase: 'Running' } } }, as(PatchStrategy.MergePatch));
    expect(status.spec?.unschedulable).toBe(true);
    expect(status.status?.phase).toBe('Running');
  });

  it('custom resources take merge and JSON patches but answer 415 to strategic merge', async () => {
    put(twin.store, vm('default', 'vm-p', 'Always'));
    const custom = twin.kc.makeApiClient(CustomObjectsApi);
    const out = (await custom.patchNamespacedCustomObject(
      { group: 'kubevirt.io', version: 'v1', namespace: 'default', plural: 'virtualmachines', name: 'vm-p', body: { spec: { runStrategy: 'Halted' } } },
      as(PatchStrategy.MergePatch),
    )) as { spec: { runStrategy: string } };
    expect(out.spec.runStrategy).toBe('Halted');
    const smp = await raw(twin.api, 'PATCH', '/apis/kubevirt.io/v1/namespaces/default/virtualmachines/vm-p', {
      body: { spec: { runStrategy: 'Always' } },
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    });
    expect(smp.status).toBe(415);
    expect(smp.json()).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 });
    expect(String(smp.json().message)).toContain('application/json-patch+json, application/merge-patch+json');
    const plain = await raw(twin.api, 'PATCH', '/api/v1/namespaces/default/configmaps/x', { body: {}, headers: { 'Content-Type': 'text/plain' } });
    expect(plain.status).toBe(415);
  });

  it('a patch carrying a stale resourceVersion is a 409 Conflict', async () => {
    const res = await raw(twin.api, 'PATCH', '/apis/apps/v1/namespaces/cattle-system/deployments/rancher', {
      body: { metadata: { resourceVersion: '1' }, spec: { replicas: 9 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(res.status).toBe(409);
    expect(res.json().reason).toBe('Conflict');
  });
});

describe('scale subresource', () => {
  it('reads an autoscaling/v1 Scale with the selector string', async () => {
    const s = await apps.readNamespacedDeploymentScale({ namespace: 'cattle-system', name: 'rancher' });
    expect(s.kind).toBe('Scale');
    expect(s.apiVersion).toBe('autoscaling/v1');
    expect(s.status?.selector).toBe('app=rancher');
    expect(s.spec?.replicas).toBe(3);
  });

  it('patches and replaces spec.replicas only', async () => {
    const patched = await apps.patchNamespacedDeploymentScale({ namespace: 'cattle-system', name: 'rancher', body: { spec: { replicas: 0 } } }, as(PatchStrategy.MergePatch));
    expect(patched.spec).toEqual({}); // autoscaling/v1 omits replicas: 0
    expect((await apps.readNamespacedDeployment({ namespace: 'cattle-system', name: 'rancher' })).spec?.replicas).toBe(0);
    const cur = await apps.readNamespacedDeploymentScale({ namespace: 'cattle-system', name: 'rancher' });
    const replaced = await apps.replaceNamespacedDeploymentScale({ namespace: 'cattle-system', name: 'rancher', body: { ...cur, spec: { replicas: 3 } } });
    expect(replaced.spec?.replicas).toBe(3);
    const stale = await raw(twin.api, 'PUT', '/apis/apps/v1/namespaces/cattle-system/deployments/rancher/scale', { body: { ...cur, spec: { replicas: 1 } } });
    expect(stale.status).toBe(409);
    const negative = await raw(twin.api, 'PATCH', '/apis/apps/v1/namespaces/cattle-system/deployments/rancher/scale', {
      body: { spec: { replicas: -1 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(negative.status).toBe(422);
    expect((await raw(twin.api, 'GET', '/apis/apps/v1/namespaces/cattle-system/daemonsets/x/scale')).status).toBe(404);
  });
});
