import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport, ReportSchema } from '../../src/report/report.js';
import { captureSnapshot } from '../../src/report/snapshot.js';
import type { ClusterSnapshot } from '../../src/report/snapshot-types.js';
import { durationMs, formatDuration, formatTime } from '../../src/report/timeline.js';
import { newStore, seedCluster, storeReader } from './fixture-cluster.js';
import { restartRun, shutdownRun } from './fixture-runs.js';

let before: ClusterSnapshot;

beforeAll(async () => {
  const store = newStore();
  const etcd = seedCluster(store);
  before = await captureSnapshot(storeReader(store, async () => etcd), { now: () => Date.parse('2025-01-10T07:59:00Z') });
});

describe('timeline helpers', () => {
  it.each([
    [0, '0s'], [400, '0.4s'], [9_960, '10s'], [42_000, '42s'], [185_000, '3m 05s'], [3_720_000, '1h 02m'], [3 * 86_400_000 + 3_600_000, '3d 01h'], [null, '—'],
  ])('formatDuration(%s) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('durations and times', () => {
    expect(durationMs('2025-01-10T08:00:00Z', '2025-01-10T08:00:02.5Z')).toBe(2500);
    expect(durationMs('2025-01-10T08:00:00Z', null)).toBeNull();
    expect(durationMs('garbage', '2025-01-10T08:00:00Z')).toBeNull();
    expect(formatTime('2025-01-10T08:03:12.345Z')).toBe('2025-01-10 08:03:12 UTC');
  });
});

describe('buildReport', () => {
  it('verified: both runs, identical snapshots', () => {
    const after = structuredClone(before);
    const r = buildReport({ shutdown: shutdownRun(), restart: restartRun(), before, after, facts: {}, clusterName: 'lab-a', generatedAt: '2025-01-13T09:00:00Z' });
    expect(r.schema).toBe(ReportSchema);
    expect(r.result).toMatchObject({ verdict: 'verified', ok: true, line: 'Verification: 0 differences', summary: { total: 0, errors: 0, warnings: 0 } });
    expect(r.result.headline).toMatch(/^Shut down in 14m 34s, restarted in 24m 54s; the cluster came back exactly as it was\.$/);
    expect(r.cluster).toEqual({ label: 'lab-a', name: 'lab-a', id: before.cluster.id, harvesterVersion: 'v1.4.1', vip: '127.0.1.100', nodes: ['harv2', 'harv41', 'harv42', 'harv43'] });
    expect(r.runs.map((x) => x.steps.length)).toEqual([11, 10]);
    expect(r.runs[0]?.steps[0]?.durationMs).toBe(212_000);
    expect(r.diff).toEqual([]);
    expect(r.checks.length).toBeGreaterThan(5);
  });

  it('differences: counts errors and warnings in the result line', () => {
    const after = structuredClone(before);
    after.vip.ingressIp = null;
    after.volumes[1]!.robustness = 'degraded';
    after.volumes[2]!.robustness = 'degraded';
    const r = buildReport({ shutdown: shutdownRun(), restart: restartRun(), before, after });
    expect(r.result).toMatchObject({ verdict: 'differences', ok: false, line: 'Verification: 3 differences (1 error, 2 warnings)' });
  });

  it('verified with warnings only', () => {
    const after = structuredClone(before);
    after.volumes[1]!.robustness = 'degraded';
    const r = buildReport({ shutdown: shutdownRun(), restart: restartRun(), before, after });
    expect(r.result).toMatchObject({ verdict: 'verified-with-warnings', ok: true, line: 'Verification: 1 difference (1 warning)' });
  });

  it('shut down only: nothing to verify yet', () => {
    const r = buildReport({ shutdown: shutdownRun(), before });
    expect(r.result).toMatchObject({ verdict: 'shut-down', ok: false, line: 'Verification: pending (not restarted yet)', summary: null });
    expect(r.diff).toBeNull();
    expect(r.checks).toEqual([]);
  });

  it('a failed run names the step', () => {
    const run = restartRun({ status: 'failed' });
    run.steps[4] = { ...run.steps[4]!, outcome: 'failed', detail: 'longhorn-manager CrashLoopBackOff' };
    const r = buildReport({ shutdown: shutdownRun(), restart: run, before, after: structuredClone(before) });
    expect(r.result.verdict).toBe('failed');
    expect(r.result.headline).toBe('Restart failed at step "Check the basic components" (seed 5.2): longhorn-manager CrashLoopBackOff. Fix the cause, then run fallow resume.');
  });

  it('a stopped run is incomplete', () => {
    const run = shutdownRun({ status: 'stopped', endedAt: null });
    run.steps[9] = { ...run.steps[9]!, startedAt: null, endedAt: null, outcome: 'pending' };
    const r = buildReport({ shutdown: run, before });
    expect(r.result.verdict).toBe('incomplete');
    expect(r.result.headline).toContain('Shutdown stopped at step "Shut down control-plane nodes and the witness"');
    expect(r.runs[0]?.durationMs).toBeNull();
  });

  it('masks secret facts, secret-looking text and keeps the rest', () => {
    const after = structuredClone(before);
    after.unreadable.push('etcd: dial https://root:toor@127.0.1.41:2379');
    const run = shutdownRun();
    run.steps[0]!.detail = 'uploaded to https://u:Sup3r@bundles.lab/x';
    run.events = [{ at: run.startedAt, level: 'warning', message: 'BMC https://admin:Pw0rd@127.0.2.1 slow' }];
    const r = buildReport({
      shutdown: run, restart: restartRun(), before, after,
      facts: new Map<string, import('../../src/engine/types.js').Json>([
        ['rancher.scaleAvailable', '3'], ['bmc.password', 'hunter2'], ['power', { ipmiPassword: 'x1', host: '127.0.2.1' }],
      ]),
      warnings: ['proxy http://a:b0b@p:3128 unreachable', 'proxy http://a:b0b@p:3128 unreachable'],
    });
    expect(r.facts).toEqual({ 'bmc.password': '***', power: { ipmiPassword: '***', host: '127.0.2.1' }, 'rancher.scaleAvailable': '3' });
    expect(r.warnings).toEqual(['proxy http://a:***@p:3128 unreachable', 'After the restart, could not read etcd: dial https://root:***@127.0.1.41:2379']);
    const text = JSON.stringify(r);
    for (const s of ['hunter2', 'x1"', 'toor', 'Sup3r', 'Pw0rd', 'b0b']) expect(text).not.toContain(s);
  });
});
