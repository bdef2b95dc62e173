import { afterEach, describe, expect, it } from 'vitest';
import { Annotations } from '../../../src/common/harvester.js';
import type { Twin } from '../../../src/twin/runtime.js';
import { fastTwin, get, K, list, modelled, setRunStrategy, until, waitEvent } from './helpers.js';

let twin: Twin | undefined;
afterEach(async () => twin?.stop());

const replicas = async (t: Twin, name: string) => (await get(t, K.deploy, 'cattle-system', name))?.spec.replicas as number;
const ready = async (t: Twin, name: string) => ((await get(t, K.deploy, 'cattle-system', name))?.status.readyReplicas ?? 0) as number;
const annotate = (t: Twin, name: string, v: string) => t.api.patch(K.deploy, 'cattle-system', name, { metadata: { annotations: { [Annotations.scaleAvailable]: v } } });
const scale = (t: Twin, name: string, n: number) => t.api.patch(K.deploy, 'cattle-system', name, { spec: { replicas: n } });

describe('embedded Rancher: scale-available', () => {
  it.each([
    { value: '3', back: true },
    { value: '7', back: true }, // capped by the nodes matching the nodeSelector (4 here)
    { value: '', back: false },
    { value: 'three', back: false },
  ])('annotation "$value": scaling rancher to 0 comes back = $back', async ({ value, back }) => {
    twin = await fastTwin();
    const t = twin;
    if (value !== '3') await annotate(t, 'rancher', value);
    await scale(t, 'rancher', 0);
    if (back) {
      const ev = await waitEvent(t, { type: 'deployment.scaled', object: 'cattle-system/rancher', since: 0 }, 'scaled back');
      await until(() => t.events.find({ type: 'deployment.scaled', object: 'cattle-system/rancher' }).length >= 2, 'second scale event', t);
      const events = t.events.find({ type: 'deployment.scaled', object: 'cattle-system/rancher' });
      expect(ev.by).toBe('client');
      expect(events[1]).toMatchObject({ by: 'scale-available', data: { from: 0, to: value === '7' ? 4 : 3 } });
    } else {
      await modelled(t, 120);
      expect(await replicas(t, 'rancher')).toBe(0);
      await until(async () => (await list(t, K.pod, { namespace: 'cattle-system', labelSelector: 'app=rancher' })).length === 0, 'rancher pods gone', t);
      expect(t.events.find({ type: 'deployment.scaled', by: 'scale-available' })).toEqual([]);
    }
  });

  it('keeps the agent at 0 only once rancher is gone, and brings it back when rancher runs again (seed 3.2, 5.4)', async () => {
    twin = await fastTwin();
    const t = twin;
    // Agent first, rancher still running: the handler scales it back.
    await scale(t, 'cattle-cluster-agent', 0);
    await until(async () => (await replicas(t, 'cattle-cluster-agent')) === 2, 'agent scaled back by embedded rancher', t);
    // The seed's order: clear, scale rancher to 0, wait for its pods, then the agent.
    await annotate(t, 'rancher', '');
    await scale(t, 'rancher', 0);
    await until(async () => (await list(t, K.pod, { namespace: 'cattle-system', labelSelector: 'app=rancher' })).length === 0, 'rancher pods gone', t);
    await scale(t, 'cattle-cluster-agent', 0);
    await modelled(t, 120);
    expect(await replicas(t, 'cattle-cluster-agent')).toBe(0);
    // Restore (5.4): annotation back, rancher to 3; the agent follows by itself.
    await annotate(t, 'rancher', '3');
    await scale(t, 'rancher', 3);
    await until(async () => (await ready(t, 'cattle-cluster-agent')) === 2, 'agent back to 2 ready', t);
    const agentUp = t.events.last({ type: 'deployment.scaled', object: 'cattle-system/cattle-cluster-agent' });
    expect(agentUp).toMatchObject({ by: 'scale-available', data: { from: 0, to: 2 } });
  });
});

describe('Rancher Manager', () => {
  const machine = { ns: 'downstream', name: 'prod-pool1-6c4f9-2xlqm' };

  it('restarts a node-driver VM stopped while the agent is connected', async () => {
    twin = await fastTwin();
    const t = twin;
    await setRunStrategy(t, machine.ns, machine.name, 'Halted');
    const restarted = await waitEvent(t, { type: 'rancher.vm-restarted', object: `${machine.ns}/${machine.name}` });
    const change = t.events.last({ type: 'vm.runstrategy', object: `${machine.ns}/${machine.name}` });
    expect(change).toMatchObject({ by: 'rancher-manager', data: { from: 'Halted', to: 'RerunOnFailure' } });
    expect(restarted.by).toBe('rancher-manager');
    await until(async () => (await get(t, K.vmi, machine.ns, machine.name))?.status?.phase === 'Running', 'machine running again', t);
  });

  it('cannot restart anything once the agent is scaled down, nor touch traditional VMs', async () => {
    twin = await fastTwin();
    const t = twin;
    await annotate(t, 'rancher', '');
    await scale(t, 'rancher', 0);
    await until(async () => (await list(t, K.pod, { namespace: 'cattle-system', labelSelector: 'app=rancher' })).length === 0, 'rancher gone', t);
    await scale(t, 'cattle-cluster-agent', 0);
    await until(async () => (await ready(t, 'cattle-cluster-agent')) === 0, 'agent gone', t);
    await setRunStrategy(t, machine.ns, machine.name, 'Halted');
    await setRunStrategy(t, 'default', 'web-01', 'Halted');
    await waitEvent(t, { type: 'vmi.deleted', object: `${machine.ns}/${machine.name}` });
    await modelled(t, 300);
    expect(t.events.find({ type: 'rancher.vm-restarted' })).toEqual([]);
    expect((await get(t, K.vm, machine.ns, machine.name))?.spec.runStrategy).toBe('Halted');
  });
});
