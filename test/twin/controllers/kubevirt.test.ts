import { afterEach, describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../src/twin/scenario/schema.js';
import type { Twin } from '../../../src/twin/runtime.js';
import { fastTwin, get, K, list, modelled, setRunStrategy, until, waitEvent } from './helpers.js';

let twin: Twin | undefined;
afterEach(async () => twin?.stop());

/** A small cluster: three control-plane nodes, one worker, VMs with fixed guest timings. */
function small(vms: NonNullable<ScenarioInput['vms']>, extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return {
    apiVersion: 'fallow.twin/v1',
    kind: 'Scenario',
    metadata: { name: 'small' },
    cluster: { vip: '10.0.0.100' },
    nodes: [
      { name: 'cp1', ip: '10.0.0.1', role: 'control-plane' },
      { name: 'cp2', ip: '10.0.0.2', role: 'control-plane' },
      { name: 'cp3', ip: '10.0.0.3', role: 'control-plane' },
      { name: 'w1', ip: '10.0.0.4', role: 'worker' },
    ],
    systemPods: false,
    rancher: { imported: false },
    vms,
    ...extra,
  };
}

const phase = async (t: Twin, ns: string, name: string) => (await get(t, K.vmi, ns, name))?.status?.phase as string | undefined;
const printable = async (t: Twin, ns: string, name: string) => (await get(t, K.vm, ns, name))?.status?.printableStatus as string | undefined;

describe('KubeVirt: VMs and their guests', () => {
  it('stops a VM whose guest honours ACPI: acpi-shutdown after its shutdown time, then the VMI is gone', async () => {
    twin = await fastTwin({ scenario: small([{ name: 'a', runStrategy: 'Always', node: 'w1', shutdownSeconds: 60 }]) });
    const t = twin;
    await setRunStrategy(t, 'default', 'a', 'Halted');
    await until(async () => (await printable(t, 'default', 'a')) === 'Stopping', 'Stopping', t);
    const gone = await waitEvent(t, { type: 'vmi.deleted', object: 'default/a' });
    const acpi = t.events.first({ type: 'guest.acpi-shutdown', object: 'default/a' })!;
    const asked = t.events.first({ type: 'vm.runstrategy', object: 'default/a' })!;
    expect(acpi.node).toBe('w1');
    expect(acpi.t - asked.t).toBeGreaterThanOrEqual(59_000);
    expect(gone.seq).toBeGreaterThan(acpi.seq);
    expect(t.events.first({ type: 'guest.killed' })).toBeUndefined();
    await until(async () => (await printable(t, 'default', 'a')) === 'Stopped', 'Stopped', t);
    expect(await list(t, K.pod, { labelSelector: 'vm.kubevirt.io/name=a' })).toEqual([]);
  });

  it.each([
    { name: 'ignores ACPI', faults: { vmIgnoresAcpi: ['default/a'] }, grace: undefined, killAfter: 180 },
    { name: 'ignores ACPI, stop with a shorter grace', faults: { vmIgnoresAcpi: ['default/*'] }, grace: 30, killAfter: 30 },
  ])('kills a guest that $name at the end of its grace period', async ({ faults, grace, killAfter }) => {
    twin = await fastTwin({ scenario: small([{ name: 'a', runStrategy: 'Always', node: 'w1' }]), faults });
    const t = twin;
    if (grace !== undefined) await t.api.patch(K.vmi, 'default', 'a', { spec: { terminationGracePeriodSeconds: grace } });
    await setRunStrategy(t, 'default', 'a', 'Halted');
    const killed = await waitEvent(t, { type: 'guest.killed', object: 'default/a' });
    const asked = t.events.first({ type: 'vm.runstrategy', object: 'default/a' })!;
    expect(killed.t - asked.t).toBeGreaterThanOrEqual(killAfter * 1000 - 1000);
    expect(killed.detail).toContain(`${killAfter}s`);
    expect(t.events.first({ type: 'guest.acpi-shutdown' })).toBeUndefined();
    await waitEvent(t, { type: 'vmi.deleted', object: 'default/a' });
  });

  it('starts a Halted VM: VMI Pending → Scheduling → Scheduled → Running after its boot time, volume attached first', async () => {
    twin = await fastTwin({ scenario: small([{ name: 'b', runStrategy: 'Halted', bootSeconds: 40 }]) });
    const t = twin;
    expect(await phase(t, 'default', 'b')).toBeUndefined();
    await setRunStrategy(t, 'default', 'b', 'Always');
    const running = await waitEvent(t, { type: 'vmi.running', object: 'default/b' });
    const created = t.events.first({ type: 'vmi.created', object: 'default/b' })!;
    const attached = t.events.first({ type: 'volume.attached' })!;
    expect(attached.seq).toBeLessThan(running.seq);
    expect(running.t - created.t).toBeGreaterThanOrEqual(40_000);
    expect(running.node).not.toBeUndefined();
    const vmi = await get(t, K.vmi, 'default', 'b');
    const transitions = (vmi?.status.phaseTransitionTimestamps as { phase: string }[]).map((p) => p.phase);
    expect(transitions).toEqual(['Scheduling', 'Scheduled', 'Running']);
    expect(vmi?.status.interfaces[0].ipAddress).toMatch(/^10\.52\./);
    await until(async () => (await printable(t, 'default', 'b')) === 'Running', 'VM Running', t);
    expect((await get(t, K.vm, 'default', 'b'))?.metadata.annotations?.['harvesterhci.io/vmRunStrategy']).toBe('Always');
    const pods = await list(t, K.pod, { labelSelector: 'vm.kubevirt.io/name=b' });
    expect(pods).toHaveLength(1);
    expect(pods[0]!.metadata.name).toMatch(/^virt-launcher-b-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it.each([
    { strategy: 'Always', restarts: true },
    { strategy: 'RerunOnFailure', restarts: true },
    { strategy: 'Manual', restarts: false },
  ])('after a power cut, a $strategy VM is restarted = $restarts once the node is back', async ({ strategy, restarts }) => {
    twin = await fastTwin({ scenario: small([{ name: 'c', runStrategy: strategy as 'Always', state: 'Running', node: 'w1' }]) });
    const t = twin;
    t.power.forceOff('w1');
    await waitEvent(t, { type: 'guest.lost', object: 'default/c' });
    expect(await phase(t, 'default', 'c')).toBe('Running'); // stale: nobody reports from a dead node
    t.power.powerOn('w1');
    await waitEvent(t, { type: 'vmi.failed', object: 'default/c' });
    if (restarts) {
      await until(() => t.events.find({ type: 'vmi.running', object: 'default/c' }).length === 1, 'VMI running again', t);
    } else {
      await modelled(t, 120);
      expect(t.events.find({ type: 'vmi.created', object: 'default/c' })).toEqual([]);
      expect(await phase(t, 'default', 'c')).toBe('Failed');
    }
  });

  it('honours stop/start state-change requests for Manual and RerunOnFailure VMs', async () => {
    twin = await fastTwin({ scenario: small([{ name: 'm', runStrategy: 'Manual', state: 'Running', node: 'cp1', shutdownSeconds: 10 }, { name: 'r', runStrategy: 'RerunOnFailure', node: 'cp2', shutdownSeconds: 10 }]) });
    const t = twin;
    for (const name of ['m', 'r']) {
      const vmi = await get(t, K.vmi, 'default', name);
      const vm = (await get(t, K.vm, 'default', name))!;
      await t.api.update({ ...vm, status: { ...vm.status, stateChangeRequests: [{ action: 'Stop', uid: vmi!.metadata.uid }] } }, { subresource: 'status' });
    }
    await waitEvent(t, { type: 'vmi.deleted', object: 'default/m' });
    await waitEvent(t, { type: 'vmi.deleted', object: 'default/r' });
    await modelled(t, 60);
    expect(await phase(t, 'default', 'm')).toBeUndefined();
    expect(await phase(t, 'default', 'r')).toBeUndefined(); // RerunOnFailure does not restart a stopped VM
    expect((await get(t, K.vm, 'default', 'r'))?.status.stateChangeRequests).toBeUndefined();
    const vm = (await get(t, K.vm, 'default', 'm'))!;
    await t.api.update({ ...vm, status: { ...vm.status, stateChangeRequests: [{ action: 'Start' }] } }, { subresource: 'status' });
    await waitEvent(t, { type: 'vmi.running', object: 'default/m' });
  });

  it('a VM that cannot be scheduled shows ErrorUnschedulable', async () => {
    twin = await fastTwin({ scenario: small([{ name: 'u', runStrategy: 'Halted' }]) });
    const t = twin;
    for (const n of ['cp1', 'cp2', 'cp3', 'w1']) await t.api.patch(K.node, undefined, n, { spec: { unschedulable: true } });
    await setRunStrategy(t, 'default', 'u', 'Always');
    await until(async () => (await printable(t, 'default', 'u')) === 'ErrorUnschedulable', 'ErrorUnschedulable', t);
  });
});
