// The guest-first stop's bookkeeping (3.1/3.2): between full looks only the VMs it stopped
// are read again, a full look still sees every VM, and it is never done on a partial look.
import { describe, expect, it } from 'vitest';
import type { VirtualMachineInstanceObject } from '../../src/common/harvester-types.js';
import type { StepContext, WaitResult } from '../../src/engine/types.js';
import { defaultRunOptions, type RunbookEnv } from '../../src/runbook/env.js';
import type { VmFact } from '../../src/runbook/facts.js';
import { stopVmsWait } from '../../src/runbook/lib/stop-vms.js';
import { MapCache } from '../helpers/map-cache.js';

const fact = (name: string): VmFact => ({ namespace: 'default', name, runStrategy: 'Always', vmiRan: true, downstream: false, priority: 0 });
const vmi = (name: string): VirtualMachineInstanceObject => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { namespace: 'default', name }, status: { phase: 'Running' } });

function setup(n: number) {
  const vmis = new MapCache<VirtualMachineInstanceObject>();
  const facts = Array.from({ length: n }, (_, i) => fact(`vm-${String(i).padStart(2, '0')}`));
  for (const f of facts) vmis.objects.set(`default/${f.name}`, vmi(f.name));
  const stops: string[] = [];
  let now = 0;
  const env = {
    cluster: {
      cache: () => vmis,
      vmAction: async (ns: string, name: string) => void stops.push(`${ns}/${name}`),
    },
    options: { ...defaultRunOptions, stopConcurrency: 2 },
  } as unknown as RunbookEnv;
  const ctx = { env, clock: { now: () => now }, warn: async () => undefined } as unknown as StepContext<RunbookEnv>;
  const wait = stopVmsWait(ctx, facts, 'VMs');
  return {
    vmis,
    stops,
    at: (ms: number) => (now = ms),
    evaluate: (): Promise<WaitResult> => wait.evaluate(ctx),
  };
}

describe('stopVmsWait', () => {
  it('reads every VM on a full look, then only the ones it stopped', async () => {
    const b = setup(30);
    expect(await b.evaluate()).toMatchObject({ state: 'waiting' });
    expect(b.stops).toEqual(['default/vm-00', 'default/vm-01']);
    const fullReads = b.vmis.reads;
    expect(fullReads).toBeGreaterThanOrEqual(30);
    b.vmis.reads = 0;
    b.at(1000);
    b.vmis.objects.delete('default/vm-00'); // its guest shut down
    expect(await b.evaluate()).toMatchObject({ state: 'waiting' });
    expect(b.stops).toEqual(['default/vm-00', 'default/vm-01', 'default/vm-02']);
    // vm-00 and vm-01 looked at, and the grace of the one started now read from its VMI.
    expect(b.vmis.reads).toBeLessThanOrEqual(4);
  });

  it('sees a VM stopped by someone else at the next full look, and is done only after a full one', async () => {
    const b = setup(3);
    await b.evaluate(); // stops vm-00, vm-01
    b.vmis.objects.delete('default/vm-02'); // stopped from its console
    b.vmis.objects.delete('default/vm-00');
    b.vmis.objects.delete('default/vm-01');
    b.at(1000);
    // A partial look sees vm-00 and vm-01 gone and vm-02 as the full look left it: pending,
    // so it is asked to stop (idempotent), not skipped.
    expect(await b.evaluate()).toMatchObject({ state: 'waiting' });
    expect(b.stops).toContain('default/vm-02');
    b.at(2000);
    expect(await b.evaluate()).toMatchObject({ state: 'done', detail: '3 VMs stopped' });
  });

  it('is never done on a partial look: a VM the last full look saw stopped but that runs again keeps it waiting', async () => {
    const b = setup(2);
    b.vmis.objects.delete('default/vm-01'); // already off at the first (full) look
    await b.evaluate(); // stops vm-00 only
    expect(b.stops).toEqual(['default/vm-00']);
    b.vmis.objects.delete('default/vm-00');
    b.vmis.objects.set('default/vm-01', vmi('vm-01')); // started by someone meanwhile
    b.at(1000);
    expect(await b.evaluate()).toMatchObject({ state: 'waiting' });
    expect(b.stops).toEqual(['default/vm-00', 'default/vm-01']);
  });
});
