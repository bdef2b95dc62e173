// The guard loop: connect to the UPS (failing at once on wrong credentials, an unknown UPS
// or an unreachable upsd), then poll, feed every observation to the policy, journal every
// transition and decision, and run the injected shutdown / restart actions when the policy
// says so. Actions run in the background while polling goes on, so a power flap during a
// shutdown is seen (and journaled) but never aborts it; their outcome is fed back to the
// policy, which then restarts once power is stable.
//
// The guard knows nothing about Harvester: the runbook owner supplies the actions and the
// shutdown estimator.
import type { Clock } from '../common/clock.js';
import { UsageError, formatError } from '../common/errors.js';
import { describePlan, type BudgetPlan, type ShutdownEstimator } from './budget.js';
import type { NutCredentials } from './credentials.js';
import { UpsMonitor, type GuardLogger, type UpsSource } from './monitor.js';
import { NutClient, parseUpsTarget, type Backoff, type UpsTarget } from './nut-client.js';
import { decide, initialPolicyState, type Decision, type GuardPhase, type PolicyConfig, type PolicyEnv, type PolicyInput, type PolicyState } from './policy.js';
import { guardEventOfDecision, guardEventOfMonitor, type GuardEvent } from './events.js';

export type { GuardEvent } from './events.js';

/** What an action reports when it settles; `detail` lands in the journal. */
export interface ActionResult {
  detail?: string;
}

export interface ShutdownControl {
  /**
   * Aborted when power has come back and held: stop at the next consistent point (between
   * steps, never inside one) and resolve; the guard then restarts. Ignoring it is allowed.
   */
  stopAtConsistentPoint: AbortSignal;
  /** The guard itself is stopping (SIGTERM / Ctrl-C). */
  signal: AbortSignal;
}

export interface GuardActions {
  shutdown(plan: BudgetPlan, ctl: ShutdownControl): Promise<ActionResult | void>;
  restart(ctl: { signal: AbortSignal }): Promise<ActionResult | void>;
}

export interface GuardOptions {
  /** "ups1@127.0.0.1:3493" or a parsed target. Ignored when `source` is given. */
  ups: string | UpsTarget;
  credentials?: NutCredentials;
  policy: PolicyConfig;
  estimateShutdown: ShutdownEstimator;
  clock: Clock;
  /** Modelled ms between UPS polls. */
  pollIntervalMs: number;
  actions: GuardActions;
  /** Durably records one guard event; must not throw for ordinary records. */
  journalEvent(e: GuardEvent): void | Promise<void>;
  logger?: GuardLogger;
  /** 'down' when a guard-triggered shutdown finished before this process started. */
  initialPhase?: 'armed' | 'down';
  /** Another UPS source (a twin UPS); default: a NutClient on `ups`. */
  source?: UpsSource;
  nut?: { timeoutMs?: number; backoff?: Backoff };
}

export interface GuardResult {
  phase: GuardPhase;
}

export async function runGuard(opts: GuardOptions, signal: AbortSignal): Promise<GuardResult> {
  validate(opts);
  const source = opts.source ?? nutSource(opts);
  // Before anything else: wrong credentials or an unknown UPS must stop the guard here.
  await source.open(signal);
  const g = new GuardRun(opts, source, signal);
  try {
    return await g.run();
  } finally {
    await source.close();
  }
}

class GuardRun {
  #state: PolicyState;
  #chain: Promise<void> = Promise.resolve();
  #inflight = new Set<Promise<void>>();
  #stopShutdown: AbortController | undefined;
  #lastWait: string | undefined;
  readonly #env: PolicyEnv;

  constructor(
    private readonly opts: GuardOptions,
    private readonly source: UpsSource,
    private readonly signal: AbortSignal,
  ) {
    this.#state = initialPolicyState(opts.initialPhase ?? 'armed');
    this.#env = { config: opts.policy, estimateShutdown: opts.estimateShutdown };
  }

  async run(): Promise<GuardResult> {
    const { clock, policy } = this.opts;
    await this.#journal({
      type: 'guard.start',
      at: clock.now(),
      ups: this.source.label,
      phase: this.#state.phase,
      pollIntervalMs: this.opts.pollIntervalMs,
      safetyMarginMs: policy.safetyMarginMs,
      restartMinChargePct: policy.restartMinChargePct,
      restartStableMs: policy.restartStableMs,
    });
    this.#log('info', `Guard watching UPS ${this.source.label} (phase ${this.#state.phase})`);
    const monitor = new UpsMonitor({ source: this.source, clock, intervalMs: this.opts.pollIntervalMs, logger: this.opts.logger });
    await monitor.run(this.signal, async ({ observation, events }) => {
      for (const e of events) await this.#journal(guardEventOfMonitor(e, this.source.label));
      await this.#feed({ kind: 'observation', obs: observation });
    });
    // Stopping the guard never cuts an action short: the actions got the signal and decide.
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
    await this.#chain;
    await this.#journal({ type: 'guard.stop', at: clock.now(), phase: this.#state.phase });
    return { phase: this.#state.phase };
  }

  /** Serializes policy steps: observations and action outcomes arrive concurrently. */
  #feed(input: PolicyInput): Promise<void> {
    const next = this.#chain.then(() => this.#step(input));
    this.#chain = next.catch(() => undefined);
    return next;
  }

  async #step(input: PolicyInput): Promise<void> {
    let step: ReturnType<typeof decide>;
    try {
      step = decide(this.#state, input, this.#env);
    } catch (err) {
      // A bug in the estimator or planner must not kill the guard: alarm and keep watching.
      step = { state: this.#state, decision: { kind: 'alarm', message: `Guard policy failed: ${formatError(err)}` } };
    }
    const { state, decision } = step;
    this.#state = state;
    const at = input.kind === 'observation' ? input.obs.at : input.at;
    if (decision.kind !== 'wait' || decision.code !== this.#lastWait) {
      await this.#journal(guardEventOfDecision(decision, at, state.phase));
    }
    this.#lastWait = decision.kind === 'wait' ? decision.code : undefined;
    if ((decision.kind === 'trigger-shutdown' || decision.kind === 'trigger-restart') && this.signal.aborted) {
      // Stopping: start nothing new, and leave the phase where the cluster really is.
      const action = decision.kind === 'trigger-shutdown' ? 'shutdown' : 'restart';
      this.#state = { ...state, phase: action === 'shutdown' ? 'armed' : 'down' };
      this.#log('warn', `Guard stopping: not starting the ${action} it decided on (${decision.reason})`);
      await this.#journal({ type: 'guard.action', at, action, outcome: 'skipped', detail: 'the guard is stopping' });
      return;
    }
    this.#act(decision);
  }

  #act(d: Decision): void {
    switch (d.kind) {
      case 'trigger-shutdown': {
        this.#log('error', `Power: shutting the cluster down (${d.reason}); plan ${describePlan(d.plan)}`);
        const stop = new AbortController();
        this.#stopShutdown = stop;
        this.#start('shutdown', () => this.opts.actions.shutdown(d.plan, { stopAtConsistentPoint: stop.signal, signal: this.signal }));
        return;
      }
      case 'stop-shutdown-at-consistent-point':
        this.#log('warn', `Power: back and stable (${d.reason}); asking the shutdown to stop at its next consistent point`);
        this.#stopShutdown?.abort(new Error(`power restored: ${d.reason}`));
        return;
      case 'trigger-restart':
        this.#log('warn', `Power: restarting the cluster (${d.reason})`);
        this.#start('restart', () => this.opts.actions.restart({ signal: this.signal }));
        return;
      case 'alarm':
        this.#log('error', d.message);
        return;
      case 'wait':
        return;
    }
  }

  #start(action: 'shutdown' | 'restart', run: () => Promise<ActionResult | void>): void {
    const { clock } = this.opts;
    const p = (async () => {
      await this.#journal({ type: 'guard.action', at: clock.now(), action, outcome: 'started', detail: '' });
      let ok = true;
      let detail = 'completed';
      try {
        const r = await run();
        if (r && r.detail) detail = r.detail;
      } catch (err) {
        ok = false;
        detail = formatError(err);
      }
      await this.#journal({ type: 'guard.action', at: clock.now(), action, outcome: ok ? 'finished' : 'failed', detail });
      const kind = action === 'shutdown' ? 'shutdown-finished' : 'restart-finished';
      await this.#feed({ kind, at: clock.now(), ok, detail });
    })();
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }

  async #journal(e: GuardEvent): Promise<void> {
    try {
      await this.opts.journalEvent(e);
    } catch (err) {
      // Guarding goes on without a journal: a missed shutdown is worse than a gap in it.
      this.#log('error', `Cannot journal guard event ${e.type}: ${formatError(err)}`);
    }
  }

  #log(level: 'info' | 'warn' | 'error', msg: string): void {
    this.opts.logger?.[level]({ ups: this.source.label, phase: this.#state.phase }, msg);
  }
}

function nutSource(opts: GuardOptions): NutClient {
  const target = typeof opts.ups === 'string' ? parseUpsTarget(opts.ups) : opts.ups;
  return new NutClient({ target, credentials: opts.credentials, clock: opts.clock, timeoutMs: opts.nut?.timeoutMs, backoff: opts.nut?.backoff });
}

function validate(opts: GuardOptions): void {
  const p = opts.policy;
  const bad = (what: string) => new UsageError(`Guard setting ${what}`, 'Fix the guard configuration');
  if (!(opts.pollIntervalMs > 0)) throw bad(`poll interval must be > 0, got ${opts.pollIntervalMs} ms`);
  for (const [k, v] of Object.entries({ safetyMarginMs: p.safetyMarginMs, restartStableMs: p.restartStableMs, flapToleranceMs: p.flapToleranceMs, lookaheadMs: p.lookaheadMs, assumedLowBatteryRuntimeMs: p.assumedLowBatteryRuntimeMs })) {
    if (!(v >= 0)) throw bad(`${k} must be ≥ 0, got ${v}`);
  }
  if (!(p.restartMinChargePct >= 0 && p.restartMinChargePct <= 100)) throw bad(`restart charge threshold must be 0–100 %, got ${p.restartMinChargePct}`);
  if (p.maxOnBatteryMs !== undefined && !(p.maxOnBatteryMs > 0)) throw bad(`max time on battery must be > 0, got ${p.maxOnBatteryMs} ms`);
}
