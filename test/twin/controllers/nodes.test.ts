import { afterEach, describe, expect, it } from 'vitest';
import type { Twin } from '../../../src/twin/runtime.js';
import { fastTwin, get, K, list, modelled, ready, until, waitEvent } from './helpers.js';

let twin: Twin | undefined;
afterEach(async () => twin?.stop());

describe('node power and kubelets', () => {
  it('goes NotReady after the monitor grace once off, keeps stale pods, and restarts them on boot', async () => {
    twin = await fastTwin();
    const t = twin;
    const podsBefore = await list(t, K.pod, { fieldSelector: 'spec.nodeName=harv2' });
    const ds = podsBefore.find((p) => p.metadata.name.startsWith('rke2-canal-'))!;
    t.power.requestShutdown('harv2');
    expect(t.power.state('harv2')).toBe('shutting-down');
    const off = await waitEvent(t, { type: 'node.power', node: 'harv2', detail: 'off' });
    const notReady = await waitEvent(t, { type: 'node.notready', node: 'harv2' });
    const stopped = t.events.first({ type: 'node.power', node: 'harv2', detail: 'shutting-down' })!;
    // the node monitor grace counts from the kubelet's last heartbeat, not from power-off
    expect(notReady.t - stopped.t).toBeGreaterThanOrEqual(t.scenario.timing.nodeMonitorGraceSeconds * 1000);
    expect(off.t).toBeGreaterThan(stopped.t);
    const node = await get(t, K.node, undefined, 'harv2');
    expect(ready(node)).toBe('Unknown');
    expect(node?.status.conditions.find((c: { type: string }) => c.type === 'Ready').reason).toBe('NodeStatusUnknown');
    expect(node?.spec.taints.map((x: { key: string; effect: string }) => `${x.key}:${x.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
    const stale = await get(t, K.pod, ds.metadata.namespace, ds.metadata.name);
    expect(stale?.status.phase).toBe('Running');
    expect(ready(stale)).toBe('False');
    // the VMs that still ran there went down with it
    expect(t.events.find({ type: 'guest.lost', node: 'harv2' }).length).toBeGreaterThan(0);

    t.power.powerOn('harv2');
    expect(t.power.state('harv2')).toBe('booting');
    await waitEvent(t, { type: 'node.ready', node: 'harv2' });
    await until(async () => ready(await get(t, K.pod, ds.metadata.namespace, ds.metadata.name)) === 'True', 'canal pod ready again', t);
    const restarted = await get(t, K.pod, ds.metadata.namespace, ds.metadata.name);
    expect(restarted?.status.containerStatuses[0].restartCount).toBe(ds.status.containerStatuses[0].restartCount + 1);
    const after = await get(t, K.node, undefined, 'harv2');
    expect(after?.spec.taints).toBeUndefined();
    expect(after?.status.nodeInfo.bootID).not.toBe(node?.status.nodeInfo.bootID);
  });

  it('a power cut then power-on: NotReady while it boots, Ready once booted', async () => {
    twin = await fastTwin();
    const t = twin;
    t.power.forceOff('harv2');
    expect(t.power.state('harv2')).toBe('off');
    t.power.powerOn('harv2');
    await waitEvent(t, { type: 'node.power', node: 'harv2', detail: 'on' });
    // boot takes minutes, far beyond the grace: NotReady must have happened in between
    expect(t.events.first({ type: 'node.notready', node: 'harv2' })).toBeDefined();
    await waitEvent(t, { type: 'node.ready', node: 'harv2' });
  });

  it.each([
    { fault: 'nodeWontPowerOff' as const, act: (t: Twin) => t.power.requestShutdown('harv2'), stuck: 'shutting-down' },
    { fault: 'nodeWontBoot' as const, act: (t: Twin) => (t.power.forceOff('harv2'), t.power.powerOn('harv2')), stuck: 'booting' },
  ])('$fault leaves the node $stuck until forced', async ({ fault, act, stuck }) => {
    twin = await fastTwin({ faults: { [fault]: ['harv2'] } });
    const t = twin;
    act(t);
    await modelled(t, 900);
    expect(t.power.state('harv2')).toBe(stuck);
    expect(t.events.first({ type: 'fault', node: 'harv2' })?.detail).toContain(fault);
    t.power.forceOff('harv2');
    expect(t.power.state('harv2')).toBe('off');
  });

  it('evicts pods that do not tolerate an unreachable node after 300 s; daemon pods stay', async () => {
    twin = await fastTwin();
    const t = twin;
    t.power.forceOff('harv2');
    const ev = await waitEvent(t, { type: 'pod.evicted', node: 'harv2' });
    const notReady = t.events.first({ type: 'node.notready', node: 'harv2' })!;
    // taints carry whole-second timestamps
    expect(ev.t - notReady.t).toBeGreaterThanOrEqual(t.scenario.timing.podEvictionSeconds * 1000 - 1000);
    const pods = await list(t, K.pod, { fieldSelector: 'spec.nodeName=harv2' });
    const evicted = pods.find((p) => p.metadata.name === ev.object!.split('/')[1]);
    expect(evicted?.metadata.deletionTimestamp).toBeDefined(); // Terminating until the node returns
    expect(pods.filter((p) => p.metadata.name.startsWith('rke2-canal-')).every((p) => !p.metadata.deletionTimestamp)).toBe(true);
  });
});
