// The shutdown against the twin's faults: each ends finished (with the warning an operator
// needs) or stopped with a message naming the object and the next action — never silently
// past a gate.
import { describe, expect, it } from 'vitest';
import { auditShutdown } from '../../src/twin/audit.js';
import type { FaultsInput } from '../../src/twin/faults.js';
import type { RunOptions } from '../../src/runbook/index.js';
import { startBed, type Bed } from '../runbook/bed.js';

interface Case {
  name: string;
  faults: FaultsInput;
  options?: Partial<RunOptions>;
  /** An operator at the terminal: answers yes except to questions matching this. */
  refuses?: RegExp;
  /** Stopped with a message matching this, or completed (undefined). */
  stops?: RegExp;
  warns?: RegExp;
}

const cases: Case[] = [
  { name: 'a VM that ignores ACPI is powered off at the end of its grace, and said so', faults: { vmIgnoresAcpi: ['default/vm1'] }, warns: /default\/vm1.*grace period/ },
  {
    name: 'a rancher pod stuck Terminating stops the run when the operator refuses to force-delete it, naming it and the flag',
    faults: { podStuckTerminating: ['cattle-system/rancher-*'] },
    refuses: /Force-delete/,
    stops: /stuck Terminating.*cattle-system\/rancher-.*--force-delete-stuck-pods/s,
  },
  { name: 'with --force-delete-stuck-pods the stuck pod is force-deleted and the run goes on', faults: { podStuckTerminating: ['cattle-system/rancher-*'] }, options: { forceDeleteStuckPods: true }, warns: /force-deleting pod cattle-system\/rancher-/ },
  { name: 'an addon stuck Disabling stops the run naming it', faults: { addonStuckDisabling: ['cattle-monitoring-system/rancher-monitoring'] }, stops: /rancher-monitoring/ },
  { name: 'a volume stuck attached stops the run before any node goes down, naming it', faults: { volumeStuckAttached: ['*'] }, stops: /Longhorn volume.*attached/ },
  { name: 'transient API errors and dropped watches are retried to the end', faults: { api: { errorRate: 0.05, dropWatchesAfterMs: 1500 } } },
  { name: 'a leader change mid-run puts the new leader last', faults: { leaderChanges: [{ on: { type: 'node.power', node: 'harv2', detail: 'off' }, to: 'harv43' }] } },
];

describe.each(cases)('shutdown with a fault: $name', (c) => {
  it('ends as an operator needs', async () => {
    const bed: Bed = await startBed({ faults: c.faults });
    try {
      const since = bed.twin.clock.now();
      const initialLeader = bed.twin.etcd.leader()?.node;
      const refuses = c.refuses;
      const engine = refuses ? { yes: false, interactive: true, prompt: async (q: { question: string }) => !refuses.test(q.question) } : {};
      const r = await bed.shutdown({ options: c.options ?? {}, engine });
      if (c.stops) {
        expect(r.state).toBe('stopped');
        expect(r.message).toMatch(c.stops);
        expect(r.message).toMatch(/fallow resume|--force|Fix|then/);
        // Nothing beyond the gate: no node went down.
        expect(bed.twin.events.find({ type: 'node.power', detail: 'off' })).toEqual([]);
      } else {
        expect(r.message ?? '').toBe('');
        expect(r.state).toBe('completed');
        const s = bed.twin.scenario;
        const findings = auditShutdown({
          events: bed.twin.events,
          workers: s.nodes.filter((n) => n.role === 'worker').map((n) => n.name),
          etcdNodes: s.nodes.filter((n) => n.role !== 'worker').map((n) => n.name),
          downstreamVms: s.vms.filter((v) => v.guestCluster).map((v) => `${v.namespace ?? 'default'}/${v.name}`),
          since,
          ...(initialLeader ? { initialLeader } : {}),
        });
        expect(findings.filter((f) => !f.ok)).toEqual([]);
      }
      if (c.warns) expect(bed.events.filter((e) => e.type === 'warning').map((e) => e.message).join('\n')).toMatch(c.warns);
    } finally {
      await bed.close();
    }
  }, 300_000);
});

describe('Rancher Manager and the order of 3.2', () => {
  it('re-creates downstream VMs stopped while the agent is connected (the seed\'s warning), not when fallow disconnects first', async () => {
    const bed = await startBed();
    try {
      const vm = bed.twin.scenario.vms.find((v) => v.guestCluster)!;
      const key = `${vm.namespace ?? 'default'}/${vm.name}`;
      // The wrong order: stop a node-driver VM while Rancher is connected.
      expect(await bed.conn.cluster.vmAction(vm.namespace ?? 'default', vm.name, 'stop')).toBe('ok');
      const restarted = await Promise.race([
        bed.twin.events.waitFor({ type: 'rancher.vm-restarted', object: key }, { past: true }).then(() => true),
        bed.twin.clock.sleep(30 * 60_000).then(() => false),
      ]);
      expect(restarted).toBe(true);
    } finally {
      await bed.close();
    }
    // fallow's order: Rancher scaled down before any downstream VM stops.
    const ok = await startBed();
    try {
      const r = await ok.shutdown();
      expect(r.state).toBe('completed');
      expect(ok.twin.events.find({ type: 'rancher.vm-restarted' })).toEqual([]);
    } finally {
      await ok.close();
    }
  }, 300_000);
});
