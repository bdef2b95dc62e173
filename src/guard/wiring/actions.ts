// The guard's actions over fallow's own runbooks: the shutdown with the options of the
// chosen BudgetPlan, and the restart from that shutdown's journal, each an ordinary
// journaled run (resumable with `fallow resume`, reported by `fallow report`), linked from
// the guard journal by a guard.run record.
//
// Power back during a shutdown: the guard's stopAtConsistentPoint makes the run stop after
// its current step (the engine's stop signal, raised when that step is done), and the
// restart then restores exactly what was recorded (partial.ts); once it has, the stopped
// shutdown is abandoned, so `fallow resume` never offers to finish it later.
// The guard stopping (SIGTERM) is a first Ctrl-C: the current act finishes, the run stops
// resumably, and the action fails (the guard then wants an operator).
import { FatalError, UsageError } from '../../common/errors.js';
import type { CliContext, GlobalOptions } from '../../cli/context.js';
import type { Operator } from '../../cli/run/console.js';
import { buildRunbookEnv, liveAddresses, type RunFlags } from '../../cli/run/env.js';
import { lazyCluster } from '../../cli/run/lazy-connect.js';
import { ProgressPrinter } from '../../cli/run/progress.js';
import { storedFlags } from '../../cli/run/session.js';
import { colors } from '../../cli/output.js';
import type { Cluster } from '../../cluster/client.js';
import { clusterIdentity } from '../../cluster/discovery.js';
import { abandonRun } from '../../engine/abandon.js';
import type { EngineEvent } from '../../engine/events.js';
import { parentFacts } from '../../engine/facts.js';
import type { RunResult } from '../../engine/options.js';
import { resumeRun, runRunbook } from '../../engine/run.js';
import type { Runbook } from '../../engine/types.js';
import { clusterDirOf } from '../../journal/paths.js';
import type { ClusterIdentity } from '../../journal/records.js';
import { listRuns, type RunSummary } from '../../journal/runs.js';
import type { RunbookEnv } from '../../runbook/env.js';
import { OptionalShutdownSteps } from '../../runbook/estimate.js';
import { Facts, readFact } from '../../runbook/facts.js';
import { restartRunbook, shutdownRunbook } from '../../runbook/index.js';
import type { BudgetOptions, BudgetPlan } from '../budget.js';
import type { GuardClusterConfig } from '../config.js';
import type { ActionResult, GuardActions, ShutdownControl } from '../guard.js';
import type { GuardLogger } from '../monitor.js';
import { lastGuardRun, type GuardJournal, type GuardRecord } from './guard-journal.js';
import { partialRestartRunbook } from '../../runbook/partial-restart.js';

export interface ActionDeps {
  ctx: CliContext;
  g: GlobalOptions;
  cluster: GuardClusterConfig;
  /** The cluster the guard journal belongs to: every run must be this one. */
  identity: ClusterIdentity;
  journal: GuardJournal;
  /** The guard journal as it was when this process started (an earlier guard's runs). */
  earlier: readonly GuardRecord[];
  logger: GuardLogger;
  operator: Operator;
}

/** The run flags a BudgetPlan means (stored with the run, so `fallow resume` rebuilds it). */
export function shutdownFlags(plan: BudgetOptions, c: GuardClusterConfig): RunFlags {
  const skip = new Set(plan.skipSteps);
  return {
    ...(c.power ? { power: c.power } : {}),
    yes: true,
    forceOff: plan.forceOff,
    forceDeleteStuckPods: c.forceDeleteStuckPods,
    stopConcurrency: String(plan.vmStopParallelism),
    guestGrace: String(plan.guestGraceSeconds),
    skipBundles: c.skipBundles || skip.has(OptionalShutdownSteps.supportBundle),
    ...(c.backupVms.length && !skip.has(OptionalShutdownSteps.backupVms) ? { backupVms: c.backupVms.join(',') } : {}),
    acceptNewHostKeys: c.acceptNewHostKeys,
  };
}

export function restartFlags(c: GuardClusterConfig, fromPartial: boolean): RunFlags {
  return {
    ...(c.power ? { power: c.power } : {}),
    yes: true,
    skipBundles: c.skipBundles,
    ...(c.waveSize > 0 ? { waveSize: String(c.waveSize) } : {}),
    acceptNewHostKeys: c.acceptNewHostKeys,
    fromPartial,
  };
}

interface Session {
  action: 'shutdown' | 'restart';
  runbook: Runbook<RunbookEnv>;
  identity: ClusterIdentity;
  flags: RunFlags;
  cluster: Cluster;
  addresses: Map<string, string>;
  partial: boolean;
  parentRunId?: string;
  /** Resume this run directory (one an earlier guard process left stopped). */
  resumeDir?: string;
  /** Stop after the step that is running when this aborts. */
  stopAfterStep?: AbortSignal;
  signal: AbortSignal;
}

export class RunbookActions implements GuardActions {
  /** The shutdown the next restart restores (this process's, else the journal's). */
  #shutdownRunId: string | undefined;

  constructor(private readonly d: ActionDeps) {
    this.#shutdownRunId = lastGuardRun(d.earlier, 'shutdown')?.runId;
  }

  async shutdown(plan: BudgetPlan, ctl: ShutdownControl): Promise<ActionResult> {
    const { ctx, g } = this.d;
    const conn = await ctx.connect(g);
    try {
      const live = await clusterIdentity(conn.cluster);
      if (live.uid !== this.d.identity.uid) {
        throw new FatalError(`The kubeconfig now reaches cluster ${live.uid}, not ${this.d.identity.uid} that this guard watches over`, 'Fix KUBECONFIG of the guard service and restart it');
      }
      const leftover = this.#leftover('shutdown');
      const { result, stoppedAfter } = await this.#run({
        action: 'shutdown',
        runbook: shutdownRunbook,
        identity: { uid: live.uid, server: live.server },
        flags: shutdownFlags(plan.options, this.d.cluster),
        cluster: conn.cluster,
        addresses: await liveAddresses(conn.cluster),
        partial: false,
        ...(leftover ? { resumeDir: leftover.runDir } : {}),
        stopAfterStep: ctl.stopAtConsistentPoint,
        signal: ctl.signal,
      });
      this.#shutdownRunId = result.runId;
      if (result.state === 'completed') return { detail: `shutdown ${result.runId} completed` };
      if (stoppedAfter !== undefined) {
        this.d.journal.append({ type: 'guard.stopped', at: ctx.clock.now(), runId: result.runId, afterStep: stoppedAfter });
        return { detail: `shutdown ${result.runId} stopped after ${stoppedAfter ?? 'its start'}: power came back` };
      }
      throw runFailed('shutdown', result);
    } finally {
      conn.cluster.close();
    }
  }

  async restart(ctl: { signal: AbortSignal }): Promise<ActionResult> {
    const { ctx, g, identity } = this.d;
    const root = ctx.stateRoot(g);
    const runs = listRuns(root, identity.uid);
    const shutdown = runs.find((r) => r.runId === this.#shutdownRunId) ?? runs.filter((r) => r.runbook === 'shutdown').at(-1);
    if (!shutdown?.cluster) throw new UsageError(`no shutdown journal of cluster ${identity.uid} under ${root} to restart from`, 'Restart the cluster by hand (`fallow restart`)');
    const partial = shutdown.state !== 'completed';
    const facts = parentFacts(clusterDirOf(root, identity.uid), shutdown.runId, identity.uid);
    const nodes = readFact(facts, Facts.network)?.nodes ?? [];
    const { cluster } = lazyCluster(ctx, g);
    try {
      const leftover = this.#leftover('restart');
      const { result } = await this.#run({
        action: 'restart',
        runbook: partial ? partialRestartRunbook(facts) : restartRunbook,
        identity: shutdown.cluster,
        flags: restartFlags(this.d.cluster, partial),
        cluster,
        addresses: new Map(nodes.map((n) => [n.name, n.ip])),
        partial,
        parentRunId: shutdown.runId,
        ...(leftover && leftover.parentRunId === shutdown.runId ? { resumeDir: leftover.runDir } : {}),
        signal: ctl.signal,
      });
      if (result.state !== 'completed') throw runFailed('restart', result);
      if (partial && (shutdown.state === 'stopped' || shutdown.state === 'incomplete')) {
        abandonRun({ runDir: shutdown.runDir, identity: shutdown.cluster, clock: ctx.clock, reason: `power came back; the guard's restart ${result.runId} restored what this shutdown had changed` });
      }
      return { detail: `restart ${result.runId} completed${partial ? ` (restored what shutdown ${shutdown.runId} recorded)` : ''}` };
    } finally {
      cluster.close();
    }
  }

  /** A run of this action an earlier guard process started and left unfinished: resume it, never start a second. */
  #leftover(action: 'shutdown' | 'restart'): RunSummary | undefined {
    const linked = lastGuardRun(this.d.earlier, action);
    if (!linked) return undefined;
    const run = listRuns(this.d.ctx.stateRoot(this.d.g), this.d.identity.uid).find((r) => r.runId === linked.runId);
    return run && (run.state === 'stopped' || run.state === 'incomplete') && run.reason !== 'partial' ? run : undefined;
  }

  async #run(s: Session): Promise<{ result: RunResult; stoppedAfter?: string | null }> {
    const { ctx, g, journal, operator } = this.d;
    const stop = new AbortController();
    const onGuardStop = () => stop.abort(new Error('the guard is stopping'));
    if (s.signal.aborted) onGuardStop();
    s.signal.addEventListener('abort', onGuardStop, { once: true });
    const printer = new ProgressPrinter(ctx.io.stdout, 'plain', colors(false));
    let lastStep: string | null = null;
    let stoppedAfter: string | null | undefined;
    const onEvent = (e: EngineEvent) => {
      printer.onEvent(e);
      if (e.type === 'run-start' && e.runDir) {
        journal.append({ type: 'guard.run', at: e.t, action: s.action, runId: e.runId, runDir: e.runDir, resumed: e.resumed, partial: s.partial });
        this.d.logger.info({}, `${s.action} run ${e.runId}${e.resumed ? ' (resumed)' : ''}: journal ${e.runDir}`);
      }
      if (e.type === 'step-done' || e.type === 'step-skip') lastStep = e.step;
      // Between two steps is a consistent point: ask the engine to stop before the next one.
      if ((e.type === 'step-done' || e.type === 'step-skip') && s.stopAfterStep?.aborted && !stop.signal.aborted) {
        stoppedAfter = lastStep;
        stop.abort(new Error('power came back'));
      }
    };
    const flags = s.flags;
    const makeEnv = async (run: { runDir: string }) => (await this.#env(s, run.runDir, operator)).env;
    const options = { yes: true, interactive: false, signal: stop.signal };
    const common = { runbook: s.runbook, makeEnv, clock: ctx.clock, identity: s.identity, options, onEvent };
    try {
      const result = s.resumeDir
        ? await resumeRun({ ...common, runDir: s.resumeDir, resumeOptions: storedFlags(flags) })
        : await runRunbook({ ...common, stateDir: ctx.stateRoot(g), runOptions: storedFlags(flags), ...(s.parentRunId ? { parentRunId: s.parentRunId } : {}) });
      const ours = result.state === 'stopped' && result.reason === 'interrupted' && stoppedAfter !== undefined && !s.signal.aborted;
      return { result, ...(ours ? { stoppedAfter } : {}) };
    } finally {
      s.signal.removeEventListener('abort', onGuardStop);
      await this.#closeEnv();
    }
  }

  #closers: (() => Promise<void>)[] = [];

  async #env(s: Session, runDir: string, operator: Operator) {
    const built = await buildRunbookEnv({ cluster: s.cluster, clock: this.d.ctx.clock, operator, flags: s.flags, runDir, addresses: s.addresses });
    this.#closers.push(built.close);
    return built;
  }

  async #closeEnv(): Promise<void> {
    for (const c of this.#closers.splice(0)) await c().catch(() => undefined);
  }
}

function runFailed(action: string, r: RunResult): Error {
  return new Error(`${action} ${r.runId} ${r.state}${r.reason ? ` (${r.reason})` : ''}: ${r.message ?? 'no message'}${r.runDir ? `; journal ${r.runDir}` : ''}`);
}
