// The shutdown budget: how the guard asks "how long will a shutdown take with these
// options?" (ShutdownEstimator, implemented by the runbook owner from the inventory) and
// the planner that, given the time left, picks the least-degraded options that fit.
//
// The planner walks a ladder, re-estimating after each rung, and stops at the first plan
// that fits: (1) wider VM stop parallelism (costs only load), (2) skip optional steps,
// biggest first (backups, the second support bundle), (3) shorter guest grace periods
// (guests get less time to flush), (4) force-off what is left; nodes still go down in
// etcd order (workers, then non-leaders, leader last). If nothing fits it returns the
// most reduced plan with fits=false: shutting down late beats not shutting down.

export interface BudgetOptions {
  /** Ids of optional steps to leave out. */
  skipSteps: string[];
  /** VMs stopped at the same time. */
  vmStopParallelism: number;
  /** Seconds a guest gets to shut down on ACPI before it is killed. */
  guestGraceSeconds: number;
  /** Force-stop VMs still running and hard power-off nodes (still in etcd order). */
  forceOff: boolean;
}

export interface StepEstimate {
  id: string;
  ms: number;
  /** May be skipped by the planner. */
  optional: boolean;
}

export interface ShutdownEstimate {
  totalMs: number;
  steps: StepEstimate[];
}

/** Provided by the runbook owner: a pure, fast estimate for the current inventory. */
export type ShutdownEstimator = (plan: BudgetOptions) => ShutdownEstimate;

export interface BudgetLimits {
  /** The plan for an unhurried shutdown. */
  defaults: BudgetOptions;
  maxVmStopParallelism: number;
  minGuestGraceSeconds: number;
}

export interface BudgetPlan {
  budgetMs: number;
  options: BudgetOptions;
  estimate: ShutdownEstimate;
  skipped: { id: string; ms: number }[];
  /** Human-readable reductions from the defaults, in the order applied. */
  changes: string[];
  fits: boolean;
  /** budgetMs − estimate.totalMs; negative when it does not fit. */
  slackMs: number;
}

export function planBudget(budgetMs: number, estimateShutdown: ShutdownEstimator, limits: BudgetLimits): BudgetPlan {
  validateLimits(limits);
  let options: BudgetOptions = { ...limits.defaults, skipSteps: [...limits.defaults.skipSteps] };
  let estimate = estimateShutdown(options);
  const skipped: { id: string; ms: number }[] = [];
  const changes: string[] = [];
  const fits = () => estimate.totalMs <= budgetMs;
  const apply = (next: BudgetOptions, change: string) => {
    options = next;
    estimate = estimateShutdown(options);
    changes.push(change);
  };

  while (!fits() && options.vmStopParallelism < limits.maxVmStopParallelism) {
    const p = Math.min(limits.maxVmStopParallelism, options.vmStopParallelism * 2);
    apply({ ...options, vmStopParallelism: p }, `VM stop parallelism ${options.vmStopParallelism} → ${p}`);
  }
  while (!fits()) {
    const candidates = estimate.steps.filter((s) => s.optional && !options.skipSteps.includes(s.id));
    const biggest = candidates.sort((a, b) => b.ms - a.ms)[0];
    if (!biggest) break;
    skipped.push({ id: biggest.id, ms: biggest.ms });
    apply({ ...options, skipSteps: [...options.skipSteps, biggest.id] }, `skip ${biggest.id} (saves ~${Math.round(biggest.ms / 1000)} s)`);
  }
  while (!fits() && options.guestGraceSeconds > limits.minGuestGraceSeconds) {
    const g = Math.max(limits.minGuestGraceSeconds, Math.floor(options.guestGraceSeconds / 2));
    apply({ ...options, guestGraceSeconds: g }, `guest grace ${options.guestGraceSeconds} s → ${g} s`);
  }
  if (!fits() && !options.forceOff) {
    apply({ ...options, forceOff: true }, 'force-off remaining VMs and nodes (nodes still in etcd order, leader last)');
  }
  return { budgetMs, options, estimate, skipped, changes, fits: fits(), slackMs: budgetMs - estimate.totalMs };
}

function validateLimits(l: BudgetLimits): void {
  const d = l.defaults;
  if (!(d.vmStopParallelism >= 1)) throw new Error(`default VM stop parallelism must be ≥ 1, got ${d.vmStopParallelism}`);
  if (!(l.maxVmStopParallelism >= d.vmStopParallelism)) throw new Error('max VM stop parallelism must be ≥ the default');
  if (!(l.minGuestGraceSeconds >= 0) || l.minGuestGraceSeconds > d.guestGraceSeconds) {
    throw new Error('min guest grace must be between 0 and the default grace');
  }
}

/** "fits: 412 s of 600 s; skip backup-vms; guest grace 180 s → 90 s" for logs and alarms. */
export function describePlan(p: BudgetPlan): string {
  const head = `${p.fits ? 'fits' : 'DOES NOT FIT'}: ~${Math.round(p.estimate.totalMs / 1000)} s of ${Math.round(p.budgetMs / 1000)} s`;
  return p.changes.length ? `${head}; ${p.changes.join('; ')}` : `${head}; full plan`;
}
