// The shutdown estimator: every step of the runbook counted, VM stops simulated as the
// runbook's tiered pool, optional steps marked, learned times replacing defaults, and the
// planner choosing a plan that fits with it.
import { describe, expect, it } from 'vitest';
import { planBudget, type BudgetOptions } from '../../src/guard/budget.js';
import { estimateShutdown, modelledSteps, OptionalShutdownSteps, UNKNOWN_STEP_MS, type EstimateVm, type PastShutdown, type ShutdownInventory } from '../../src/runbook/estimate.js';
import { shutdownRunbook } from '../../src/runbook/index.js';

const vms = (n: number, downstream: boolean, o: Partial<EstimateVm> = {}): EstimateVm[] =>
  Array.from({ length: n }, (_, i) => ({ key: `${downstream ? 'downstream' : 'default'}/vm${i}`, downstream, priority: 100, ...o }));

const inventory = (o: Partial<ShutdownInventory> = {}): ShutdownInventory => ({
  nodes: [
    { name: 'w1', etcd: false, controlPlane: false, witness: false },
    { name: 'cp1', etcd: true, controlPlane: true, witness: false },
    { name: 'cp2', etcd: true, controlPlane: true, witness: false },
    { name: 'cp3', etcd: true, controlPlane: true, witness: false },
  ],
  vms: [...vms(5, false), ...vms(5, true)],
  addonsToDisable: 2,
  rancherImported: true,
  backupVms: 0,
  supportBundle: true,
  ...o,
});

const unhurried: BudgetOptions = { skipSteps: [], vmStopParallelism: 4, guestGraceSeconds: 180, forceOff: false };
const stepMs = (est: ReturnType<ReturnType<typeof estimateShutdown>>, id: string) => est.steps.find((s) => s.id === id)?.ms;

describe('estimateShutdown', () => {
  it('counts the runbook steps that run, in runbook order, and sums them', () => {
    const est = estimateShutdown(inventory())(unhurried);
    const order = shutdownRunbook.steps.map((s) => s.id);
    expect(est.steps.map((s) => s.id)).toEqual(order.filter((id) => est.steps.some((s) => s.id === id)));
    expect(est.totalMs).toBe(est.steps.reduce((a, s) => a + s.ms, 0));
    // Backups are not asked for: the step does not run, so it costs nothing.
    expect(stepMs(est, OptionalShutdownSteps.backupVms)).toBeUndefined();
    expect(est.steps.filter((s) => s.optional).map((s) => s.id)).toEqual([OptionalShutdownSteps.supportBundle]);
  });

  it('has a model for every step of the runbook (a new step is only guessed until src/runbook/estimate.ts models it)', () => {
    expect(shutdownRunbook.steps.map((s) => s.id).filter((id) => !modelledSteps.has(id))).toEqual([]);
    const est = estimateShutdown(inventory({ backupVms: 3, rancherManager: true, snapshotDownstream: true }))(unhurried);
    expect(est.steps.filter((s) => s.ms === UNKNOWN_STEP_MS).map((s) => s.id)).toEqual([]);
  });

  it.each([
    // 5 guests of 180 s each per VM-stop step, 4 at a time: two rounds.
    [{ vmStopParallelism: 4, guestGraceSeconds: 180 }, 10 + 360],
    [{ vmStopParallelism: 8, guestGraceSeconds: 180 }, 10 + 180],
    [{ vmStopParallelism: 4, guestGraceSeconds: 30 }, 10 + 60],
    [{ vmStopParallelism: 1, guestGraceSeconds: 60 }, 10 + 300],
  ])('VM stops follow parallelism and grace: %o → %i s per step', (o, seconds) => {
    const est = estimateShutdown(inventory())({ ...unhurried, ...o });
    expect(stepMs(est, 'shutdown.stop-traditional-vms')).toBe(seconds * 1000);
    expect(stepMs(est, 'shutdown.stop-downstream-vms')).toBe(seconds * 1000);
  });

  it('a guest that shuts down faster than the grace is counted at its own time; tiers run one after the other', () => {
    const inv = inventory({ vms: [...vms(2, false, { shutdownSeconds: 40 }), { key: 'default/db', downstream: false, priority: 10, shutdownSeconds: 100 }] });
    const est = estimateShutdown(inv)(unhurried);
    // Tier 100 (least important) first: two guests of 40 s at once; then the db alone.
    expect(stepMs(est, 'shutdown.stop-traditional-vms')).toBe((10 + 40 + 100) * 1000);
    expect(stepMs(est, 'shutdown.stop-downstream-vms')).toBe(1000);
  });

  it('optional steps can be skipped; a cluster not imported into Rancher has no Rancher steps', () => {
    const inv = inventory({ backupVms: 4, rancherImported: false });
    const est = estimateShutdown(inv)(unhurried);
    expect(est.steps.filter((s) => s.optional).map((s) => s.id).sort()).toEqual([OptionalShutdownSteps.backupVms, OptionalShutdownSteps.supportBundle].sort());
    expect(est.steps.some((s) => s.id.startsWith('shutdown.rancher') || s.id === 'shutdown.agent-scale-down')).toBe(false);
    const skipped = estimateShutdown(inv)({ ...unhurried, skipSteps: [OptionalShutdownSteps.backupVms] });
    expect(est.totalMs - skipped.totalMs).toBe(stepMs(est, OptionalShutdownSteps.backupVms));
  });

  it('learns from earlier shutdowns: the slowest recent time per step, followers per node, guest times from VM stops', () => {
    const run = (stepMsById: Record<string, number>, extra: Partial<PastShutdown> = {}): PastShutdown => ({
      runId: 'r',
      stepMs: stepMsById,
      stopConcurrency: 5,
      guestGraceSeconds: 180,
      runningVms: { traditional: 5, downstream: 5 },
      etcdNodes: 3,
      ...extra,
    });
    const history = {
      runs: [
        run({ 'shutdown.support-bundle': 90_000, 'shutdown.etcd-followers': 100_000, 'shutdown.stop-traditional-vms': 70_000 }),
        run({ 'shutdown.support-bundle': 120_000, 'shutdown.etcd-followers': 60_000 }),
        // Guests used their whole grace here: that says nothing about how fast they are.
        run({ 'shutdown.stop-downstream-vms': 190_000 }),
      ],
    };
    const inv = inventory({ nodes: [...inventory().nodes, { name: 'cp4', etcd: true, controlPlane: true, witness: false }, { name: 'cp5', etcd: true, controlPlane: true, witness: false }] });
    const est = estimateShutdown(inv, history)(unhurried);
    expect(stepMs(est, 'shutdown.support-bundle')).toBe(120_000);
    // 100 s for 2 followers = 50 s each; 4 followers now.
    expect(stepMs(est, 'shutdown.etcd-followers')).toBe(200_000);
    // (70 − 10) s for one round of 5 → 60 s per guest; 5 guests, 4 at a time → 2 rounds.
    expect(stepMs(est, 'shutdown.stop-traditional-vms')).toBe((10 + 120) * 1000);
    expect(stepMs(est, 'shutdown.stop-downstream-vms')).toBe((10 + 360) * 1000);
    // Learned values never make a step that does not run here cost something.
    expect(stepMs(estimateShutdown(inventory({ supportBundle: false }), history)(unhurried), 'shutdown.support-bundle')).toBeUndefined();
  });

  it('force-off caps what a slow node shutdown learned (the wait cuts the power after 5 minutes)', () => {
    const history = { runs: [{ runId: 'r', stepMs: { 'shutdown.etcd-leader-last': 900_000 }, stopConcurrency: 10, runningVms: { traditional: 0, downstream: 0 } }] };
    const est = estimateShutdown(inventory(), history);
    expect(stepMs(est(unhurried), 'shutdown.etcd-leader-last')).toBe(900_000);
    expect(stepMs(est({ ...unhurried, forceOff: true }), 'shutdown.etcd-leader-last')).toBe(330_000);
  });

  it('with the planner: a short budget is met by parallelism, then skipping the bundle, then a shorter grace', () => {
    const est = estimateShutdown(inventory());
    const limits = { defaults: unhurried, maxVmStopParallelism: 16, minGuestGraceSeconds: 30 };
    const full = est(unhurried).totalMs;
    expect(planBudget(full, est, limits).changes).toEqual([]);
    const mid = planBudget(full - 400_000, est, limits);
    // Parallelism up to the limit first (beyond 5 guests it buys nothing), then the bundle.
    expect(mid).toMatchObject({ fits: true, options: { vmStopParallelism: 16, skipSteps: [OptionalShutdownSteps.supportBundle], guestGraceSeconds: 180 } });
    const short = planBudget(600_000, est, limits);
    expect(short.fits).toBe(true);
    expect(short.options.guestGraceSeconds).toBeLessThan(180);
    expect(short.skipped.map((s) => s.id)).toEqual([OptionalShutdownSteps.supportBundle]);
  });
});
