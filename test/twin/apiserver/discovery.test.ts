// Discovery documents: what kubectl's RESTMapper and client-go's scale client read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, startTwin, type Twin } from './fixture.js';

interface Resource {
  name: string;
  kind: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  verbs: string[];
  shortNames?: string[];
}

let twin: Twin;
beforeAll(async () => {
  twin = await startTwin({ gitVersion: 'v1.31.4+rke2r1' });
});
afterAll(() => twin.close());

const resources = async (path: string) => (await raw(twin.api, 'GET', path)).json().resources as Resource[];

describe('discovery', () => {
  it('serves /version from the configured gitVersion', async () => {
    expect((await raw(twin.api, 'GET', '/version')).json()).toMatchObject({ major: '1', minor: '31', gitVersion: 'v1.31.4+rke2r1', platform: 'linux/amd64' });
  });

  it('lists the core version and the groups, CRD groups included', async () => {
    expect((await raw(twin.api, 'GET', '/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await raw(twin.api, 'GET', '/apis')).json().groups as { name: string; preferredVersion: { groupVersion: string } }[];
    const names = groups.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['apps', 'kubevirt.io', 'harvesterhci.io', 'longhorn.io', 'authorization.k8s.io', 'apiextensions.k8s.io', 'subresources.kubevirt.io']));
    expect(names).not.toContain('');
    expect(groups.find((g) => g.name === 'longhorn.io')?.preferredVersion.groupVersion).toBe('longhorn.io/v1beta2');
    expect((await raw(twin.api, 'GET', '/apis/kubevirt.io')).json()).toMatchObject({ kind: 'APIGroup', name: 'kubevirt.io' });
    expect((await raw(twin.api, 'GET', '/apis/nope.io')).status).toBe(404);
    expect((await raw(twin.api, 'GET', '/apis/apps/v2')).status).toBe(404);
  });

  it('lists resources with short names, and subresources with the scale kind of autoscaling/v1', async () => {
    const core = await resources('/api/v1');
    expect(core.find((r) => r.name === 'pods')).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'] });
    expect(core.find((r) => r.name === 'pods/exec')).toMatchObject({ kind: 'PodExecOptions', verbs: ['create', 'get'] });
    expect(core.find((r) => r.name === 'nodes')).toMatchObject({ namespaced: false });
    const apps = await resources('/apis/apps/v1');
    expect(apps.find((r) => r.name === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    const kv = await resources('/apis/kubevirt.io/v1');
    expect(kv.find((r) => r.name === 'virtualmachineinstances')?.shortNames).toEqual(['vmi', 'vmis']);
    const authz = await resources('/apis/authorization.k8s.io/v1');
    expect(authz.map((r) => r.name)).toEqual(['selfsubjectaccessreviews']);
  });

  it('lists the CRDs under apiextensions.k8s.io', async () => {
    const list = (await raw(twin.api, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).json();
    const items = list.items as { metadata: { name: string }; spec: { scope: string; names: { kind: string } }; status: { conditions: { type: string; status: string }[] } }[];
    expect(list.kind).toBe('CustomResourceDefinitionList');
    expect(items.map((i) => i.metadata.name)).toEqual(expect.arrayContaining(['addons.harvesterhci.io', 'virtualmachines.kubevirt.io', 'volumes.longhorn.io', 'settings.harvesterhci.io']));
    expect(items.map((i) => i.metadata.name)).not.toContain('deployments.apps');
    const one = (await raw(twin.api, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/settings.harvesterhci.io')).json();
    expect(one).toMatchObject({ spec: { scope: 'Cluster', names: { kind: 'Setting' } } });
    expect((await raw(twin.api, 'GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/nope.io')).status).toBe(404);
  });

  it('serves health and the empty OpenAPI v3 index; unknown paths are 404', async () => {
    expect((await raw(twin.api, 'GET', '/healthz')).text).toBe('ok');
    expect((await raw(twin.api, 'GET', '/livez')).text).toBe('ok');
    expect((await raw(twin.api, 'GET', '/openapi/v3')).json()).toEqual({ paths: {} });
    expect((await raw(twin.api, 'GET', '/nope')).status).toBe(404);
  });

  it('serves routes added by others, behind authentication', async () => {
    twin.api.addRoute('GET', /^\/v1\/harvester\/supportbundles\/([^/]+)\/download$/, (_req, res, m) => {
      res.writeHead(200, { 'Content-Type': 'application/zip' });
      res.end(`bundle ${m[1]}`);
    });
    const ok = await raw(twin.api, 'GET', '/v1/harvester/supportbundles/sb-1/download');
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('bundle sb-1');
    expect((await raw(twin.api, 'GET', '/v1/harvester/supportbundles/sb-1/download', { token: '' })).status).toBe(401);
    const rec = twin.api.requestLog.at(-2)!;
    expect(rec).toMatchObject({ method: 'GET', path: '/v1/harvester/supportbundles/sb-1/download', verb: 'get', status: 200, user: 'admin' });
  });
});
