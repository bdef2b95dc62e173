import { afterEach, describe, expect, it } from 'vitest';
import { LocalTwinApi, type KindRef } from '../../../src/twin/api.js';
import { allTwinTypes } from '../../../src/twin/resources.js';
import type { Twin } from '../../../src/twin/runtime.js';
import { StatusError } from '../../../src/twin/store/errors.js';
import { Store } from '../../../src/twin/store/store.js';
import type { KObject } from '../../../src/twin/store/types.js';
import { fastTwin, get, K, list, modelled, setRunStrategy, until, vmVolumes, waitEvent } from './helpers.js';

let twin: Twin | undefined;
afterEach(async () => twin?.stop());

const vol = async (t: Twin, name: string) => (await get(t, K.volume, 'longhorn-system', name))?.status as { state: string; robustness: string; currentNodeID: string; kubernetesStatus: { workloadsStatus: { podName: string; workloadType: string }[] } };
const addon = async (t: Twin, ns: string, name: string) => (await get(t, K.addon, ns, name))?.status as { status: string; conditions?: { type: string; status: string; message?: string }[] };

describe('Longhorn volumes', () => {
  it('detaches a VM’s volumes once its VMI is gone (robustness unknown, as the seed lists them)', async () => {
    twin = await fastTwin();
    const t = twin;
    const [name] = await vmVolumes(t, 'default', 'db-01');
    const before = await vol(t, name!);
    expect(before).toMatchObject({ state: 'attached', robustness: 'healthy', currentNodeID: 'harv43' });
    expect(before.kubernetesStatus.workloadsStatus[0]).toMatchObject({ workloadType: 'VirtualMachineInstance' });
    await setRunStrategy(t, 'default', 'db-01', 'Halted');
    const detached = await waitEvent(t, { type: 'volume.detached', object: `longhorn-system/${name}` });
    const gone = t.events.first({ type: 'vmi.deleted', object: 'default/db-01' })!;
    expect(detached.seq).toBeGreaterThan(gone.seq);
    expect(await vol(t, name!)).toMatchObject({ state: 'detached', robustness: 'unknown', currentNodeID: '' });
  });

  it('attaches after its first write of "attached" failed (the retry keeps the due transition)', async () => {
    // The twin's API as a real apiserver may answer: one status write fails.
    let failed = false;
    class FlakyApi extends LocalTwinApi {
      override async patch<T extends KObject>(ref: KindRef, namespace: string | undefined, name: string, patch: unknown, opts: { subresource?: 'status' } = {}): Promise<T> {
        const state = (patch as { status?: { state?: string } }).status?.state;
        if (!failed && ref.kind === 'Volume' && opts.subresource === 'status' && state === 'attached') {
          failed = true;
          throw new StatusError(500, 'InternalError', 'etcdserver: request timed out');
        }
        return super.patch<T>(ref, namespace, name, patch, opts);
      }
    }
    let n = 0;
    const store = new Store({ now: () => Date.now(), uid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` });
    for (const t of allTwinTypes) store.register(t);
    twin = await fastTwin({ api: new FlakyApi(store) });
    const t = twin;
    const [name] = await vmVolumes(t, 'default', 'db-01');
    await setRunStrategy(t, 'default', 'db-01', 'Halted');
    await waitEvent(t, { type: 'volume.detached', object: `longhorn-system/${name}` });
    await setRunStrategy(t, 'default', 'db-01', 'RerunOnFailure');
    await waitEvent(t, { type: 'vmi.running', object: 'default/db-01' });
    expect(failed).toBe(true);
    expect(await vol(t, name!)).toMatchObject({ state: 'attached' });
  });

  it('is degraded while a replica node is away and rebuilds to healthy after it returns', async () => {
    twin = await fastTwin();
    const t = twin;
    const [name] = await vmVolumes(t, 'default', 'vm1'); // attached on harv41, replicas on 3 of 4 nodes
    const replicas = await list(t, { apiVersion: 'longhorn.io/v1beta2', kind: 'Replica' }, { namespace: 'longhorn-system', labelSelector: `longhornvolume=${name}` });
    const away = (replicas.map((r) => r.spec.nodeID as string).filter((n) => n !== 'harv41'))[0]!;
    t.power.forceOff(away);
    await waitEvent(t, { type: 'volume.degraded', object: `longhorn-system/${name}` });
    t.power.powerOn(away);
    await waitEvent(t, { type: 'node.ready', node: away });
    const healthy = await waitEvent(t, { type: 'volume.healthy', object: `longhorn-system/${name}` });
    const back = t.events.first({ type: 'node.power', node: away, detail: 'on' })!;
    expect(healthy.t - back.t).toBeGreaterThanOrEqual(t.scenario.timing.replicaRebuildSeconds[0] * 1000 - 1000);
  });

  it.each([
    { fault: { volumeStuckAttached: ['default/*'] }, expect: 'attached' },
    { fault: {}, expect: 'detached' },
  ])('with $fault a stopped VM’s volume ends $expect', async ({ fault, expect: want }) => {
    twin = await fastTwin({ faults: fault });
    const t = twin;
    const [name] = await vmVolumes(t, 'default', 'vm1');
    await setRunStrategy(t, 'default', 'vm1', 'Halted');
    await waitEvent(t, { type: 'vmi.deleted', object: 'default/vm1' });
    await modelled(t, 60);
    expect((await vol(t, name!)).state).toBe(want);
  });

  it('comes back faulted after a restart when the fault says so, before anything asks for it, and its VM cannot start', async () => {
    twin = await fastTwin({ faults: { faultedVolumeAfterRestart: ['default/*'] } });
    const t = twin;
    const [name] = await vmVolumes(t, 'default', 'build-01'); // a stopped VM
    await modelled(t, 30);
    expect(t.events.first({ type: 'volume.faulted' })).toBeUndefined(); // no reboot yet
    t.power.forceOff('harv2');
    t.power.powerOn('harv2');
    await waitEvent(t, { type: 'volume.faulted', object: `longhorn-system/${name}` });
    expect(await vol(t, name!)).toMatchObject({ state: 'detached', robustness: 'faulted' });
    const replicas = await list(t, { apiVersion: 'longhorn.io/v1beta2', kind: 'Replica' }, { namespace: 'longhorn-system', labelSelector: `longhornvolume=${name}` });
    expect(replicas.map((r) => r.status.currentState)).toEqual(replicas.map(() => 'error'));
    await setRunStrategy(t, 'default', 'build-01', 'Always');
    await modelled(t, 120);
    expect(t.events.first({ type: 'vmi.running', object: 'default/build-01' })).toBeUndefined();
  });
});

describe('addons', () => {
  it('disables rancher-monitoring: Disabling → Disabled, pods gone, its volumes detach, PVCs kept', async () => {
    twin = await fastTwin();
    const t = twin;
    const pvcs = await list(t, K.pvc, { namespace: 'cattle-monitoring-system' });
    expect(pvcs.length).toBeGreaterThan(0);
    await t.api.patch(K.addon, 'cattle-monitoring-system', 'rancher-monitoring', { spec: { enabled: false } });
    await until(async () => (await addon(t, 'cattle-monitoring-system', 'rancher-monitoring')).status === 'AddonDisabling', 'Disabling', t);
    await until(async () => (await addon(t, 'cattle-monitoring-system', 'rancher-monitoring')).status === 'AddonDisabled', 'Disabled', t);
    await until(async () => (await list(t, K.pod, { namespace: 'cattle-monitoring-system' })).length === 0, 'monitoring pods gone', t);
    for (const p of pvcs) await until(async () => (await vol(t, p.spec.volumeName)).state === 'detached', `volume of ${p.metadata.name} detached`, t);
    expect(await list(t, K.pvc, { namespace: 'cattle-monitoring-system' })).toHaveLength(pvcs.length);
    expect(t.events.find({ type: 'addon.status', object: 'cattle-monitoring-system/rancher-monitoring' }).map((e) => e.detail)).toEqual(['AddonDisabling', 'AddonDisabled']);
  });

  it('enables rancher-logging: Enabling → DeploySuccessful with a provisioned, attached volume', async () => {
    twin = await fastTwin();
    const t = twin;
    await t.api.patch(K.addon, 'cattle-logging-system', 'rancher-logging', { spec: { enabled: true } });
    await until(async () => (await addon(t, 'cattle-logging-system', 'rancher-logging')).status === 'AddonDeploySuccessful', 'DeploySuccessful', t);
    await until(async () => {
      const pvc = (await list(t, K.pvc, { namespace: 'cattle-logging-system' }))[0];
      return pvc?.spec.volumeName !== undefined && (await vol(t, pvc.spec.volumeName))?.state === 'attached';
    }, 'logging volume attached', t);
    await until(async () => (await list(t, K.pod, { namespace: 'cattle-logging-system' })).every((p) => p.status.phase === 'Running'), 'logging pods running', t);
  });

  it.each([
    { name: 'stuck Disabling', faults: { addonStuckDisabling: ['cattle-monitoring-system/rancher-monitoring'] }, ns: 'cattle-monitoring-system', addon: 'rancher-monitoring', enable: false, status: 'AddonDisabling', failed: false },
    { name: 'failing deploy', faults: { addonDeployFails: ['cattle-logging-system/rancher-logging'] }, ns: 'cattle-logging-system', addon: 'rancher-logging', enable: true, status: 'AddonEnabling', failed: true },
  ])('$name', async ({ faults, ns, addon: name, enable, status, failed }) => {
    twin = await fastTwin({ faults });
    const t = twin;
    await t.api.patch(K.addon, ns, name, { spec: { enabled: enable } });
    await modelled(t, 400);
    const s = await addon(t, ns, name);
    expect(s.status).toBe(status);
    const cond = s.conditions?.find((c) => c.type === 'OperationFailed');
    expect(cond?.status === 'True').toBe(failed);
    if (failed) expect(cond?.message).toContain('helm install failed');
  });
});
