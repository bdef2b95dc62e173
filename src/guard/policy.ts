// The guard's decisions, as a pure reducer: (state, input) → (state, decision). Inputs are
// the monitor's observations and the outcomes of the actions the guard started; decisions
// are trigger-shutdown(budget, plan), trigger-restart, stop-shutdown-at-consistent-point,
// alarm(message) and wait(reason). No I/O and no clock: time comes in with each input, so
// every rule is table-tested.
//
// Rules, in short:
// - On battery, shut down when the unhurried plan would no longer fit in the runtime left
//   minus the safety margin (looking one poll ahead), when low battery / FSD is reported,
//   or after maxOnBatteryMs. Power back for less than flapToleranceMs does not end an outage.
// - A shutdown is never aborted by power coming back: once power is stable the guard asks
//   it to stop at its next consistent point, waits for it to finish, then restarts.
// - Restart when power is online and the charge ≥ restartMinChargePct continuously for
//   restartStableMs. No data (UPS unreachable, status unknown) never triggers anything.
// - A failed shutdown or restart stops automation (needs-operator) and raises an alarm.
import { planBudget, type BudgetLimits, type BudgetPlan, type ShutdownEstimator } from './budget.js';
import { describeSample, type UpsObservation, type UpsSample } from './ups-state.js';

export type GuardPhase = 'armed' | 'shutting-down' | 'down' | 'restarting' | 'needs-operator';

export interface PolicyConfig {
  /** Time kept in reserve after the shutdown is expected to finish. */
  safetyMarginMs: number;
  /** Shut down after this long on battery whatever the runtime says (undefined: no limit). */
  maxOnBatteryMs?: number;
  /** Low battery (OB LB) or FSD shuts down at once. */
  lowBatteryTriggers: boolean;
  /** Runtime assumed at low battery when the UPS reports no battery.runtime. */
  assumedLowBatteryRuntimeMs: number;
  /** Time until the next decision (the poll interval): trigger if the plan would not fit then. */
  lookaheadMs: number;
  /** Power back for less than this does not end an outage episode. */
  flapToleranceMs: number;
  restartMinChargePct: number;
  /** Power online and charge ≥ threshold continuously for this long before a restart. */
  restartStableMs: number;
  budget: BudgetLimits;
}

export interface PolicyState {
  phase: GuardPhase;
  /** First on-battery instant of the current outage (armed phase only). */
  outageSince?: number;
  /** Since when power has been continuously online. */
  onlineSince?: number;
  /** Since when power has been online with enough charge, continuously. */
  stableSince?: number;
  /** Alarm keys already raised and still true (no repeats every poll). */
  alarms: string[];
  /** The running shutdown was asked to stop at its next consistent point. */
  stopRequested: boolean;
  last?: UpsSample;
}

export type PolicyInput =
  | { kind: 'observation'; obs: UpsObservation }
  | { kind: 'shutdown-finished'; at: number; ok: boolean; detail: string }
  | { kind: 'restart-finished'; at: number; ok: boolean; detail: string };

export type Decision =
  /** `remainingMs`: battery runtime left at the decision, when the UPS reports one. */
  | { kind: 'trigger-shutdown'; reason: string; budgetMs: number; remainingMs?: number; plan: BudgetPlan }
  | { kind: 'trigger-restart'; reason: string }
  | { kind: 'stop-shutdown-at-consistent-point'; reason: string }
  | { kind: 'alarm'; message: string }
  /** `code` is stable across polls (journal it when it changes); `reason` carries numbers. */
  | { kind: 'wait'; code: string; reason: string };

export interface PolicyEnv {
  config: PolicyConfig;
  estimateShutdown: ShutdownEstimator;
}

export interface PolicyStep {
  state: PolicyState;
  decision: Decision;
}

export function initialPolicyState(phase: 'armed' | 'down' = 'armed'): PolicyState {
  return { phase, alarms: [], stopRequested: false };
}

export function decide(prev: PolicyState, input: PolicyInput, env: PolicyEnv): PolicyStep {
  const s: PolicyState = { ...prev, alarms: [...prev.alarms] };
  if (input.kind === 'shutdown-finished') return shutdownFinished(s, input, env.config);
  if (input.kind === 'restart-finished') return restartFinished(s, input);
  const obs = input.obs;
  track(s, obs, env.config);
  if (obs.comm === 'lost') {
    // The battery keeps draining while we cannot see it: an outage's deadline still holds.
    if (s.phase === 'armed' && s.outageSince !== undefined && obs.last) {
      const t = onBatteryTrigger(s, obs.at, obs.last, env, true);
      if (t) return t;
    }
    const raised = raise(s, 'comm', `Lost contact with the UPS since ${iso(obs.since)}: ${obs.reason}. The guard takes no action on missing data`);
    return raised ?? { state: s, decision: wait('comm-lost', `UPS unreachable since ${iso(obs.since)}`) };
  }
  clear(s, 'comm');
  const sample = obs.sample;
  if (sample.runtimeS !== undefined) clear(s, 'runtime');
  if (sample.chargePct !== undefined) clear(s, 'charge');
  if (sample.power === 'unknown') {
    const raised = raise(s, 'status', `UPS status "${sample.status.join(' ')}" is neither online nor on battery; the guard takes no action on it`);
    return raised ?? { state: s, decision: wait('status-unknown', `UPS status ${sample.status.join(' ')}`) };
  }
  clear(s, 'status');
  switch (s.phase) {
    case 'armed':
      return armed(s, sample, env);
    case 'shutting-down':
      return shuttingDown(s, sample, env.config);
    case 'down':
      return down(s, sample, env.config);
    case 'restarting':
      return { state: s, decision: wait('restarting', `restart in progress; UPS ${describeSample(sample)}`) };
    case 'needs-operator':
      return { state: s, decision: wait('needs-operator', 'automation stopped after a failed action; an operator must finish the run') };
  }
}

/** Keeps the power-continuity timers, in every phase. */
function track(s: PolicyState, obs: UpsObservation, c: PolicyConfig): void {
  if (obs.comm === 'lost' || obs.sample.power !== 'online') {
    delete s.onlineSince;
    delete s.stableSince;
    if (obs.comm === 'ok' && obs.sample.power !== 'unknown' && s.phase === 'armed') s.outageSince ??= obs.at;
  } else {
    s.onlineSince ??= obs.at;
    const charge = obs.sample.chargePct;
    const enough = c.restartMinChargePct <= 0 || (charge !== undefined && charge >= c.restartMinChargePct);
    if (enough) s.stableSince ??= obs.at;
    else delete s.stableSince;
  }
  if (obs.comm === 'ok') s.last = obs.sample;
}

function armed(s: PolicyState, sample: UpsSample, env: PolicyEnv): PolicyStep {
  if (sample.power === 'online') {
    if (s.outageSince !== undefined && s.onlineSince !== undefined && sample.at - s.onlineSince >= env.config.flapToleranceMs) {
      delete s.outageSince;
    }
    const note = s.outageSince !== undefined ? 'power back, outage not over until it holds' : 'power online';
    return { state: s, decision: wait(s.outageSince !== undefined ? 'power-back' : 'online', `${note}; UPS ${describeSample(sample)}`) };
  }
  const t = onBatteryTrigger(s, sample.at, sample, env, false);
  if (t) return t;
  const full = env.estimateShutdown(env.config.budget.defaults).totalMs;
  const left = sample.runtimeS !== undefined ? `${sample.runtimeS} s left` : 'no runtime reported';
  const raised = sample.runtimeS === undefined ? raise(s, 'runtime', 'UPS reports no battery.runtime: only low battery and the on-battery limit can trigger a shutdown') : undefined;
  return raised ?? { state: s, decision: wait('on-battery', `on battery (${left}); a full shutdown needs ~${secs(full)} s + ${secs(env.config.safetyMarginMs)} s margin`) };
}

/** Shutdown triggers on battery; `last` may be stale (extrapolated) when comm is lost. */
function onBatteryTrigger(s: PolicyState, at: number, last: UpsSample, env: PolicyEnv, stale: boolean): PolicyStep | undefined {
  const c = env.config;
  const remainingMs = last.runtimeS !== undefined ? last.runtimeS * 1000 - (at - last.at) : undefined;
  const budgetOf = (ms: number) => Math.max(0, ms - c.safetyMarginMs);
  const via = stale ? ' (extrapolated from the last reading; UPS unreachable)' : '';
  if (!stale && last.power === 'low-battery' && c.lowBatteryTriggers) {
    const what = last.status.includes('FSD') ? 'forced shutdown (FSD)' : 'low battery';
    return trigger(s, `${what}: ${describeSample(last)}`, budgetOf(remainingMs ?? c.assumedLowBatteryRuntimeMs), env, remainingMs);
  }
  if (last.power !== 'on-battery' && last.power !== 'low-battery') return undefined;
  if (remainingMs !== undefined) {
    const full = env.estimateShutdown(c.budget.defaults).totalMs;
    if (budgetOf(remainingMs) - c.lookaheadMs < full) {
      return trigger(s, `runtime ${secs(remainingMs)} s minus margin ${secs(c.safetyMarginMs)} s no longer covers a full shutdown (~${secs(full)} s)${via}`, budgetOf(remainingMs), env, remainingMs);
    }
  }
  if (c.maxOnBatteryMs !== undefined && s.outageSince !== undefined && at - s.outageSince >= c.maxOnBatteryMs) {
    const budget = remainingMs !== undefined ? budgetOf(remainingMs) : env.estimateShutdown(c.budget.defaults).totalMs;
    return trigger(s, `on battery for ${secs(at - s.outageSince)} s, limit ${secs(c.maxOnBatteryMs)} s${via}`, budget, env, remainingMs);
  }
  return undefined;
}

function trigger(s: PolicyState, reason: string, budgetMs: number, env: PolicyEnv, remainingMs: number | undefined): PolicyStep {
  const plan = planBudget(budgetMs, env.estimateShutdown, env.config.budget);
  s.phase = 'shutting-down';
  s.stopRequested = false;
  delete s.outageSince;
  return { state: s, decision: { kind: 'trigger-shutdown', reason, budgetMs, ...(remainingMs !== undefined ? { remainingMs } : {}), plan } };
}

function shuttingDown(s: PolicyState, sample: UpsSample, c: PolicyConfig): PolicyStep {
  if (!s.stopRequested && restartDue(s, sample.at, c)) {
    s.stopRequested = true;
    return { state: s, decision: { kind: 'stop-shutdown-at-consistent-point', reason: `power stable for ${secs(sample.at - (s.stableSince ?? sample.at))} s (${describeSample(sample)})` } };
  }
  return { state: s, decision: wait('shutting-down', `shutdown in progress; power changes do not abort it (UPS ${describeSample(sample)})`) };
}

function down(s: PolicyState, sample: UpsSample, c: PolicyConfig): PolicyStep {
  if (restartDue(s, sample.at, c)) return startRestart(s, `power online with charge ≥ ${c.restartMinChargePct} % for ${secs(c.restartStableMs)} s (${describeSample(sample)})`);
  if (sample.power === 'online' && sample.chargePct === undefined && c.restartMinChargePct > 0) {
    const raised = raise(s, 'charge', `UPS reports no battery.charge, so the restart threshold of ${c.restartMinChargePct} % can never be met; start the restart by hand or set the threshold to 0`);
    if (raised) return raised;
  }
  return { state: s, decision: wait('down', `cluster down, waiting for stable power (UPS ${describeSample(sample)})`) };
}

function shutdownFinished(s: PolicyState, input: { at: number; ok: boolean; detail: string }, c: PolicyConfig): PolicyStep {
  if (s.phase !== 'shutting-down') return { state: s, decision: { kind: 'alarm', message: `Unexpected shutdown result in phase ${s.phase}: ${input.detail}` } };
  if (!input.ok) return needsOperator(s, `Guard-triggered shutdown failed: ${input.detail}. The guard will not act again; finish it with \`fallow resume\``);
  s.phase = 'down';
  s.stopRequested = false;
  if (restartDue(s, input.at, c)) return startRestart(s, 'power was already stable when the shutdown finished');
  return { state: s, decision: wait('down', `shutdown finished (${input.detail}); waiting for stable power`) };
}

function restartFinished(s: PolicyState, input: { at: number; ok: boolean; detail: string }): PolicyStep {
  if (s.phase !== 'restarting') return { state: s, decision: { kind: 'alarm', message: `Unexpected restart result in phase ${s.phase}: ${input.detail}` } };
  if (!input.ok) return needsOperator(s, `Guard-triggered restart failed: ${input.detail}. The guard will not act again; finish it with \`fallow resume\``);
  s.phase = 'armed';
  delete s.outageSince;
  return { state: s, decision: wait('online', `restart finished (${input.detail}); guard armed again`) };
}

function restartDue(s: PolicyState, at: number, c: PolicyConfig): boolean {
  return s.stableSince !== undefined && at - s.stableSince >= c.restartStableMs;
}

function startRestart(s: PolicyState, reason: string): PolicyStep {
  s.phase = 'restarting';
  return { state: s, decision: { kind: 'trigger-restart', reason } };
}

function needsOperator(s: PolicyState, message: string): PolicyStep {
  s.phase = 'needs-operator';
  return { state: s, decision: { kind: 'alarm', message } };
}

/** An alarm the first time `key` is raised; undefined while it is still raised. */
function raise(s: PolicyState, key: string, message: string): PolicyStep | undefined {
  if (s.alarms.includes(key)) return undefined;
  s.alarms.push(key);
  return { state: s, decision: { kind: 'alarm', message } };
}

function clear(s: PolicyState, key: string): void {
  s.alarms = s.alarms.filter((k) => k !== key);
}

function wait(code: string, reason: string): Decision {
  return { kind: 'wait', code, reason };
}

const secs = (ms: number) => Math.round(ms / 1000);
const iso = (ms: number) => new Date(ms).toISOString();
