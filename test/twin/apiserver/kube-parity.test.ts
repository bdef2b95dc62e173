// Regression tests, over HTTP, for each difference the differential check
// (test/fidelity/diff.test.ts) found between the twin and kube-apiserver v1.34: the same
// requests as its cases, with the real server's answers (its snapshot) written down as
// expectations, so the everyday suite guards them without the Go binaries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, startTwin, type Twin } from './fixture.js';

let twin: Twin;
beforeAll(async () => {
  twin = await startTwin();
});
afterAll(() => twin.close());

type Json = Record<string, unknown>;
const ns = 'default';
const cms = `/api/v1/namespaces/${ns}/configmaps`;
const deploys = `/apis/apps/v1/namespaces/${ns}/deployments`;
const pods = `/api/v1/namespaces/${ns}/pods`;
const vms = `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`;

async function send(method: string, path: string, body?: unknown, contentType?: string): Promise<Json> {
  const res = await raw(twin.api, method, path, { body, ...(contentType ? { headers: { 'Content-Type': contentType } } : {}) });
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 300)}`).toBeLessThan(300);
  return res.json();
}
const merge = (path: string, body: unknown) => send('PATCH', path, body, 'application/merge-patch+json');
const meta = (o: Json) => o.metadata as Json;
const at = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

const deployment = (name: string, replicas = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, annotations: { 'management.cattle.io/scale-available': '3' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'registry.local/rancher:v2', env: [{ name: 'A', value: '1' }] }] } },
  },
});
const vm = (name: string) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name }, spec: { runStrategy: 'Halted', template: { spec: {} } } });

describe('metadata.generation', () => {
  it('exists only on kinds that track it, and does not move on a ConfigMap', async () => {
    const cm = await send('POST', cms, { metadata: { name: 'gen-cm' }, data: { k: 'v' } });
    expect(meta(cm).generation).toBeUndefined();
    expect(meta(await merge(`${cms}/gen-cm`, { data: { k: 'v2' } })).generation).toBeUndefined();
    const svc = await send('POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name: 'gen-svc' }, spec: { ports: [{ port: 80 }] } });
    expect(meta(svc).generation).toBeUndefined();
    expect(meta(await send('POST', deploys, deployment('gen-d'))).generation).toBe(1);
    expect(meta(await send('POST', pods, { metadata: { name: 'gen-p' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } })).generation).toBe(1);
  });

  it('a Deployment moves on an annotation change, not on a label change', async () => {
    await send('POST', deploys, deployment('ann'));
    expect(meta(await merge(`${deploys}/ann`, { metadata: { annotations: { 'management.cattle.io/scale-available': '' } } })).generation).toBe(2);
    expect(meta(await merge(`${deploys}/ann`, { metadata: { labels: { x: '1' } } })).generation).toBe(2);
  });

  it('a custom resource without a status subresource moves on a status change too', async () => {
    await send('POST', '/apis/harvesterhci.io/v1beta1/settings', { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting', metadata: { name: 'gen-setting' }, value: 'a' });
    const out = await merge('/apis/harvesterhci.io/v1beta1/settings/gen-setting', { status: { a: 1 } });
    expect(meta(out).generation).toBe(2);
  });

  it('moves when a deletion starts; a finalizer-held deletion has grace 0', async () => {
    await send('POST', pods, { metadata: { name: 'gen-bound' }, spec: { nodeName: 'harv1', containers: [{ name: 'c', image: 'x:1' }] } });
    const pod = await send('DELETE', `${pods}/gen-bound`);
    expect(meta(pod)).toMatchObject({ generation: 2, deletionGracePeriodSeconds: 30 });
    await send('POST', vms, { ...vm('held'), metadata: { name: 'held', finalizers: ['kubevirt.io/virtualMachineControllerFinalize'] } });
    const held = await send('DELETE', `${vms}/held`);
    expect(meta(held)).toMatchObject({ generation: 2, deletionGracePeriodSeconds: 0 });
  });
});

it('does not store empty labels, annotations or finalizers', async () => {
  const cm = await send('POST', cms, { metadata: { name: 'empty', labels: {}, annotations: {}, finalizers: [] }, data: {} });
  expect(Object.keys(meta(cm)).sort()).toEqual(['creationTimestamp', 'name', 'namespace', 'resourceVersion', 'uid']);
  expect(cm.data).toBeUndefined();
  const v = await send('POST', vms, { ...vm('empty-vm'), metadata: { name: 'empty-vm', labels: {}, annotations: {} } });
  expect(meta(v).labels).toBeUndefined();
  expect(meta(v).annotations).toBeUndefined();
});

it('lists built-in items without apiVersion/kind, custom resources with them', async () => {
  const cmList = await send('GET', cms);
  const cmItem = (cmList.items as Json[])[0]!;
  expect(cmItem.kind).toBeUndefined();
  expect(cmItem.apiVersion).toBeUndefined();
  expect(cmList.kind).toBe('ConfigMapList');
  await send('POST', vms, vm('listed'));
  const vmItem = ((await send('GET', vms)).items as Json[])[0]!;
  expect({ kind: vmItem.kind, apiVersion: vmItem.apiVersion }).toEqual({ kind: 'VirtualMachine', apiVersion: 'kubevirt.io/v1' });
  // A single GET and a watch event keep them.
  expect((await send('GET', `${cms}/${String(meta(cmItem).name)}`)).kind).toBe('ConfigMap');
});

it('puts a keyed list item a strategic merge patch adds before the existing ones', async () => {
  await send('POST', deploys, deployment('smp'));
  const out = await send('PATCH', `${deploys}/smp`, { spec: { template: { spec: { containers: [{ name: 'main', env: [{ name: 'B', value: '2' }] }] } } } }, 'application/strategic-merge-patch+json');
  expect(at(out, 'spec.template.spec.containers.0.env')).toEqual([
    { name: 'B', value: '2' },
    { name: 'A', value: '1' },
  ]);
});

it('answers a Scale at 0 replicas with an empty spec', async () => {
  await send('POST', deploys, deployment('zero', 2));
  expect((await merge(`${deploys}/zero/scale`, { spec: { replicas: 0 } })).spec).toEqual({});
  expect((await send('GET', `${deploys}/zero/scale`)).spec).toEqual({});
  expect(at(await send('GET', `${deploys}/zero`), 'spec.replicas')).toBe(0);
});

describe('create defaults', () => {
  it('defaults a Pod as kube-apiserver does', async () => {
    const p = await send('POST', pods, { metadata: { name: 'd1' }, spec: { nodeName: 'harv1', containers: [{ name: 'c', image: 'registry.local/etcd:v3' }] }, status: { phase: 'Running' } });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(p.spec).toMatchObject({
      terminationGracePeriodSeconds: 30,
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
      priority: 0,
      containers: [{ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} }],
    });
  });

  it('defaults a Deployment, also on a PUT that leaves the defaults out', async () => {
    const d = await send('POST', deploys, deployment('d2'));
    const want = { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 };
    expect(d.spec).toMatchObject(want);
    const put = await send('PUT', `${deploys}/d2`, { ...deployment('d2', 2), metadata: { name: 'd2' } });
    expect(put.spec).toMatchObject({ ...want, replicas: 2 });
    expect(meta(put).generation).toBe(2); // replicas (and the annotation PUT left out) changed
  });
});

it('answers an immediate delete of a custom resource with a Status, of a Pod or PVC with the object', async () => {
  await send('POST', '/apis/harvesterhci.io/v1beta1/settings', { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting', metadata: { name: 'gone-setting' }, value: 'a' });
  const cr = await send('DELETE', '/apis/harvesterhci.io/v1beta1/settings/gone-setting');
  expect(cr).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'gone-setting', group: 'harvesterhci.io', kind: 'settings' } });
  await send('POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, { metadata: { name: 'gone-pvc' }, spec: { accessModes: ['ReadWriteOnce'] } });
  expect((await send('DELETE', `/api/v1/namespaces/${ns}/persistentvolumeclaims/gone-pvc`)).kind).toBe('PersistentVolumeClaim');
  await send('POST', pods, { metadata: { name: 'gone-pod' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } });
  expect((await send('DELETE', `${pods}/gone-pod`)).kind).toBe('Pod');
});

it('keeps a pod in its grace period through status and label writes; a PUT of /status takes labels from the request', async () => {
  await send('POST', pods, { metadata: { name: 'term', labels: { app: 'etcd' } }, spec: { nodeName: 'harv1', containers: [{ name: 'c', image: 'x:1' }] } });
  await send('DELETE', `${pods}/term`);
  const status = await send('PUT', `${pods}/term/status`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'term' }, status: { phase: 'Running' } });
  expect(status).toMatchObject({ status: { phase: 'Running', qosClass: 'BestEffort' }, spec: { nodeName: 'harv1' } });
  expect(meta(status).labels).toBeUndefined();
  const labelled = await send('PATCH', `${pods}/term`, { metadata: { labels: { z: '1' } } }, 'application/strategic-merge-patch+json');
  expect(meta(labelled)).toMatchObject({ labels: { z: '1' }, generation: 2, deletionGracePeriodSeconds: 30 });
  await send('DELETE', `${pods}/term`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
  expect((await raw(twin.api, 'GET', `${pods}/term`)).status).toBe(404);
});

it('answers delete-option edge cases as kube-apiserver: a failed uid precondition names the Kind; a negative grace period is 1 s', async () => {
  await send('POST', cms, { metadata: { name: 'pre' } });
  const failed = await raw(twin.api, 'DELETE', `${cms}/pre`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } } });
  expect(failed.status).toBe(409);
  expect(failed.json()).toMatchObject({ reason: 'Conflict', details: { kind: 'ConfigMap', name: 'pre' } });
  expect(failed.json().message).toContain('the UID in the precondition (not-the-uid) does not match');
  expect((await send('DELETE', `${cms}/pre?gracePeriodSeconds=-5`)).status).toBe('Success');
});

it('answers 422 for a JSON patch operation that cannot be applied (an unknown op too), 400 for one that does not decode', async () => {
  await send('POST', cms, { metadata: { name: 'jp' }, data: { k: 'v' } });
  const patchOf = (body: unknown) => raw(twin.api, 'PATCH', `${cms}/jp`, { body, headers: { 'Content-Type': 'application/json-patch+json' } });
  expect((await patchOf([{ op: 'frob', path: '/data/k' }])).status).toBe(422);
  expect((await patchOf([{ op: 'remove', path: '/data/nope' }])).status).toBe(422);
  expect((await patchOf({ op: 'add' })).status).toBe(400);
});

describe('pod spec immutability and pods/binding', () => {
  const pod = (name: string, nodeName?: string) => ({ metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'registry.local/etcd:v3' }] } });
  const binding = (name: string, node: string, kind = 'Node') => ({ apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind, name: node } });
  const refused = async (method: string, path: string, body: unknown, contentType = 'application/merge-patch+json') => {
    const res = await raw(twin.api, method, path, { body, headers: { 'Content-Type': contentType } });
    return { status: res.status, body: res.json() };
  };
  const causes = (b: Json) => ((b.details as Json).causes as Json[]).map((c) => ({ field: c.field, reason: c.reason, message: String(c.message).split('\n')[0] }));

  it('refuses a change of nodeName or restartPolicy as kube-apiserver does, and takes images and a lower activeDeadlineSeconds', async () => {
    await send('POST', pods, pod('imm'));
    for (const patch of [{ spec: { nodeName: 'harv1' } }, { spec: { restartPolicy: 'Never' } }]) {
      const res = await refused('PATCH', `${pods}/imm`, patch);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ reason: 'Invalid', details: { name: 'imm', kind: 'Pod' } });
      expect(String(res.body.message)).toMatch(/^Pod "imm" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
      expect(causes(res.body)).toEqual([
        {
          field: 'spec',
          reason: 'FieldValueForbidden',
          message:
            'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        },
      ]);
    }
    const added = await refused('PATCH', `${pods}/imm`, { spec: { containers: [{ name: 'd', image: 'x:1' }] } }, 'application/strategic-merge-patch+json');
    expect(causes(added.body)).toEqual([{ field: 'spec.containers', reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not add or remove containers' }]);
    const noImage = await refused('PATCH', `${pods}/imm`, [{ op: 'replace', path: '/spec/containers/0/image', value: '' }], 'application/json-patch+json');
    expect(noImage.body.message).toBe('Pod "imm" is invalid: spec.containers[0].image: Required value');
    expect(causes(noImage.body)).toHaveLength(2);
    const image = await send('PATCH', `${pods}/imm`, { spec: { containers: [{ name: 'c', image: 'registry.local/etcd:v4' }] } }, 'application/strategic-merge-patch+json');
    expect(at(image, 'spec.containers.0.image')).toBe('registry.local/etcd:v4');
    expect(at(await merge(`${pods}/imm`, { spec: { activeDeadlineSeconds: 60 } }), 'spec.activeDeadlineSeconds')).toBe(60);
    const raised = await refused('PATCH', `${pods}/imm`, { spec: { activeDeadlineSeconds: 120 } });
    expect(causes(raised.body)).toEqual([{ field: 'spec.activeDeadlineSeconds', reason: 'FieldValueInvalid', message: 'Invalid value: 120: must be less than or equal to previous value' }]);
    const put = await refused('PUT', `${pods}/imm`, { apiVersion: 'v1', kind: 'Pod', ...pod('imm', 'harv1') }, 'application/json');
    expect(put.status).toBe(422);
  });

  it('binds a pending pod once through pods/binding: PodScheduled, no generation move, 409 when bound, 404/400/500 as upstream', async () => {
    await send('POST', pods, pod('bindme'));
    const gen = meta(await send('GET', `${pods}/bindme`)).generation;
    expect(await send('POST', `${pods}/bindme/binding`, binding('bindme', 'harv1'))).toMatchObject({ kind: 'Status', status: 'Success', code: 201 });
    const bound = await send('GET', `${pods}/bindme`);
    expect(at(bound, 'spec.nodeName')).toBe('harv1');
    expect(meta(bound).generation).toBe(gen);
    expect(at(bound, 'status.conditions')).toEqual([{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: expect.any(String) }]);
    const again = await refused('POST', `${pods}/bindme/binding`, binding('bindme', 'harv2'), 'application/json');
    expect(again).toMatchObject({ status: 409, body: { reason: 'Conflict', message: 'Operation cannot be fulfilled on pods/binding "bindme": pod bindme is already assigned to node "harv1"', details: { name: 'bindme', kind: 'pods/binding' } } });
    expect((await refused('POST', `${pods}/nope/binding`, binding('nope', 'harv1'), 'application/json')).status).toBe(404);
    expect((await refused('POST', `${pods}/bindme/binding`, binding('other', 'harv1'), 'application/json')).body).toMatchObject({ code: 400, reason: 'BadRequest' });
    const notNode = await refused('POST', `${pods}/bindme/binding`, binding('bindme', 'harv1', 'Pod'), 'application/json');
    expect(notNode.status).toBe(500);
    expect(notNode.body.reason).toBeUndefined();
  });
});

describe('deletion', () => {
  const bound = (name: string) => ({ metadata: { name }, spec: { nodeName: 'harv1', containers: [{ name: 'c', image: 'x:1' }] } });
  const dueIn = (o: Json) => Math.round((Date.parse(String(meta(o).deletionTimestamp)) - Date.parse(String(meta(o).creationTimestamp))) / 1000);

  it("a graceful pod deletion is due now + its grace period; a second delete may only shorten it, from the first delete's time", async () => {
    await send('POST', pods, bound('dt'));
    const first = await send('DELETE', `${pods}/dt`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 60 });
    expect(meta(first).deletionGracePeriodSeconds).toBe(60);
    expect(dueIn(first)).toBeGreaterThanOrEqual(60);
    expect(dueIn(first)).toBeLessThanOrEqual(61);
    const longer = await send('DELETE', `${pods}/dt`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 90 });
    expect(meta(longer).deletionTimestamp).toBe(meta(first).deletionTimestamp);
    const shorter = await send('DELETE', `${pods}/dt`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 10 });
    expect(meta(shorter).deletionGracePeriodSeconds).toBe(10);
    expect(Date.parse(String(meta(first).deletionTimestamp)) - Date.parse(String(meta(shorter).deletionTimestamp))).toBe(50_000);
    expect(meta(shorter).generation).toBe(meta(first).generation);
  });

  it('Foreground answers the owner held by foregroundDeletion; the GC deletes the dependents, then the owner', async () => {
    const owner = await send('POST', cms, { metadata: { name: 'fg' }, data: { k: 'v' } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'fg', uid: meta(owner).uid, blockOwnerDeletion: true };
    await send('POST', cms, { metadata: { name: 'fg-dep', ownerReferences: [ref] }, data: { k: 'v' } });
    const answer = await send('DELETE', `${cms}/fg`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    expect(answer).toMatchObject({ kind: 'ConfigMap', metadata: { finalizers: ['foregroundDeletion'], deletionGracePeriodSeconds: 0 } });
    expect(meta(answer).deletionTimestamp).toEqual(expect.any(String));
    await expect.poll(async () => (await raw(twin.api, 'GET', `${cms}/fg`)).status).toBe(404);
    expect((await raw(twin.api, 'GET', `${cms}/fg-dep`)).status).toBe(404);
  });

  it('Foreground waits for a terminating dependent pod to go', async () => {
    const owner = await send('POST', cms, { metadata: { name: 'fg-pod-owner' } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'fg-pod-owner', uid: meta(owner).uid, blockOwnerDeletion: true };
    await send('POST', pods, { ...bound('fg-pod'), metadata: { name: 'fg-pod', ownerReferences: [ref] } });
    await send('DELETE', `${cms}/fg-pod-owner`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    await expect.poll(async () => meta(await send('GET', `${pods}/fg-pod`)).deletionTimestamp).toEqual(expect.any(String));
    expect(meta(await send('GET', `${cms}/fg-pod-owner`)).finalizers).toEqual(['foregroundDeletion']);
    await send('DELETE', `${pods}/fg-pod`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
    await expect.poll(async () => (await raw(twin.api, 'GET', `${cms}/fg-pod-owner`)).status).toBe(404);
  });

  it('Orphan answers the owner held by orphan; the GC strips the dependents\' reference, then deletes the owner; a finalizer of its own still holds it', async () => {
    const owner = await send('POST', cms, { metadata: { name: 'or' } });
    await send('POST', cms, { metadata: { name: 'or-dep', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'or', uid: meta(owner).uid }] } });
    const answer = await send('DELETE', `${cms}/or`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' });
    expect(meta(answer).finalizers).toEqual(['orphan']);
    await expect.poll(async () => (await raw(twin.api, 'GET', `${cms}/or`)).status).toBe(404);
    expect(meta(await send('GET', `${cms}/or-dep`)).ownerReferences).toBeUndefined();

    await send('POST', cms, { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const held = await send('DELETE', `${cms}/held`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' });
    expect(meta(held).finalizers).toEqual(['example.com/hold', 'foregroundDeletion']);
    await expect.poll(async () => meta(await send('GET', `${cms}/held`)).finalizers).toEqual(['example.com/hold']);
  });
});

describe('admission and typed decoding', () => {
  it('a new Node gets not-ready:NoSchedule after its own taints, unless it has it', async () => {
    const plain = await send('POST', '/api/v1/nodes', { metadata: { name: 'adm-n1' } });
    expect(at(plain, 'spec.taints')).toEqual([{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
    const own = await send('POST', '/api/v1/nodes', { metadata: { name: 'adm-n2' }, spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] } });
    expect(at(own, 'spec.taints')).toEqual([
      { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    ]);
    const has = await send('POST', '/api/v1/nodes', { metadata: { name: 'adm-n3' }, spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] } });
    expect(at(has, 'spec.taints')).toHaveLength(1);
    expect(at(await merge('/api/v1/nodes/adm-n1', { spec: { taints: null } }), 'spec.taints')).toBeUndefined();
  });

  it('a JSON patch null in a ConfigMap\'s data or labels is stored as ""', async () => {
    await send('POST', cms, { metadata: { name: 'jn' }, data: { k: 'v' } });
    const json = (body: unknown) => send('PATCH', `${cms}/jn`, body, 'application/json-patch+json');
    expect((await json([{ op: 'add', path: '/data/x' }])).data).toEqual({ k: 'v', x: '' });
    expect(meta(await json([{ op: 'add', path: '/metadata/labels', value: { a: null } }])).labels).toEqual({ a: '' });
  });
});
