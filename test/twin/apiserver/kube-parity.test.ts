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
