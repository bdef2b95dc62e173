import { afterEach, describe, expect, it } from 'vitest';
import { Etcdctl } from '../../../src/common/harvester.js';
import { execHandler } from '../../../src/twin/etcd/exec.js';
import type { Twin } from '../../../src/twin/runtime.js';
import { fastTwin, get, K, modelled, until, waitEvent } from './helpers.js';

let twin: Twin | undefined;
afterEach(async () => twin?.stop());

const vip = async (t: Twin) => (await get(t, K.svc, 'kube-system', 'ingress-expose'))?.status?.loadBalancer?.ingress?.[0]?.ip as string | undefined;

describe('control plane: etcd quorum, API reachability, VIP', () => {
  it('loses quorum → unavailable → refused, and comes back with the last leader first', async () => {
    twin = await fastTwin();
    const t = twin;
    expect(t.reachability()).toBe('up');
    t.power.requestShutdown('harv42');
    await waitEvent(t, { type: 'node.power', node: 'harv42', detail: 'off' });
    expect(t.reachability()).toBe('up');
    t.power.requestShutdown('harv43');
    await waitEvent(t, { type: 'api.reachability', detail: 'unavailable' });
    expect(t.etcd.leader()).toBeUndefined();
    t.power.requestShutdown('harv41');
    await waitEvent(t, { type: 'api.reachability', detail: 'refused' });
    await waitEvent(t, { type: 'vip.cleared' });
    expect(await vip(t)).toBeUndefined();

    await waitEvent(t, { type: 'node.power', node: 'harv41', detail: 'off' });
    t.power.powerOn('harv41');
    await waitEvent(t, { type: 'node.power', node: 'harv41', detail: 'on' });
    expect(t.reachability()).toBe('unavailable'); // one of three members: no quorum
    const since = t.clock.now();
    t.power.powerOn('harv42');
    await waitEvent(t, { type: 'api.reachability', detail: 'up', since });
    expect(t.etcd.leader()?.node).toBe('harv41');
    await until(async () => (await vip(t)) === '192.168.122.144', 'VIP back on ingress-expose', t);
    const order = t.events.find({ type: ['etcd.quorum-lost', 'api.reachability', 'etcd.quorum-regained', 'vip.set', 'vip.cleared'] }).map((e) => `${e.type}${e.detail && e.type === 'api.reachability' ? `:${e.detail}` : ''}`);
    expect(order).toEqual(['etcd.quorum-lost', 'api.reachability:unavailable', 'api.reachability:refused', 'vip.cleared', 'api.reachability:unavailable', 'etcd.quorum-regained', 'api.reachability:up', 'vip.set']);
  });

  it('keeps the VIP away after the restart when the fault says so', async () => {
    twin = await fastTwin({ faults: { vipDoesNotReturn: true } });
    const t = twin;
    for (const n of ['harv41', 'harv42', 'harv43']) t.power.forceOff(n);
    await waitEvent(t, { type: 'vip.cleared' });
    for (const n of ['harv41', 'harv42', 'harv43']) t.power.powerOn(n);
    await until(() => t.reachability() === 'up', 'API up', t);
    await modelled(t, 120);
    expect(await vip(t)).toBeUndefined();
  });

  it('pauses the cluster while the API is down: no node goes NotReady without a control plane', async () => {
    twin = await fastTwin();
    const t = twin;
    for (const n of ['harv42', 'harv43']) t.power.forceOff(n);
    await until(() => t.reachability() === 'unavailable', 'no quorum', t);
    t.power.forceOff('harv2');
    await modelled(t, 300);
    expect(t.events.first({ type: 'node.notready' })).toBeUndefined();
    expect(ready(await get(t, K.node, undefined, 'harv2'))).toBe('True'); // stale, as etcd holds it
  });

  it('answers etcdctl in the etcd pod, moves the leader, and fails exec on a dead node', async () => {
    twin = await fastTwin();
    const t = twin;
    const exec = execHandler(t.etcd, t.kubelets, () => t.clock.now());
    const pod = (await get(t, K.pod, 'kube-system', 'etcd-harv42'))!;
    const st = await exec(pod, 'etcd', ['env', 'ETCDCTL_API=3', 'etcdctl', 'endpoint', 'status', '--cluster', '-w', 'json', ...Etcdctl.flags]);
    expect(st.exitCode).toBe(0);
    expect(st.stdout).toContain('"Endpoint":"https://192.168.122.141:2379"');
    const leaderPod = (await get(t, K.pod, 'kube-system', 'etcd-harv41'))!;
    const mv = await exec(leaderPod, 'etcd', ['etcdctl', 'move-leader', 'db04095b49eb5352', ...Etcdctl.flags]);
    expect(mv).toMatchObject({ exitCode: 0, stdout: 'Leadership transferred from c70780b7862269c9 to db04095b49eb5352\n' });
    expect(t.etcd.leader()?.node).toBe('harv42');
    t.power.forceOff('harv43');
    const dead = (await get(t, K.pod, 'kube-system', 'etcd-harv43'))!;
    await expect(exec(dead, 'etcd', ['etcdctl', 'member', 'list', ...Etcdctl.flags])).rejects.toThrow(/error dialing backend: dial tcp 192\.168\.122\.143:10250/);
  });

  it('restarts the etcd member when its pod is deleted (the seed’s witness step)', async () => {
    twin = await fastTwin({ scenarioPath: 'witness' });
    const t = twin;
    expect(t.etcd.leader()?.node).toBe('harv43');
    await t.api.delete(K.pod, 'kube-system', 'etcd-harv43');
    await until(() => t.etcd.leader() !== undefined && t.etcd.leader()!.node !== 'harv43', 'leadership moved off the witness', t);
    await until(async () => ready(await get(t, K.pod, 'kube-system', 'etcd-harv43')) === 'True', 'etcd-harv43 mirror pod back and ready', t);
    expect(t.etcd.member('harv43')?.running).toBe(true);
    expect(t.etcd.leader()!.term).toBe(47);
  });
});

function ready(o: { status?: { conditions?: { type: string; status: string }[] } } | undefined): string | undefined {
  return o?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}
