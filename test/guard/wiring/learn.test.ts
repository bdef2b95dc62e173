// Learning step times from shutdown journals: step-start → step-done in one session, the
// run's VM-stop options and running VMs, and only completed shutdowns of this cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LEARN_FROM_RUNS, pastShutdown, shutdownHistory } from '../../../src/guard/wiring/learn.js';
import type { JournalRecord, RecordBody } from '../../../src/journal/records.js';
import { createRun } from '../../../src/journal/run.js';

const identity = { uid: 'c0ffee00-0000-4000-8000-000000000001', server: 'https://127.0.0.1:6443' };
const vmsFact = [
  { namespace: 'default', name: 'a', vmiRan: true, downstream: false, priority: 100 },
  { namespace: 'default', name: 'b', vmiRan: false, downstream: false, priority: 100 },
  { namespace: 'd', name: 'c', vmiRan: true, downstream: true, priority: 100 },
];
const networkFact = {
  nodes: ['w', 'cp1', 'cp2', 'cp3'].map((name) => ({ name, ip: '10.0.0.1', roles: [], etcd: name.startsWith('cp'), witness: false, controlPlane: name.startsWith('cp') })),
  vip: {},
  settings: {},
  clusterNetworks: [],
  vlanConfigs: [],
  vmNetworks: [],
  warnings: [],
};

/** A shutdown journal's bodies: steps as [id, seconds, alreadyDone?]; a resume splits the run. */
function bodies(steps: [string, number, boolean?][], o: { resumeBefore?: string; end?: 'completed' | 'stopped' } = {}): { body: RecordBody; dt: number }[] {
  const out: { body: RecordBody; dt: number }[] = [
    { body: { type: 'fact', key: 'vms', value: vmsFact }, dt: 0 },
    { body: { type: 'fact', key: 'network', value: networkFact }, dt: 0 },
  ];
  for (const [step, sec, already] of steps) {
    if (o.resumeBefore === step) out.push({ body: { type: 'step-start', step }, dt: 0 }, { body: { type: 'resume', pid: 1, host: 'h', version: '0', options: null }, dt: 5000 });
    else out.push({ body: { type: 'step-start', step }, dt: 0 });
    out.push({ body: { type: 'step-done', step, ...(already ? { alreadyDone: true } : {}) }, dt: sec * 1000 });
  }
  if (o.end) out.push({ body: { type: 'run-end', state: o.end, exitCode: 0, ...(o.end === 'stopped' ? { reason: 'interrupted' as const } : {}) }, dt: 0 });
  return out;
}

function records(bs: { body: RecordBody; dt: number }[], options: Record<string, string | boolean>): JournalRecord[] {
  let t = 1_000_000;
  const start: JournalRecord = { v: 1, seq: 1, t, type: 'run-start', runId: 'r1', runbook: 'shutdown', cluster: identity, options, version: '0', steps: [], pid: 1, host: 'h' };
  return [start, ...bs.map((b, i) => ({ v: 1, seq: i + 2, t: (t += b.dt), ...b.body }) as JournalRecord)];
}

describe('pastShutdown', () => {
  it('step times, VM-stop options and running VMs of one run', () => {
    const rs = records(bodies([['shutdown.support-bundle', 100], ['shutdown.stop-traditional-vms', 70], ['shutdown.other-workloads', 1, true], ['shutdown.etcd-followers', 90]]), { stopConcurrency: '4', guestGrace: '90', power: '/p.yaml' });
    expect(pastShutdown(rs)).toEqual({
      runId: 'r1',
      stepMs: { 'shutdown.support-bundle': 100_000, 'shutdown.stop-traditional-vms': 70_000, 'shutdown.etcd-followers': 90_000 },
      stopConcurrency: 4,
      guestGraceSeconds: 90,
      runningVms: { traditional: 1, downstream: 1 },
      etcdNodes: 3,
    });
  });

  it('a step that spans a resume teaches nothing; a run without stored options uses the defaults', () => {
    const rs = records(bodies([['shutdown.snapshot', 10], ['shutdown.workers', 60]], { resumeBefore: 'shutdown.workers' }), {});
    const p = pastShutdown(rs)!;
    expect(p.stepMs).toEqual({ 'shutdown.snapshot': 10_000 });
    expect(p.stopConcurrency).toBe(10);
    expect(p.guestGraceSeconds).toBeUndefined();
  });

  it('is only about shutdowns', () => {
    const rs = records(bodies([]), {});
    expect(pastShutdown([{ ...rs[0]!, runbook: 'restart' } as JournalRecord])).toBeUndefined();
    expect(pastShutdown([])).toBeUndefined();
  });
});

describe('shutdownHistory', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('the newest completed shutdowns of the cluster, newest first; stopped ones and restarts left out', () => {
    const root = mkdtempSync(join(tmpdir(), 'fallow-learn-'));
    dirs.push(root);
    let now = Date.parse('2025-02-01T00:00:00Z');
    const clock = { scale: 1, now: () => now, sleep: async () => undefined };
    const write = (runbook: string, seconds: number, end: 'completed' | 'stopped') => {
      const run = createRun({ stateDir: root, identity, clock, runbook, steps: [], options: { stopConcurrency: '2' } });
      for (const { body, dt } of bodies([['shutdown.snapshot', seconds]], { end })) {
        now += dt;
        run.journal.append(body);
      }
      run.close();
      now += 3_600_000;
      return run.runId;
    };
    const ids = [write('shutdown', 11, 'completed'), write('shutdown', 12, 'completed'), write('shutdown', 99, 'stopped'), write('restart', 50, 'completed')];
    for (let i = 0; i < LEARN_FROM_RUNS; i++) ids.push(write('shutdown', 20 + i, 'completed'));
    const h = shutdownHistory(root, identity.uid);
    expect(h.skipped).toEqual([]);
    expect(h.runs.map((r) => r.stepMs['shutdown.snapshot'])).toEqual([22_000, 21_000, 20_000]);
    expect(shutdownHistory(root, 'another-cluster').runs).toEqual([]);
  });
});
