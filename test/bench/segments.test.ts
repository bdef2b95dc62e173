// fallow's own time per seed section comes from its engine events; the generated large
// scenarios must be valid twin scenarios of the requested size.
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.js';
import { validateScenario } from '../../src/twin/scenario/load.js';
import { largeScenario } from '../../bench/scenarios.js';
import { runTime, segmentTimes, stepTimes } from '../../bench/segments.js';

const ev = (t: number, body: Record<string, unknown>) => ({ t, runId: 'r', ...body }) as unknown as EngineEvent;

describe('stepTimes', () => {
  const events = [
    ev(0, { type: 'run-start', runbook: 'shutdown', resumed: false, dryRun: false, steps: [] }),
    ev(0, { type: 'step-start', step: 'shutdown.support-bundle', title: '', index: 0, total: 3, resumed: false }),
    ev(90_000, { type: 'step-done', step: 'shutdown.support-bundle', alreadyDone: false }),
    ev(90_000, { type: 'step-start', step: 'shutdown.record-network', title: '', index: 1, total: 3, resumed: false }),
    ev(90_000, { type: 'step-done', step: 'shutdown.record-network', alreadyDone: false }),
    ev(91_000, { type: 'step-start', step: 'shutdown.snapshot', title: '', index: 2, total: 3, resumed: false }),
    ev(93_000, { type: 'step-done', step: 'shutdown.snapshot', alreadyDone: false }),
    ev(93_000, { type: 'run-end', state: 'completed', exitCode: 0 }),
  ];

  it('charges each step from its start to its end, to its seed section', () => {
    expect(stepTimes(events).map((s) => [s.step, s.ms])).toEqual([
      ['shutdown.support-bundle', 90_000],
      ['shutdown.record-network', 0],
      ['shutdown.snapshot', 2_000],
    ]);
    const by = segmentTimes(events);
    expect(by.get('1.1 support bundle')).toBe(90_000);
    expect(by.get('1.2 record')).toBe(2_000);
  });

  it('measures a run from its start to its end', () => {
    expect(runTime(events)).toBe(93_000);
  });
});

describe('largeScenario', () => {
  it('is a valid scenario with the requested VMs, volumes and 20 nodes', () => {
    const s = validateScenario(largeScenario({ vms: 250, volumes: 50 }));
    expect(s.nodes).toHaveLength(20);
    expect(s.nodes.filter((n) => n.role === 'control-plane')).toHaveLength(3);
    expect(s.vms).toHaveLength(250);
    expect(s.vms.reduce((a, v) => a + v.disks.length, 0)).toBe(50);
    expect(s.vms.filter((v) => v.guestCluster)).toHaveLength(25);
  });
});
