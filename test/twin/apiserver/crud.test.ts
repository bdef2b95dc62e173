// CRUD through @kubernetes/client-node and raw HTTPS: objects, lists, selectors,
// pagination, status subresource, namespaces, dry-run, errors shaped like kube-apiserver's.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pod, put, raw, startTwin, vm, type Twin } from './fixture.js';

let twin: Twin;
let core: CoreV1Api;

beforeAll(async () => {
  twin = await startTwin();
  core = twin.kc.makeApiClient(CoreV1Api);
});
afterAll(() => twin.close());

/** The HTTP code and parsed Status of a rejected client-node call. */
async function failure(p: Promise<unknown>): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: number; body?: unknown };
    const body = typeof err.body === 'string' ? (JSON.parse(err.body) as Record<string, unknown>) : (err.body as Record<string, unknown>);
    return { code: err.code ?? 0, status: body };
  }
  throw new Error('expected the call to fail');
}

describe('reads', () => {
  it('gets one object and lists a namespace and all namespaces', async () => {
    const p = await core.readNamespacedPod({ namespace: 'kube-system', name: 'etcd-harv1' });
    expect(p.spec?.nodeName).toBe('harv1');
    const inNs = await core.listNamespacedPod({ namespace: 'cattle-system' });
    expect(inNs.items.map((i) => i.metadata?.name)).toEqual(['rancher-abc', 'rancher-def']);
    const all = await core.listPodForAllNamespaces();
    expect(all.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`)).toEqual([
      'cattle-system/rancher-abc',
      'cattle-system/rancher-def',
      'default/pending-pod',
      'kube-system/etcd-harv1',
    ]);
    expect(Number(all.metadata?.resourceVersion)).toBeGreaterThan(0);
    const nodes = await core.listNode();
    expect(nodes.items).toHaveLength(3);
  });

  it('answers 404 as a NotFound Status naming the object', async () => {
    const f = await failure(core.readNamespacedPod({ namespace: 'default', name: 'nope' }));
    expect(f.code).toBe(404);
    expect(f.status).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'pods "nope" not found', code: 404, details: { name: 'nope', kind: 'pods' } });
    const g = await raw(twin.api, 'GET', '/apis/apps/v1/namespaces/cattle-system/deployments/nope');
    expect(g.json().message).toBe('deployments.apps "nope" not found');
    expect((await raw(twin.api, 'GET', '/apis/nothing.io/v1/things')).status).toBe(404);
  });

  it('filters by label and field selectors', async () => {
    const byLabel = await core.listPodForAllNamespaces({ labelSelector: 'app=rancher' });
    expect(byLabel.items).toHaveLength(2);
    const byField = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=harv1' });
    expect(byField.items.map((i) => i.metadata?.name).sort()).toEqual(['etcd-harv1', 'rancher-abc']);
    const setBased = await core.listPodForAllNamespaces({ labelSelector: 'app in (etcd,pending)' });
    expect(setBased.items.map((i) => i.metadata?.name).sort()).toEqual(['etcd-harv1', 'pending-pod']);
    const bad = await raw(twin.api, 'GET', '/api/v1/pods?labelSelector=' + encodeURIComponent('a b c'));
    expect(bad.status).toBe(400);
  });

  it('accepts only the field labels kube-apiserver supports for the kind', async () => {
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'status.phase!=Running,metadata.namespace=default' })).items.map((i) => i.metadata?.name)).toEqual(['pending-pod']);
    const crd = await raw(twin.api, 'GET', '/apis/kubevirt.io/v1/virtualmachineinstances?fieldSelector=status.phase%3DRunning');
    expect(crd.status).toBe(400);
    expect(crd.json().message).toBe('field label not supported: status.phase');
    expect((await raw(twin.api, 'GET', '/apis/kubevirt.io/v1/virtualmachineinstances?fieldSelector=metadata.name%3Dx')).status).toBe(200);
    expect((await raw(twin.api, 'GET', '/api/v1/nodes?fieldSelector=spec.unschedulable%3Dtrue')).status).toBe(200);
    expect((await raw(twin.api, 'GET', '/api/v1/nodes?watch=1&fieldSelector=status.phase%3Dx')).status).toBe(400);
  });

  it('answers 406 when the client accepts no JSON', async () => {
    const res = await raw(twin.api, 'GET', '/api/v1/nodes', { headers: { Accept: 'application/vnd.kubernetes.protobuf' } });
    expect(res.status).toBe(406);
    expect(res.json().reason).toBe('NotAcceptable');
    expect((await raw(twin.api, 'GET', '/api/v1/nodes', { headers: { Accept: 'application/vnd.kubernetes.protobuf, */*' } })).status).toBe(200);
  });

  it('pages with limit and continue, keeping the first page resourceVersion', async () => {
    for (let i = 0; i < 7; i++) put(twin.store, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `page-${i}`, namespace: 'default' }, data: { i: String(i) } });
    const names: string[] = [];
    let cont: string | undefined;
    let firstRv: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: 'default', limit: 3, _continue: cont });
      pages++;
      firstRv ??= page.metadata?.resourceVersion;
      expect(page.metadata?.resourceVersion).toBe(firstRv);
      names.push(...page.items.map((i) => i.metadata!.name!));
      cont = page.metadata?._continue;
      if (cont) expect(page.metadata?.remainingItemCount).toBe(7 - names.length);
    } while (cont);
    expect(pages).toBe(3);
    expect(names).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
    expect((await raw(twin.api, 'GET', '/api/v1/configmaps?limit=2&continue=garbage')).status).toBe(400);
  });
});

describe('writes', () => {
  it('creates, refuses duplicates, updates with optimistic concurrency and deletes', async () => {
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cm1' }, data: { a: '1' } } });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.metadata?.namespace).toBe('default');
    const dup = await failure(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cm1' } } }));
    expect(dup.code).toBe(409);
    expect(dup.status).toMatchObject({ reason: 'AlreadyExists', message: 'configmaps "cm1" already exists' });

    const updated = await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'cm1', body: { ...created, data: { a: '2' } } });
    expect(updated.data).toEqual({ a: '2' });
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const stale = await failure(core.replaceNamespacedConfigMap({ namespace: 'default', name: 'cm1', body: { ...created, data: { a: '3' } } }));
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');
    expect(String(stale.status.message)).toContain('the object has been modified');

    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'cm1' });
    expect((await failure(core.readNamespacedConfigMap({ namespace: 'default', name: 'cm1' }))).code).toBe(404);
  });

  it('validates names, URL/body agreement and the namespace', async () => {
    const badName = await failure(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'Bad_Name' } } }));
    expect(badName.code).toBe(422);
    expect(badName.status.reason).toBe('Invalid');
    expect(String(badName.status.message)).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value/);
    const noNs = await failure(core.createNamespacedConfigMap({ namespace: 'missing-ns', body: { metadata: { name: 'x' } } }));
    expect(noNs.code).toBe(404);
    expect(noNs.status.message).toBe('namespaces "missing-ns" not found');
    const mismatch = await raw(twin.api, 'PUT', '/api/v1/namespaces/default/configmaps/a', { body: { metadata: { name: 'b' } } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json().message).toBe('the name of the object (b) does not match the name on the URL (a)');
    const wrongKind = await raw(twin.api, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } } });
    expect(wrongKind.status).toBe(400);
    const notJson = await raw(twin.api, 'POST', '/api/v1/namespaces/default/configmaps', { body: '{nope' });
    expect(notJson.status).toBe(400);
  });

  it('generates names and drops status on create for kinds with a status subresource', async () => {
    const p = await core.createNamespacedPod({ namespace: 'default', body: { metadata: { generateName: 'gen-' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running' } } as V1Pod });
    expect(p.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
    // The creator's status is dropped; a new pod starts Pending, with its QoS class.
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('writes status only through /status and keeps status on main-resource updates', async () => {
    const p = await core.readNamespacedPod({ namespace: 'cattle-system', name: 'rancher-abc' });
    const withStatus = await core.replaceNamespacedPodStatus({ namespace: 'cattle-system', name: 'rancher-abc', body: { ...p, spec: { ...p.spec!, nodeName: 'elsewhere' }, status: { ...p.status, podIP: '10.1.1.1' } } });
    expect(withStatus.status?.podIP).toBe('10.1.1.1');
    expect(withStatus.spec?.nodeName).toBe('harv1'); // spec untouched by /status
    const main = await core.replaceNamespacedPod({ namespace: 'cattle-system', name: 'rancher-abc', body: { ...withStatus, metadata: { ...withStatus.metadata, labels: { app: 'rancher', x: 'y' } }, status: { phase: 'Failed' } } });
    expect(main.status?.phase).toBe('Running');
    expect(main.metadata?.labels?.x).toBe('y');
  });

  it('requires resourceVersion on custom resource updates', async () => {
    put(twin.store, vm('default', 'vm-rv', 'Always'));
    const res = await raw(twin.api, 'PUT', '/apis/kubevirt.io/v1/namespaces/default/virtualmachines/vm-rv', { body: vm('default', 'vm-rv', 'Halted') });
    expect(res.status).toBe(422);
    expect(res.json().message).toContain('metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
  });

  it('stores nothing on dryRun=All', async () => {
    const before = twin.store.resourceVersion;
    const res = await raw(twin.api, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: { metadata: { name: 'dry' } } });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'dry', namespace: 'default' } });
    const del = await raw(twin.api, 'DELETE', '/api/v1/namespaces/kube-system/pods/etcd-harv1?dryRun=All');
    expect(del.status).toBe(200);
    const patch = await raw(twin.api, 'PATCH', '/apis/apps/v1/namespaces/cattle-system/deployments/rancher?dryRun=All', {
      body: { spec: { replicas: 0 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect((patch.json().spec as { replicas: number }).replicas).toBe(0);
    expect(twin.store.resourceVersion).toBe(before);
  });
});

describe('delete', () => {
  it('deletes a bound pod gracefully (Terminating), then at once with gracePeriodSeconds=0', async () => {
    put(twin.store, pod('default', 'victim-1', 'harv1'));
    const first = (await core.deleteNamespacedPod({ namespace: 'default', name: 'victim-1' })) as unknown as V1Pod;
    expect(first.metadata?.deletionTimestamp).toBeTruthy();
    expect(first.metadata?.deletionGracePeriodSeconds).toBe(30);
    const still = await core.readNamespacedPod({ namespace: 'default', name: 'victim-1' });
    expect(still.metadata?.deletionTimestamp).toBeTruthy();
    await core.deleteNamespacedPod({ namespace: 'default', name: 'victim-1', gracePeriodSeconds: 0 });
    expect((await failure(core.readNamespacedPod({ namespace: 'default', name: 'victim-1' }))).code).toBe(404);
  });

  it('takes delete options from the query too, and answers a Status for kinds that do not return the object', async () => {
    put(twin.store, pod('default', 'victim-2', 'harv1'));
    const res = await raw(twin.api, 'DELETE', '/api/v1/namespaces/default/pods/victim-2?gracePeriodSeconds=0');
    expect(res.status).toBe(200);
    expect(twin.store.tryGet(twin.store.typeFor('', 'v1', 'pods')!, 'default', 'victim-2')).toBeUndefined();
    put(twin.store, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gone', namespace: 'default' } });
    const cm = await raw(twin.api, 'DELETE', '/api/v1/namespaces/default/configmaps/gone');
    expect(cm.json()).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone', kind: 'configmaps' } });
    const bad = await raw(twin.api, 'DELETE', '/api/v1/namespaces/default/configmaps/x', { body: { propagationPolicy: 'Sometimes' } });
    expect(bad.status).toBe(422);
  });

  it('deletes a collection by label selector', async () => {
    for (const n of ['dc-1', 'dc-2']) put(twin.store, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: 'default', labels: { batch: 'x' } } });
    await core.deleteCollectionNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch=x' });
    expect((await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'batch=x' })).items).toHaveLength(0);
  });
});

describe('other clients', () => {
  it('serves CustomObjectsApi and KubernetesObjectApi on CRDs and built-ins', async () => {
    const custom = twin.kc.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({ group: 'harvesterhci.io', version: 'v1beta1', namespace: 'cattle-monitoring-system', plural: 'addons', body: { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Addon', metadata: { name: 'rancher-monitoring' }, spec: { enabled: true } } });
    const list = (await custom.listClusterCustomObject({ group: 'harvesterhci.io', version: 'v1beta1', plural: 'addons' })) as { items: { metadata: { name: string } }[] };
    expect(list.items.map((i) => i.metadata.name)).toEqual(['rancher-monitoring']);
    const objects = KubernetesObjectApi.makeApiClient(twin.kc);
    const dep = await objects.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'rancher', namespace: 'cattle-system' } });
    expect(dep.metadata?.annotations?.['management.cattle.io/scale-available']).toBe('3');
    const apps = twin.kc.makeApiClient(AppsV1Api);
    expect((await apps.listNamespacedDeployment({ namespace: 'cattle-system' })).items).toHaveLength(2);
  });
});
