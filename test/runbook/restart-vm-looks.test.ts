// The VM waves' bookkeeping (5.5): which VMs a partial look reads again, and that a full
// look (each poll interval) still sees every VM.
import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstanceObject, VirtualMachineObject } from '../../src/common/harvester-types.js';
import type { VmFact } from '../../src/runbook/facts.js';
import { poolItems } from '../../src/runbook/lib/stop-vms.js';
import { MapCache } from '../helpers/map-cache.js';
import { VmLooks } from '../../src/runbook/restart/vms.js';

const fact = (name: string, runStrategy: string): VmFact => ({ namespace: 'default', name, runStrategy, vmiRan: true, downstream: false, priority: 0 });
const vm = (name: string, runStrategy: string): VirtualMachineObject => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { namespace: 'default', name }, spec: { runStrategy: runStrategy as 'Always' } });
const vmi = (name: string, phase: 'Scheduling' | 'Running'): VirtualMachineInstanceObject => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { namespace: 'default', name }, status: { phase } });

function setup() {
  const facts = [fact('a', 'Always'), fact('b', 'Always'), fact('m', 'Manual'), ...Array.from({ length: 20 }, (_, i) => fact(`idle-${i}`, 'Always'))];
  const vms = new MapCache<VirtualMachineObject>();
  const vmis = new MapCache<VirtualMachineInstanceObject>();
  for (const f of facts) vms.put(vm(f.name, f.name === 'm' ? 'Manual' : 'Halted'));
  return { looks: new VmLooks(poolItems(facts, 'start'), 15_000), vms, vmis };
}

describe('VmLooks', () => {
  it('reads every VM on a full look, then only the ones in flight or just started', () => {
    const { looks, vms, vmis } = setup();
    looks.refreshVms(vmis, vms, 0);
    expect(vmis.reads).toBe(23);
    vms.put(vm('a', 'Always')); // restored: in flight from the next look it gets
    looks.started(['default/a', 'default/m']);
    vmis.reads = 0;
    const r = looks.refreshVms(vmis, vms, 1000);
    expect(vmis.reads).toBe(2);
    expect([...r.inFlight]).toEqual(['default/a']); // m: a start request, no VMI yet
    vmis.put(vmi('m', 'Scheduling'));
    vmis.put(vmi('a', 'Running'));
    const r2 = looks.refreshVms(vmis, vms, 2000);
    expect([...r2.finished]).toEqual(['default/a']);
    expect([...r2.inFlight]).toEqual(['default/m']);
    vmis.reads = 0;
    looks.refreshVms(vmis, vms, 3000);
    expect(vmis.reads).toBe(1); // a finished: no longer read between full looks
  });

  it('sees a VM someone else started, and a finished one that stopped again, at the next full look', () => {
    const { looks, vms, vmis } = setup();
    looks.refreshVms(vmis, vms, 0);
    vms.put(vm('b', 'Always'));
    vmis.put(vmi('b', 'Running'));
    expect(looks.refreshVms(vmis, vms, 1000).finished.has('default/b')).toBe(false);
    expect(looks.refreshVms(vmis, vms, 15_000).finished.has('default/b')).toBe(true);
    vmis.objects.delete('default/b');
    expect(looks.refreshVms(vmis, vms, 16_000).finished.has('default/b')).toBe(true);
    expect(looks.refreshVms(vmis, vms, 16_000, true).finished.has('default/b')).toBe(false);
  });
});
