// `fallow plan --budget 8m`: the plan the guard would choose if the battery left this much
// time after its safety margin: the same inventory, history and planner as `guard run`,
// computed read-only, then rendered (table, JSON or YAML). Exit 0 when a plan fits, 1 when
// even the most reduced one does not.
import { parseDuration } from '../../common/duration.js';
import { ExitCode, UsageError } from '../../common/errors.js';
import type { CliContext, GlobalOptions } from '../../cli/context.js';
import { render, table, type OutputFormat } from '../../cli/output.js';
import { clusterIdentity } from '../../cluster/discovery.js';
import { estimateShutdown, readShutdownInventory } from '../../runbook/estimate.js';
import { shutdownRunbook } from '../../runbook/index.js';
import { planBudget, type BudgetOptions, type StepEstimate } from '../budget.js';
import { defaultGuardConfig, loadGuardConfig } from '../config.js';
import { shutdownHistory } from './learn.js';

export interface BudgetPlanView {
  apiVersion: 'fallow.budget-plan/v1';
  cluster: { uid: string; server: string };
  budgetMs: number;
  /** Where the limits came from: the guard config file, or the built-in defaults. */
  limitsFrom: string;
  inventory: { nodes: number; runningVms: number; addonsToDisable: number; rancherImported: boolean };
  /** Earlier completed shutdowns the estimate learned from. */
  learnedFrom: string[];
  fullPlanMs: number;
  fits: boolean;
  slackMs: number;
  options: BudgetOptions;
  skipped: { id: string; ms: number }[];
  changes: string[];
  steps: (StepEstimate & { title: string })[];
}

/** "8m", "90s", "1h30m" (common/duration.ts) or bare seconds. */
export function parseBudget(v: string): number {
  const t = v.trim();
  // A bare number stays seconds here, the unit of NUT's battery.runtime.
  const ms = /^\d+(\.\d+)?$/.test(t) ? Math.round(Number(t) * 1000) : parseDuration(t);
  if (!ms || ms <= 0) throw new UsageError(`invalid --budget "${v}"`, 'Give the time the battery leaves for the shutdown, e.g. 8m, 450s or 1h');
  return ms;
}

export async function runBudgetPlan(ctx: CliContext, g: GlobalOptions, o: { budget: string; guardConfig?: string; output: OutputFormat }): Promise<number> {
  const budgetMs = parseBudget(o.budget);
  const cfg = o.guardConfig ? await loadGuardConfig(o.guardConfig) : defaultGuardConfig();
  const conn = await ctx.connect(g);
  try {
    const id = await clusterIdentity(conn.cluster);
    const inv = await readShutdownInventory(conn.cluster, { backupVms: cfg.cluster.backupVms, skipBundles: cfg.cluster.skipBundles });
    const history = shutdownHistory(ctx.stateRoot(g), id.uid);
    const estimator = estimateShutdown(inv, history);
    const limits = cfg.policy.budget;
    const plan = planBudget(budgetMs, estimator, limits);
    const titles = new Map(shutdownRunbook.steps.map((s) => [s.id, s.title]));
    const view: BudgetPlanView = {
      apiVersion: 'fallow.budget-plan/v1',
      cluster: { uid: id.uid, server: id.server },
      budgetMs,
      limitsFrom: o.guardConfig ?? 'built-in defaults (no --guard-config)',
      inventory: { nodes: inv.nodes.length, runningVms: inv.vms.length, addonsToDisable: inv.addonsToDisable, rancherImported: inv.rancherImported },
      learnedFrom: history.runs.map((r) => r.runId),
      fullPlanMs: estimator(limits.defaults).totalMs,
      fits: plan.fits,
      slackMs: plan.slackMs,
      options: plan.options,
      skipped: plan.skipped,
      changes: plan.changes,
      steps: plan.estimate.steps.map((s) => ({ ...s, title: titles.get(s.id) ?? s.id })),
    };
    ctx.io.stdout.write(render(o.output, view, renderBudgetPlan));
    return plan.fits ? ExitCode.ok : ExitCode.failed;
  } finally {
    conn.cluster.close();
  }
}

const sec = (ms: number) => `${Math.round(ms / 1000)} s`;

export function renderBudgetPlan(v: BudgetPlanView): string {
  const o = v.options;
  const head = [
    `Budget ${sec(v.budgetMs)} for cluster ${v.cluster.uid} (${v.cluster.server})`,
    `Inventory: ${v.inventory.nodes} nodes, ${v.inventory.runningVms} running VMs, ${v.inventory.addonsToDisable} addons to disable, ${v.inventory.rancherImported ? 'imported into Rancher' : 'not imported into Rancher'}`,
    `Estimate ${v.learnedFrom.length ? `learned from ${v.learnedFrom.length} earlier shutdowns (${v.learnedFrom.join(', ')})` : 'from the built-in step models (no completed shutdown of this cluster yet)'}; limits: ${v.limitsFrom}`,
    `Full plan: ~${sec(v.fullPlanMs)}`,
    '',
    v.fits ? `FITS: ~${sec(v.budgetMs - v.slackMs)} of ${sec(v.budgetMs)}, ${sec(v.slackMs)} to spare` : `DOES NOT FIT: even the most reduced plan needs ~${sec(v.budgetMs - v.slackMs)}, ${sec(-v.slackMs)} more than the budget (the guard would still run it: late beats never)`,
    `Options: VM stop parallelism ${o.vmStopParallelism}, guest grace ${o.guestGraceSeconds} s${o.forceOff ? ', force-off' : ''}`,
    `Skipped: ${v.skipped.length ? v.skipped.map((s) => `${s.id} (saves ~${sec(s.ms)})`).join(', ') : 'nothing'}`,
    `Reductions: ${v.changes.length ? v.changes.join('; ') : 'none (the full plan fits)'}`,
    '',
  ].join('\n');
  return `${head}\n${table(['STEP', 'ESTIMATE', 'OPTIONAL', 'TITLE'], v.steps.map((s) => [s.id, sec(s.ms), s.optional ? 'yes' : '', s.title]))}`;
}
