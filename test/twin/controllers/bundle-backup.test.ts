import { request } from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import type { Twin } from '../../../src/twin/runtime.js';
import { loadScenarioFile } from '../../../src/twin/scenario/load.js';
import { fastTwin, get, until, waitEvent } from './helpers.js';

let twin: Twin | undefined;
afterEach(async () => twin?.stop());

const bundleKind = { apiVersion: 'harvesterhci.io/v1beta1', kind: 'SupportBundle' };
const backupKind = { apiVersion: 'harvesterhci.io/v1beta1', kind: 'VirtualMachineBackup' };

function download(t: Twin, path: string): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  const url = new URL(path, t.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: t.server!.caPem, headers: { Authorization: `Bearer ${t.server!.adminToken}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('support bundles', () => {
  it('generates with progress, becomes ready, downloads as a zip and is deleted unless retained', async () => {
    const scenario = await loadScenarioFile('default');
    scenario.timing.bundleSeconds = [2000, 2000]; // long enough to ask for it while generating
    twin = await fastTwin({ server: true, scenario });
    const t = twin;
    const mk = (name: string) => t.api.create({ apiVersion: bundleKind.apiVersion, kind: bundleKind.kind, metadata: { name, namespace: 'harvester-system' }, spec: { description: 'before shutdown' } });
    await mk('bundle-a');
    await until(async () => (await get(t, bundleKind, 'harvester-system', 'bundle-a'))?.status?.state === 'generating', 'generating', t);
    const early = await download(t, '/v1/harvester/supportbundles/bundle-a/download');
    expect(early.status).toBe(400);
    const ready = await waitEvent(t, { type: 'bundle.ready', object: 'harvester-system/bundle-a' });
    const b = (await get(t, bundleKind, 'harvester-system', 'bundle-a'))!;
    expect(b.status).toMatchObject({ state: 'ready', progress: 100, filename: expect.stringMatching(new RegExp(`^supportbundle_${t.clusterUid}_.*\\.zip$`)) });
    expect(b.status.filesize).toBe(ready.data?.filesize);

    const kept = await download(t, '/v1/harvester/supportbundles/bundle-a/download?retain=true');
    expect(kept.status).toBe(200);
    expect(kept.body.subarray(0, 4).toString('binary')).toBe('PK\x03\x04');
    expect(kept.body.length).toBe(b.status.filesize);
    expect(kept.body.toString('latin1')).toContain('yamls/namespaced/default/kubevirt.io/v1/virtualmachines.json');
    expect(await get(t, bundleKind, 'harvester-system', 'bundle-a')).toBeDefined();

    const taken = await download(t, '/v1/harvester/supportbundles/bundle-a/download');
    expect(taken.status).toBe(200);
    expect(taken.headers['content-disposition']).toBe(`attachment; filename=${b.status.filename}`);
    await until(async () => (await get(t, bundleKind, 'harvester-system', 'bundle-a')) === undefined, 'bundle deleted after download', t);
    expect((await download(t, '/v1/harvester/supportbundles/bundle-a/download')).status).toBe(404);
  });
});

describe('VM backups', () => {
  it.each([
    { target: undefined, ready: true },
    { target: '', ready: false },
  ])('backup-target $target: readyToUse = $ready', async ({ target, ready }) => {
    twin = await fastTwin();
    const t = twin;
    if (target !== undefined) {
      const s = (await t.api.get({ apiVersion: 'harvesterhci.io/v1beta1', kind: 'Setting' }, undefined, 'backup-target'))!;
      await t.api.update({ ...s, value: target });
    }
    await t.api.create({ apiVersion: backupKind.apiVersion, kind: backupKind.kind, metadata: { name: 'vm1-before-shutdown', namespace: 'default' }, spec: { source: { apiGroup: 'kubevirt.io', kind: 'VirtualMachine', name: 'vm1' }, type: 'backup' } });
    const ev = await waitEvent(t, { type: ready ? 'backup.ready' : 'backup.error', object: 'default/vm1-before-shutdown' });
    const b = await get(t, backupKind, 'default', 'vm1-before-shutdown');
    expect(b?.status.readyToUse).toBe(ready);
    if (!ready) expect(b?.status.error.message).toContain('backup target is not set');
    expect(ev.detail).toBeDefined();
  });
});
