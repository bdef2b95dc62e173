// Keeps the guard's shutdown estimate current: the inventory (read from the live cluster,
// else as the newest shutdown journal recorded it) and the history of this cluster's
// completed shutdowns, rebuilt at start, after every action and every few minutes while
// the cluster is up and idle. The estimator the policy calls stays pure and instant: it
// only reads the last result. A failed refresh keeps the previous estimate (and says so).
import { join } from 'node:path';
import { formatError } from '../../common/errors.js';
import type { CliContext, GlobalOptions } from '../../cli/context.js';
import type { Connection } from '../../cluster/connect.js';
import { JOURNAL_FILE } from '../../journal/paths.js';
import { readJournal } from '../../journal/reader.js';
import { replay } from '../../journal/replay.js';
import { listRuns } from '../../journal/runs.js';
import { estimateShutdown, inventoryFromFacts, readShutdownInventory, type InventoryOptions, type ShutdownInventory } from '../../runbook/estimate.js';
import type { BudgetOptions, ShutdownEstimate, ShutdownEstimator } from '../budget.js';
import type { GuardConfig } from '../config.js';
import type { GuardLogger } from '../monitor.js';
import type { GuardJournal } from './guard-journal.js';
import { shutdownHistory } from './learn.js';

export interface KeeperDeps {
  ctx: CliContext;
  g: GlobalOptions;
  root: string;
  uid: string;
  config: GuardConfig;
  journal: GuardJournal;
  logger: GuardLogger;
}

export class EstimateKeeper {
  #current: ShutdownEstimator | undefined;
  #busy = false;
  #down = false;

  constructor(private readonly d: KeeperDeps) {}

  /** The ShutdownEstimator for the guard: the newest estimate, or an error the policy alarms on. */
  readonly estimate = (o: BudgetOptions): ShutdownEstimate => {
    if (!this.#current) throw new Error('no cluster inventory yet: the cluster could not be read and no shutdown journal records one');
    return this.#current(o);
  };

  markDown(): void {
    this.#down = true;
  }

  /** Runs an action with refreshes paused; afterwards the cluster is down (shutdown) or up (restart). */
  async during<T>(action: 'shutdown' | 'restart', run: () => Promise<T>): Promise<T> {
    this.#busy = true;
    try {
      const r = await run();
      this.#down = action === 'shutdown';
      return r;
    } finally {
      this.#busy = false;
      // What the run took is the best data for the next estimate; the inventory follows the cluster.
      await this.refresh().catch(() => undefined);
    }
  }

  /** Re-reads inventory and history; `conn` is an open connection to use (else one is made, unless down). */
  async refresh(conn?: Connection): Promise<void> {
    const { ctx, g, root, uid, config, journal, logger } = this.d;
    const opts: InventoryOptions = { backupVms: config.cluster.backupVms, skipBundles: config.cluster.skipBundles };
    const history = shutdownHistory(root, uid);
    for (const s of history.skipped) logger.warn({}, `not learning from shutdown ${s}`);
    let inventory: ShutdownInventory | undefined;
    let source: 'cluster' | 'journal' = 'cluster';
    if (!this.#down) {
      let own: Connection | undefined;
      try {
        const c = conn ?? (own = await ctx.connect(g));
        inventory = await readShutdownInventory(c.cluster, opts);
      } catch (err) {
        logger.warn({}, `Cannot read the cluster inventory for the shutdown estimate: ${formatError(err)}`);
      } finally {
        own?.cluster.close();
      }
    }
    if (!inventory) {
      inventory = this.#fromJournal(opts);
      source = 'journal';
    }
    if (!inventory) {
      if (!this.#current) logger.error({}, 'No cluster inventory for the shutdown estimate: the guard cannot plan a shutdown until the cluster answers');
      return;
    }
    const estimator = estimateShutdown(inventory, history);
    this.#current = estimator;
    const fullPlanMs = estimator(config.policy.budget.defaults).totalMs;
    journal.append({ type: 'guard.inventory', at: ctx.clock.now(), source, vms: inventory.vms.length, nodes: inventory.nodes.length, fullPlanMs, learnedRuns: history.runs.length });
    logger.info({}, `Shutdown estimate: ~${Math.round(fullPlanMs / 1000)} s for the full plan (${inventory.nodes.length} nodes, ${inventory.vms.length} running VMs, from the ${source}; learned from ${history.runs.length} earlier shutdowns)`);
  }

  /** Refreshes every `everyMs` (modelled) while the cluster is up and no action runs, until `signal`. */
  async keepFresh(everyMs: number, signal: AbortSignal): Promise<void> {
    const { clock } = this.d.ctx;
    while (!signal.aborted) {
      try {
        await clock.sleep(everyMs, signal);
      } catch {
        return;
      }
      if (!this.#busy && !this.#down) await this.refresh().catch((err: unknown) => this.d.logger.warn({}, `Inventory refresh failed: ${formatError(err)}`));
    }
  }

  /** The newest shutdown journal that recorded the nodes. */
  #fromJournal(opts: InventoryOptions): ShutdownInventory | undefined {
    const runs = listRuns(this.d.root, this.d.uid).filter((r) => r.runbook === 'shutdown');
    for (const r of runs.reverse()) {
      try {
        const inv = inventoryFromFacts(replay(readJournal(join(r.runDir, JOURNAL_FILE)).records).facts, opts);
        if (inv) return inv;
      } catch {
        // a damaged journal: try an older one
      }
    }
    return undefined;
  }
}
