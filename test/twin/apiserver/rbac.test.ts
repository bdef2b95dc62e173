// Authentication and RBAC: 401 without a valid token, 403 worded like kube-apiserver's
// (verb, resource/subresource, group, namespace or cluster scope), rules with
// namespaces and resource names, and SelfSubjectAccessReview in both modes.
import { AuthorizationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwinUser } from '../../../src/twin/apiserver/index.js';
import { raw, startTwin, type Twin } from './fixture.js';

const operator: TwinUser = {
  name: 'operator',
  token: 'operator-token-1234',
  rules: [
    { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['patch'], namespaces: ['cattle-system'], resourceNames: ['rancher'] },
    { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'], namespaces: ['kube-system'] },
  ],
};

let twin: Twin;
let open: Twin;
beforeAll(async () => {
  twin = await startTwin({ rbac: true, users: [operator] });
  open = await startTwin({ rbac: false, users: [operator] });
});
afterAll(async () => {
  await twin.close();
  await open.close();
});

const as = (t: Twin, method: string, path: string, body?: unknown, contentType?: string) =>
  raw(t.api, method, path, { token: operator.token, ...(body !== undefined ? { body } : {}), ...(contentType ? { headers: { 'Content-Type': contentType } } : {}) });

describe('authentication', () => {
  it('answers 401 Unauthorized without a token or with an unknown one', async () => {
    for (const token of ['', 'wrong']) {
      const res = await raw(twin.api, 'GET', '/api/v1/pods', { token });
      expect(res.status).toBe(401);
      expect(res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', message: 'Unauthorized', code: 401 });
    }
  });

  it('writes a kubeconfig for a named user, mode 0600', async () => {
    const path = `${twin.dir}/operator.kubeconfig`;
    await twin.api.writeKubeconfig(path, { user: 'operator', context: 'op' });
    const { statSync } = await import('node:fs');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const kc = new KubeConfig();
    kc.loadFromFile(path);
    expect(kc.getCurrentContext()).toBe('op');
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'kube-system' });
    expect(pods.items).toHaveLength(1);
    await expect(twin.api.writeKubeconfig(path, { user: 'ghost' })).rejects.toThrow(/no twin API user "ghost"/);
  });
});

describe('RBAC', () => {
  it('allows what the rules allow', async () => {
    expect((await as(twin, 'GET', '/api/v1/pods')).status).toBe(200);
    expect((await as(twin, 'GET', '/apis')).status).toBe(200); // discovery is open
    const scaled = await as(twin, 'PATCH', '/apis/apps/v1/namespaces/cattle-system/deployments/rancher/scale', { spec: { replicas: 0 } }, 'application/merge-patch+json');
    expect(scaled.status).toBe(200);
  });

  it('words 403 like kube-apiserver: namespaced, named, subresource', async () => {
    const res = await as(twin, 'DELETE', '/api/v1/namespaces/cattle-system/pods/rancher-abc');
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({
      reason: 'Forbidden',
      code: 403,
      message: 'pods "rancher-abc" is forbidden: User "operator" cannot delete resource "pods" in API group "" in the namespace "cattle-system"',
      details: { name: 'rancher-abc', kind: 'pods' },
    });
    const sub = await as(twin, 'PATCH', '/apis/apps/v1/namespaces/cattle-system/deployments/cattle-cluster-agent/scale', { spec: { replicas: 0 } }, 'application/merge-patch+json');
    expect(sub.json().message).toBe(
      'deployments.apps "cattle-cluster-agent" is forbidden: User "operator" cannot patch resource "deployments/scale" in API group "apps" in the namespace "cattle-system"',
    );
  });

  it('words 403 for lists and cluster scope', async () => {
    const res = await as(twin, 'GET', '/apis/kubevirt.io/v1/virtualmachines');
    expect(res.json().message).toBe('virtualmachines.kubevirt.io is forbidden: User "operator" cannot list resource "virtualmachines" in API group "kubevirt.io" at the cluster scope');
  });

  it('checks exec as create on pods/exec in the rule\'s namespaces only', async () => {
    const denied = await as(twin, 'GET', '/api/v1/namespaces/cattle-system/pods/rancher-abc/exec?command=x');
    expect(denied.status).toBe(403);
    expect(denied.json().message).toContain('cannot create resource "pods/exec" in API group "" in the namespace "cattle-system"');
    const allowed = await as(twin, 'GET', '/api/v1/namespaces/kube-system/pods/etcd-harv1/exec?command=x');
    expect(allowed.status).toBe(400); // authorised; a plain GET lacks the upgrade
  });

  it('lets every authenticated user do everything when RBAC is off', async () => {
    expect((await as(open, 'GET', '/apis/kubevirt.io/v1/virtualmachines')).status).toBe(200);
  });

  it('records the user in the request log, never the token', async () => {
    await as(twin, 'GET', '/api/v1/nodes');
    const rec = twin.api.requestLog.filter((r) => r.user === 'operator' && r.resource === 'nodes').at(-1);
    expect(rec).toMatchObject({ method: 'GET', verb: 'list', resource: 'nodes', status: 200 });
    expect(JSON.stringify(twin.api.requestLog)).not.toContain(operator.token);
    expect(JSON.stringify(twin.api.requestLog)).not.toContain(twin.api.adminToken);
  });
});

describe('SelfSubjectAccessReview', () => {
  const review = (verb: string, resource: string, namespace?: string, subresource?: string, group = '') => ({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { verb, resource, group, ...(namespace ? { namespace } : {}), ...(subresource ? { subresource } : {}) } },
  });

  it('answers allowed and denied for the caller under RBAC', async () => {
    const yes = await as(twin, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', review('create', 'pods', 'kube-system', 'exec'));
    expect(yes.status).toBe(201);
    expect(yes.json()).toMatchObject({ kind: 'SelfSubjectAccessReview', status: { allowed: true } });
    const no = await as(twin, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', review('delete', 'pods', 'kube-system'));
    expect((no.json().status as { allowed: boolean }).allowed).toBe(false);
    const bad = await as(twin, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: {} });
    expect(bad.status).toBe(422);
  });

  it('allows everything for the admin and without RBAC, through client-node too', async () => {
    const authz = twin.kc.makeApiClient(AuthorizationV1Api);
    const r = await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: 'delete', resource: 'nodes' } } } });
    expect(r.status?.allowed).toBe(true);
    expect(r.status?.reason).toContain('system:masters');
    const openRes = await as(open, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', review('delete', 'nodes'));
    expect((openRes.json().status as { allowed: boolean }).allowed).toBe(true);
  });
});
