import { afterEach, describe, expect, it } from 'vitest';
import type { Twin } from '../../../src/twin/runtime.js';
import { fastTwin, get, K, list, modelled, ready, until, waitEvent } from './helpers.js';

let twin: Twin | undefined;
afterEach(async () => twin?.stop());

describe('faults', () => {
  it('podStuckTerminating: a deleted pod stays Terminating until force-deleted', async () => {
    twin = await fastTwin({ faults: { podStuckTerminating: ['cattle-system/rancher-*'] } });
    const t = twin;
    const pod = (await list(t, K.pod, { namespace: 'cattle-system', labelSelector: 'app=rancher' }))[0]!;
    await t.api.delete(K.pod, 'cattle-system', pod.metadata.name);
    await modelled(t, 300);
    expect((await get(t, K.pod, 'cattle-system', pod.metadata.name))?.metadata.deletionTimestamp).toBeDefined();
    await t.api.delete(K.pod, 'cattle-system', pod.metadata.name, { gracePeriodSeconds: 0 });
    expect(await get(t, K.pod, 'cattle-system', pod.metadata.name)).toBeUndefined();
    expect(t.events.last({ type: 'pod.force-deleted' })).toMatchObject({ object: `cattle-system/${pod.metadata.name}`, by: 'client', detail: 'was Terminating' });
  });

  it('crashLoopAfterRestart: the pod shows CrashLoopBackOff after its node restarts, restart count climbing', async () => {
    twin = await fastTwin({ faults: { crashLoopAfterRestart: ['longhorn-system/longhorn-manager-*'] } });
    const t = twin;
    const pod = (await list(t, K.pod, { namespace: 'longhorn-system', fieldSelector: 'spec.nodeName=harv2', labelSelector: 'app=longhorn-manager' }))[0]!;
    t.power.forceOff('harv2');
    t.power.powerOn('harv2');
    await waitEvent(t, { type: 'pod.crashloop', object: `longhorn-system/${pod.metadata.name}` });
    const before = pod.status.containerStatuses[0].restartCount as number;
    await until(async () => {
      const p = await get(t, K.pod, 'longhorn-system', pod.metadata.name);
      return p?.status.containerStatuses[0].state.waiting?.reason === 'CrashLoopBackOff' && p.status.containerStatuses[0].restartCount >= before + 2;
    }, 'crash-looping with a rising restart count', t);
  });

  it('crashLoopAfterRestart: a replacement pod started on a rebooted node crash-loops too; on a node never rebooted it does not', async () => {
    twin = await fastTwin();
    const t = twin;
    const managerOn = async (node: string) => (await list(t, K.pod, { namespace: 'longhorn-system', fieldSelector: `spec.nodeName=${node}`, labelSelector: 'app=longhorn-manager' }))[0]!;
    t.power.forceOff('harv2');
    t.power.powerOn('harv2');
    await waitEvent(t, { type: 'node.ready', node: 'harv2' });
    t.faults.set({ crashLoopAfterRestart: ['longhorn-system/longhorn-manager-*'] });
    const rebooted = await managerOn('harv2');
    const steady = await managerOn('harv41');
    await t.api.delete(K.pod, 'longhorn-system', rebooted.metadata.name, { gracePeriodSeconds: 0 });
    await t.api.delete(K.pod, 'longhorn-system', steady.metadata.name, { gracePeriodSeconds: 0 });
    const crash = await waitEvent(t, { type: 'pod.crashloop', node: 'harv2' });
    expect(crash.object).not.toBe(`longhorn-system/${rebooted.metadata.name}`);
    await until(async () => {
      const p = await managerOn('harv41');
      return p !== undefined && p.metadata.name !== steady.metadata.name && ready(p) === 'True';
    }, 'the replacement on harv41 Ready', t);
    expect(t.events.find({ type: 'pod.crashloop', node: 'harv41' })).toEqual([]);
  });

  it('nodeIpAfterBoot: the node comes back with another IP and its etcd member cannot rejoin', async () => {
    twin = await fastTwin({ faults: { nodeIpAfterBoot: { harv43: '192.168.122.153' } } });
    const t = twin;
    t.power.requestShutdown('harv43');
    await waitEvent(t, { type: 'node.power', node: 'harv43', detail: 'off' });
    t.power.powerOn('harv43');
    await waitEvent(t, { type: 'node.ip-changed', node: 'harv43' });
    await until(async () => (await get(t, K.node, undefined, 'harv43'))?.status.addresses[0].address === '192.168.122.153', 'new InternalIP', t);
    expect(t.etcd.member('harv43')).toMatchObject({ running: false, blocked: expect.stringContaining('192.168.122.153') });
    // two of three members: still a quorum, but a single further loss now stops the cluster
    expect(t.reachability()).toBe('up');
  });

  it.each([
    { name: 'at a moment', spec: { atSeconds: 60, to: 'harv43' } },
    { name: 'on an event', spec: { on: { type: 'node.power', node: 'harv2', detail: 'off' }, to: 'harv42' } },
  ])('leaderChanges $name moves the etcd leader', async ({ spec }) => {
    twin = await fastTwin({ faults: { leaderChanges: [spec] } });
    const t = twin;
    expect(t.etcd.leader()?.node).toBe('harv41');
    if (spec.on) t.power.forceOff('harv2');
    await until(() => t.etcd.leader()?.node === spec.to, `leader on ${spec.to}`, t);
    expect(t.events.last({ type: 'fault' })?.detail).toMatch(/^leader change done/);
    expect(t.etcd.leader()?.term).toBe(46);
  });

  it('shares the API fault settings with the API server and changes them at run time', async () => {
    twin = await fastTwin({ server: true, faults: { api: { errorRate: 0.25 } } });
    const t = twin;
    expect(t.server?.faults.errorRate).toBe(0.25);
    t.faults.set({ api: { errorRate: 0, dropWatchesAfterMs: 500 } });
    expect(t.server?.faults).toMatchObject({ errorRate: 0, dropWatchesAfterMs: 500 });
    t.faults.set({ vmIgnoresAcpi: ['default/vm1'] });
    expect(t.faults.has('vmIgnoresAcpi', 'default/vm1')).toBe(true);
    expect(t.faults.has('vmIgnoresAcpi', 'default/vm2')).toBe(false);
  });
});
