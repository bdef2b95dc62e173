// The outage of a guard-triggered shutdown, from guard journal records: the episode's
// bounds, the trigger and plan, the margin between the battery's end and the cluster down,
// a shutdown stopped because power came back, and how the report shows it.
import { describe, expect, it } from 'vitest';
import type { GuardEvent, PlanRecord } from '../../../src/guard/events.js';
import type { GuardRecord } from '../../../src/guard/wiring/guard-journal.js';
import { outageFor } from '../../../src/guard/wiring/outage.js';
import { renderHtml, renderMarkdown } from '../../../src/report/index.js';
import { exampleReport } from '../../report/example.js';

const T0 = Date.parse('2025-03-01T02:00:00Z');
const s = (sec: number) => T0 + sec * 1000;
const sample = (status: string, runtimeS: number, chargePct: number) => ({ status, runtimeS, chargePct });
const plan: PlanRecord = {
  fits: true,
  estimateMs: 600_000,
  slackMs: 100_000,
  options: { skipSteps: ['shutdown.support-bundle'], vmStopParallelism: 16, guestGraceSeconds: 90, forceOff: false },
  skipped: [{ id: 'shutdown.support-bundle', ms: 150_000 }],
  changes: ['VM stop parallelism 4 → 16', 'skip shutdown.support-bundle (saves ~150 s)', 'guest grace 180 s → 90 s'],
};

function episode(runId: string, at: number, o: { stopped?: boolean } = {}): GuardEvent[] {
  const t = (sec: number) => at + sec * 1000;
  return [
    { type: 'guard.ups', at: t(0), ups: 'ups1@nut:3493', event: 'transition', from: 'online', to: 'on-battery', sample: sample('OB DISCHRG', 900, 80) },
    { type: 'guard.ups', at: t(20), ups: 'ups1@nut:3493', event: 'transition', from: 'on-battery', to: 'online', sample: sample('OL', 880, 79) },
    { type: 'guard.ups', at: t(40), ups: 'ups1@nut:3493', event: 'transition', from: 'online', to: 'on-battery', sample: sample('OB DISCHRG', 860, 78) },
    { type: 'guard.decision', at: t(50), phase: 'shutting-down', decision: 'trigger-shutdown', reason: 'runtime 850 s …', budgetMs: 700_000, remainingMs: 850_000, plan },
    { type: 'guard.action', at: t(50), action: 'shutdown', outcome: 'started', detail: '' },
    { type: 'guard.run', at: t(52), action: 'shutdown', runId, runDir: `/state/uid/${runId}`, resumed: false, partial: false },
    ...(o.stopped
      ? ([
          { type: 'guard.ups', at: t(100), ups: 'ups1@nut:3493', event: 'transition', from: 'on-battery', to: 'online', sample: sample('OL CHRG', 800, 70) },
          { type: 'guard.decision', at: t(250), phase: 'shutting-down', decision: 'stop-shutdown-at-consistent-point', reason: 'power stable' },
          { type: 'guard.stopped', at: t(300), runId, afterStep: 'shutdown.stop-traditional-vms' },
          { type: 'guard.action', at: t(300), action: 'shutdown', outcome: 'finished', detail: 'stopped' },
        ] satisfies GuardEvent[])
      : ([
          { type: 'guard.action', at: t(600), action: 'shutdown', outcome: 'finished', detail: 'completed' },
          { type: 'guard.ups', at: t(700), ups: 'ups1@nut:3493', event: 'transition', from: 'on-battery', to: 'online', sample: sample('OL CHRG', 300, 30) },
        ] satisfies GuardEvent[])),
    { type: 'guard.decision', at: t(900), phase: 'restarting', decision: 'trigger-restart', reason: 'stable' },
    { type: 'guard.action', at: t(900), action: 'restart', outcome: 'started', detail: '' },
    { type: 'guard.action', at: t(1500), action: 'restart', outcome: 'finished', detail: 'restart done' },
  ];
}

const records = (es: GuardEvent[]): GuardRecord[] => es.map((e, i) => ({ ...e, v: 1, seq: i + 1, t: e.at }));
const start: GuardEvent = { type: 'guard.start', at: s(-100), ups: 'ups1@nut:3493', phase: 'armed', pollIntervalMs: 5000, safetyMarginMs: 120_000, restartMinChargePct: 50, restartStableMs: 600_000 };

describe('outageFor', () => {
  const journal = records([start, ...episode('run-1', s(0)), ...episode('run-2', s(5000), { stopped: true })]);

  it('the first outage: on battery through the flap, trigger, plan, margin, power back, restart', () => {
    const o = outageFor(journal, 'run-1')!;
    expect(o).toMatchObject({
      ups: 'ups1@nut:3493',
      onBatteryAt: new Date(s(0)).toISOString(),
      triggeredAt: new Date(s(50)).toISOString(),
      batteryEmptyAt: new Date(s(50 + 850)).toISOString(),
      clusterDownAt: new Date(s(600)).toISOString(),
      marginMs: 300_000,
      powerBackAt: new Date(s(700)).toISOString(),
      restartedAt: new Date(s(1500)).toISOString(),
      shutdownStopped: false,
      stoppedAfterStep: null,
      plan: { fits: true, budgetMs: 700_000, vmStopParallelism: 16, guestGraceSeconds: 90, skipped: [{ id: 'shutdown.support-bundle', ms: 150_000 }] },
    });
    // Only this episode's events (the second outage is not in it); waits are left out.
    expect(o.events.map((e) => e.what)).toEqual([
      'UPS on-battery',
      'UPS online',
      'UPS on-battery',
      'shutdown triggered',
      'shutdown started',
      'shutdown run run-1',
      'shutdown finished',
      'UPS online',
      'restart triggered',
      'restart started',
      'restart finished',
    ]);
  });

  it('the second outage: power back mid-shutdown, stopped after a step', () => {
    const o = outageFor(journal, 'run-2')!;
    expect(o).toMatchObject({ shutdownStopped: true, stoppedAfterStep: 'shutdown.stop-traditional-vms', onBatteryAt: new Date(s(5000)).toISOString(), powerBackAt: new Date(s(5100)).toISOString() });
    expect(o.events[0]).toMatchObject({ what: 'UPS on-battery' });
    expect(o.events.some((e) => e.what === 'shutdown stopped between steps')).toBe(true);
  });

  it('a shutdown the guard did not start has no outage', () => {
    expect(outageFor(journal, 'someone-elses-run')).toBeUndefined();
    expect(outageFor([], 'run-1')).toBeUndefined();
  });
});

describe('the report with an outage', () => {
  const journal = records([start, ...episode('run-1', s(0)), ...episode('run-2', s(5000), { stopped: true })]);

  it('renders the outage section in Markdown and HTML; without one the report is unchanged', async () => {
    const plain = await exampleReport();
    expect(renderMarkdown(plain)).not.toContain('Power outage');
    const withOutage = { ...plain, outage: outageFor(journal, 'run-1')! };
    const md = renderMarkdown(withOutage);
    expect(md).toContain('## Power outage');
    expect(md).toMatch(/\| Margin \| 5m 00s of battery left \|/);
    expect(md).toMatch(/\| Skipped steps \| shutdown\.support-bundle \(\\?~2m 30s\) \|/);
    const html = renderHtml(withOutage);
    expect(html).toContain('<section id="outage-section"><h2>Power outage</h2>');
    expect(html).toContain('href="#outage-section"');
  });
});

describe('the verdict when the guard stopped the shutdown on purpose', () => {
  it('a shutdown stopped (and given up) for power back is not "incomplete" once its restart verified', async () => {
    const { shutdownRun, restartRun } = await import('../../report/fixture-runs.js');
    const { buildReport } = await import('../../../src/report/report.js');
    const plain = await exampleReport();
    const journal = records([start, ...episode('run-2', s(0), { stopped: true })]);
    const outage = outageFor(journal, 'run-2')!;
    const stopped = { ...shutdownRun(), status: 'failed' as const };
    const input = { shutdown: stopped, restart: restartRun(), before: plain.before, after: plain.after!, generatedAt: plain.generatedAt };
    expect(buildReport(input).result.verdict).toBe('failed');
    const r = buildReport({ ...input, outage });
    expect(r.result.verdict).toBe('verified-with-warnings');
    expect(r.result.headline).toMatch(/^Power came back during the shutdown: the guard stopped it after .* and restarted in/);
    // A restart that failed still fails the report.
    expect(buildReport({ ...input, restart: { ...restartRun(), status: 'failed' }, outage }).result.verdict).toBe('failed');
  });
});
