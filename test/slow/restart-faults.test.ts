// The restart against what goes wrong when a cluster comes back (seed 5): each stops with
// the object named — and the report shows it — instead of carrying on past a gate.
import { describe, expect, it } from 'vitest';
import type { FaultsInput } from '../../src/twin/faults.js';
import { startBed } from '../runbook/bed.js';

const cases: { name: string; faults: FaultsInput; stops: RegExp }[] = [
  { name: 'a node that does not boot', faults: { nodeWontBoot: ['harv42'] }, stops: /harv42/ },
  { name: 'a node that comes back with another IP', faults: { nodeIpAfterBoot: { harv42: '192.168.122.200' } }, stops: /IP changed: harv42: recorded 192\.168\.122\.142, now 192\.168\.122\.200/ },
  { name: 'a VIP that does not come back', faults: { vipDoesNotReturn: true }, stops: /ingress-expose/ },
  { name: 'an addon that fails to deploy', faults: { addonDeployFails: ['cattle-monitoring-system/rancher-monitoring'] }, stops: /rancher-monitoring failed to deploy/ },
  // Not yet: a crash-looping system pod and a volume faulted after the restart are not seen
  // by the health gate on the twin (the first completes, the second surfaces only as VMs
  // that do not start) — see the session note.
];

describe.each(cases)('restart with a fault: $name', (c) => {
  it('stops naming the object', async () => {
    const bed = await startBed();
    try {
      const s = await bed.shutdown();
      expect(s.state).toBe('completed');
      bed.twin.faults.set(c.faults);
      const r = await bed.restart(s.runId, { options: { healthTimeoutMs: 5 * 60_000 } });
      expect(r.state).toBe('stopped');
      expect(r.message).toMatch(c.stops);
    } finally {
      await bed.close();
    }
  }, 300_000);
});
