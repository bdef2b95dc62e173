// The budget planner: the least-degraded plan that fits, rung by rung, with the modelled
// estimate from helpers.ts (full plan 1500 s for 12 VMs, 4 nodes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describePlan, planBudget } from '../../src/guard/budget.js';
import { estimate, fullPlanMs, limits } from './helpers.js';

const s = (sec: number) => sec * 1000;

describe('planBudget', () => {
  it('the model is what the tables below assume', () => {
    expect(fullPlanMs).toBe(s(1500));
  });

  it.each([
    { budget: 2000, total: 1500, changes: [] as string[], skipped: [] as string[], p: 4, grace: 180, force: false },
    { budget: 1400, total: 1320, changes: ['VM stop parallelism 4 → 8'], skipped: [], p: 8, grace: 180, force: false },
    { budget: 1200, total: 1140, changes: ['VM stop parallelism 4 → 8', 'VM stop parallelism 8 → 12'], skipped: [], p: 12, grace: 180, force: false },
    { budget: 1000, total: 900, changes: ['VM stop parallelism 4 → 8', 'VM stop parallelism 8 → 12', 'skip backup-vms (saves ~240 s)'], skipped: ['backup-vms'], p: 12, grace: 180, force: false },
    { budget: 850, total: 780, changes: null, skipped: ['backup-vms', 'support-bundle-second'], p: 12, grace: 180, force: false },
    { budget: 700, total: 690, changes: null, skipped: ['backup-vms', 'support-bundle-second'], p: 12, grace: 90, force: false },
    { budget: 650, total: 645, changes: null, skipped: ['backup-vms', 'support-bundle-second'], p: 12, grace: 45, force: false },
    { budget: 600, total: 240, changes: null, skipped: ['backup-vms', 'support-bundle-second'], p: 12, grace: 30, force: true },
  ])('budget $budget s → ~$total s (parallelism $p, grace $grace s, force-off $force)', (c) => {
    const plan = planBudget(s(c.budget), estimate, limits);
    expect(plan.fits).toBe(true);
    expect(plan.estimate.totalMs).toBe(s(c.total));
    expect(plan.slackMs).toBe(s(c.budget - c.total));
    expect(plan.skipped.map((x) => x.id)).toEqual(c.skipped);
    expect(plan.options).toEqual({ skipSteps: c.skipped, vmStopParallelism: c.p, guestGraceSeconds: c.grace, forceOff: c.force });
    if (c.changes) expect(plan.changes).toEqual(c.changes);
    // Required steps are never skipped, whatever the budget.
    for (const id of ['support-bundle', 'stop-vms', 'disable-addons', 'shutdown-nodes']) {
      expect(plan.estimate.steps.map((st) => st.id)).toContain(id);
    }
  });

  it('returns the most reduced plan, marked as not fitting, when nothing fits', () => {
    const plan = planBudget(s(100), estimate, limits);
    expect(plan.fits).toBe(false);
    expect(plan.options.forceOff).toBe(true);
    expect(plan.slackMs).toBe(s(100 - 240));
    expect(plan.changes.at(-1)).toMatch(/force-off .*etcd order/);
    expect(describePlan(plan)).toMatch(/^DOES NOT FIT: ~240 s of 100 s; /);
  });

  it('does not touch the caller\'s defaults', () => {
    const before = structuredClone(limits.defaults);
    planBudget(0, estimate, limits);
    expect(limits.defaults).toEqual(before);
  });

  it('rejects limits that contradict the defaults', () => {
    expect(() => planBudget(1, estimate, { ...limits, maxVmStopParallelism: 2 })).toThrow(/max VM stop parallelism/);
    expect(() => planBudget(1, estimate, { ...limits, minGuestGraceSeconds: 500 })).toThrow(/min guest grace/);
  });

  it('property: a fitting plan fits, and more time never means a more reduced plan', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const pl = planBudget(s(lo), estimate, limits);
        const ph = planBudget(s(hi), estimate, limits);
        if (pl.fits) expect(pl.estimate.totalMs).toBeLessThanOrEqual(s(lo));
        expect(ph.changes.length).toBeLessThanOrEqual(pl.changes.length);
        expect(ph.estimate.totalMs).toBeGreaterThanOrEqual(pl.estimate.totalMs);
      }),
    );
  });
});
