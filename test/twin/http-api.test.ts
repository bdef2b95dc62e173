// HttpTwinApi against the twin's own API server: the same contract as LocalTwinApi
// (undefined for a missing get, StatusError on failures, list items with apiVersion/kind,
// watch = current objects as ADDED then changes) and a watch that survives the server
// refusing connections for a while. The fidelity suite runs the same client against a
// real kube-apiserver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer } from '../../src/twin/apiserver/index.js';
import type { TwinApiServer } from '../../src/twin/apiserver/types.js';
import { HttpTwinApi } from '../../src/twin/http-api.js';
import { allTwinTypes } from '../../src/twin/resources.js';
import { StatusError } from '../../src/twin/store/errors.js';
import { Store } from '../../src/twin/store/store.js';
import type { KObject, WatchEvent } from '../../src/twin/store/types.js';

let server: TwinApiServer;
let api: HttpTwinApi;
const cmRef = { apiVersion: 'v1', kind: 'ConfigMap' };
const settingRef = { apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting' };

// One server for the file: making its PKI is the slow part.
beforeAll(async () => {
  const store = new Store();
  for (const t of allTwinTypes) store.register(t);
  server = await startApiServer({ store });
  api = new HttpTwinApi({ server: server.url, caPem: server.caPem, token: server.adminToken }, { maxBackoffMs: 100 });
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'harvester-system' } });
});

afterAll(async () => {
  api.close();
  await server.close();
});

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

const cm = (name: string, data: Record<string, string>, labels: Record<string, string> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'harvester-system', labels },
  data,
});

describe('HttpTwinApi', () => {
  it('gets, lists with selectors, patches, updates and deletes like LocalTwinApi', async () => {
    expect(await api.get(cmRef, 'harvester-system', 'vip')).toBeUndefined();
    const created = await api.create(cm('vip', { ip: '192.168.122.144' }, { app: 'vip' }));
    await api.create(cm('other', {}, { app: 'x' }));
    const listed = await api.list(cmRef, { namespace: 'harvester-system', labelSelector: 'app=vip' });
    expect(listed.map((o) => [o.apiVersion, o.kind, o.metadata.name])).toEqual([['v1', 'ConfigMap', 'vip']]);

    const patched = await api.patch<KObject & { data: Record<string, string> }>(cmRef, 'harvester-system', 'vip', { data: { mode: 'static' } });
    expect(patched.data).toEqual({ ip: '192.168.122.144', mode: 'static' });

    const stale = await api.update({ ...created, data: { ip: 'x' } }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(StatusError);
    expect((stale as StatusError).code).toBe(409);

    const dup = await api.create(cm('vip', {})).catch((e: unknown) => e);
    expect((dup as StatusError).reason).toBe('AlreadyExists');

    await api.delete(cmRef, 'harvester-system', 'vip');
    expect(await api.get(cmRef, 'harvester-system', 'vip')).toBeUndefined();
    const missing = await api.delete(cmRef, 'harvester-system', 'vip').catch((e: unknown) => e);
    expect((missing as StatusError).code).toBe(404);
  });

  it('writes status through the status subresource', async () => {
    const vm: KObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm1', namespace: 'harvester-system' }, spec: { runStrategy: 'Always' } };
    await api.create(vm);
    const ref = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' };
    const out = await api.patch(ref, 'harvester-system', 'vm1', { status: { printableStatus: 'Running' }, spec: { runStrategy: 'Halted' } }, { subresource: 'status' });
    expect(out.status).toEqual({ printableStatus: 'Running' });
    expect((out.spec as { runStrategy: string }).runStrategy).toBe('Always');
  });

  it('rejects an unknown kind with a NotFound StatusError', async () => {
    const err = await api.list({ apiVersion: 'v1', kind: 'Nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatusError);
    expect((err as StatusError).code).toBe(404);
  });

  it('watches: current objects as ADDED, then changes, and goes on after the API refused connections', async () => {
    await api.create({ apiVersion: settingRef.apiVersion, kind: settingRef.kind, metadata: { name: 'ntp-servers' }, value: '{}' });
    const seen: WatchEvent[] = [];
    const stop = await api.watch(settingRef, {}, (ev) => seen.push(ev));
    try {
      expect(seen.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'ntp-servers']]);
      await api.patch(settingRef, undefined, 'ntp-servers', { value: '{"ntpServers":["a"]}' });
      await until('MODIFIED', () => seen.length === 2);
      expect(seen[1]!.type).toBe('MODIFIED');

      await server.setReachability('refused');
      await new Promise((r) => setTimeout(r, 200));
      await server.setReachability('up');
      await api.create({ apiVersion: settingRef.apiVersion, kind: settingRef.kind, metadata: { name: 'http-proxy' }, value: '{}' });
      await api.delete(settingRef, undefined, 'ntp-servers');
      await until('the changes after the outage', () => seen.length >= 4);
      expect(seen.slice(2).map((e) => [e.type, e.object.metadata.name]).sort()).toEqual([
        ['ADDED', 'http-proxy'],
        ['DELETED', 'ntp-servers'],
      ]);
    } finally {
      stop();
    }
  });
});
