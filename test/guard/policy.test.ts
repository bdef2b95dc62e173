// The policy as tables: a story of inputs (UPS readings over modelled minutes, action
// outcomes) and the decisions it must produce. Model: full shutdown 1500 s, margin 60 s,
// lookahead 5 s, max on battery 30 min, flap tolerance 60 s, restart at ≥ 50 % for 300 s.
import { describe, expect, it } from 'vitest';
import { decide, initialPolicyState, type Decision, type PolicyConfig, type PolicyInput, type PolicyState } from '../../src/guard/policy.js';
import { classifyStatus } from '../../src/guard/ups-state.js';
import type { UpsSample } from '../../src/guard/ups-state.js';
import { estimate, fullPlanMs, policyConfig } from './helpers.js';

const min = (m: number) => m * 60_000;
const sec = (s: number) => s * 1000;

function sample(at: number, status: string, runtimeS?: number, chargePct?: number): UpsSample {
  const tokens = status.split(' ');
  const s: UpsSample = { at, status: tokens, power: classifyStatus(tokens) };
  if (runtimeS !== undefined) s.runtimeS = runtimeS;
  if (chargePct !== undefined) s.chargePct = chargePct;
  return s;
}
const ups = (at: number, status: string, runtimeS?: number, chargePct?: number): PolicyInput => ({
  kind: 'observation',
  obs: { at, comm: 'ok', sample: sample(at, status, runtimeS, chargePct) },
});
const lost = (at: number, since: number, last?: UpsSample): PolicyInput => ({
  kind: 'observation',
  obs: last ? { at, comm: 'lost', since, reason: 'connection refused', last } : { at, comm: 'lost', since, reason: 'connection refused' },
});
const shutdownDone = (at: number, ok = true): PolicyInput => ({ kind: 'shutdown-finished', at, ok, detail: ok ? 'completed' : 'etcd unhealthy' });
const restartDone = (at: number, ok = true): PolicyInput => ({ kind: 'restart-finished', at, ok, detail: ok ? 'completed' : 'node harv41 did not boot' });

function play(inputs: PolicyInput[], opts: { config?: Partial<PolicyConfig>; initial?: PolicyState } = {}) {
  let state = opts.initial ?? initialPolicyState();
  const decisions: Decision[] = [];
  const env = { config: { ...policyConfig, ...opts.config }, estimateShutdown: estimate };
  for (const i of inputs) {
    const r = decide(state, i, env);
    state = r.state;
    decisions.push(r.decision);
  }
  return { state, decisions, kinds: decisions.map((d) => d.kind) };
}

/** The shutdown decision, asserting there is exactly one. */
function theShutdown(ds: Decision[]) {
  const t = ds.filter((d) => d.kind === 'trigger-shutdown');
  expect(t).toHaveLength(1);
  return t[0] as Extract<Decision, { kind: 'trigger-shutdown' }>;
}

describe('policy: when to shut down', () => {
  it('waits while the battery holds a full shutdown with margin', () => {
    const r = play([ups(0, 'OL', 3600, 100), ups(sec(5), 'OB DISCHRG', 3600, 99), ups(min(5), 'OB DISCHRG', 3000, 90)]);
    expect(r.kinds).toEqual(['wait', 'wait', 'wait']);
    expect(r.decisions[1]).toMatchObject({ code: 'on-battery', reason: expect.stringMatching(/3600 s left.*~1500 s \+ 60 s margin/) });
    expect(r.state.outageSince).toBe(sec(5));
  });

  it.each([
    // runtime − margin − lookahead vs the 1500 s full plan
    { runtime: 1566, trigger: false },
    { runtime: 1565, trigger: false }, // 1565 − 60 − 5 = 1500: still fits
    { runtime: 1564, trigger: true },
    { runtime: 900, trigger: true },
  ])('runtime $runtime s → trigger $trigger', ({ runtime, trigger }) => {
    const r = play([ups(0, 'OB', runtime, 80)]);
    expect(r.kinds).toEqual([trigger ? 'trigger-shutdown' : 'wait']);
  });

  it('triggers at the poll where the runtime stops covering the full plan, with the budget left', () => {
    const r = play([ups(0, 'OB', 2400, 95), ups(min(1), 'OB', 1900, 90), ups(min(2), 'OB', 1600, 85), ups(min(3), 'OB', 1500, 80), ups(min(4), 'OB', 1400, 75)]);
    expect(r.kinds).toEqual(['wait', 'wait', 'wait', 'trigger-shutdown', 'wait']);
    const t = theShutdown(r.decisions);
    expect(t.budgetMs).toBe(sec(1500 - 60));
    expect(t.plan.fits).toBe(true);
    expect(t.plan.estimate.totalMs).toBeLessThanOrEqual(t.budgetMs);
    expect(r.state.phase).toBe('shutting-down');
  });

  it('too little battery from the start → a reduced plan that fits', () => {
    const t = theShutdown(play([ups(0, 'OB', 800, 40)]).decisions);
    expect(t.budgetMs).toBe(sec(740));
    expect(t.plan.fits).toBe(true);
    expect(t.plan.skipped.map((s) => s.id)).toEqual(['backup-vms', 'support-bundle-second']);
    expect(t.plan.options.forceOff).toBe(false);
    expect(t.reason).toMatch(/runtime 800 s minus margin 60 s no longer covers a full shutdown \(~1500 s\)/);
  });

  it('low battery triggers at once even with runtime left, budget = runtime − margin', () => {
    const r = play([ups(0, 'OL', 3600, 100), ups(sec(5), 'OB LB', 3000, 20)]);
    const t = theShutdown(r.decisions);
    expect(t.reason).toMatch(/^low battery: OB LB/);
    expect(t.budgetMs).toBe(sec(3000 - 60));
    expect(t.plan.changes).toEqual([]);
  });

  it('low battery without a runtime assumes assumedLowBatteryRuntimeMs → force-off plan', () => {
    const t = theShutdown(play([ups(0, 'OB LB')]).decisions);
    expect(t.budgetMs).toBe(sec(120 - 60));
    expect(t.plan.options.forceOff).toBe(true);
  });

  it('FSD is an order, even on line power', () => {
    const t = theShutdown(play([ups(0, 'OL FSD', 3000, 90)]).decisions);
    expect(t.reason).toMatch(/forced shutdown \(FSD\)/);
  });

  it('with lowBatteryTriggers off, LB alone waits while the runtime holds', () => {
    const r = play([ups(0, 'OB LB', 3000, 20)], { config: { lowBatteryTriggers: false } });
    expect(r.kinds).toEqual(['wait']);
  });

  it('max time on battery triggers whatever the runtime says', () => {
    const r = play([ups(0, 'OB', 7200, 100), ups(min(29), 'OB', 7000, 80), ups(min(30), 'OB', 6900, 79)]);
    expect(r.kinds).toEqual(['wait', 'wait', 'trigger-shutdown']);
    expect(theShutdown(r.decisions).reason).toMatch(/on battery for 1800 s, limit 1800 s/);
  });

  it('no runtime reported: alarms once, then only LB or the limit trigger', () => {
    const r = play([ups(0, 'OB'), ups(min(1), 'OB'), ups(min(30), 'OB')]);
    expect(r.kinds).toEqual(['alarm', 'wait', 'trigger-shutdown']);
    expect(r.decisions[0]).toMatchObject({ message: expect.stringMatching(/no battery\.runtime/) });
    // Unknown deadline: the full plan.
    expect(theShutdown(r.decisions).budgetMs).toBe(fullPlanMs);
  });
});

describe('policy: flapping and lost contact', () => {
  it('a short return of power does not reset the time on battery', () => {
    const r = play([ups(0, 'OB', 7200, 100), ups(min(10), 'OL', 7000, 90), ups(min(10) + sec(30), 'OB', 7000, 90), ups(min(30), 'OB', 6000, 70)]);
    expect(r.kinds).toEqual(['wait', 'wait', 'wait', 'trigger-shutdown']);
    expect(r.decisions[1]).toMatchObject({ code: 'power-back' });
  });

  it('power back for longer than the tolerance ends the outage', () => {
    const r = play([ups(0, 'OB', 7200, 100), ups(min(10), 'OL', 7000, 90), ups(min(12), 'OL', 7000, 90), ups(min(13), 'OB', 7000, 90), ups(min(30), 'OB', 6000, 70)]);
    expect(r.kinds).toEqual(['wait', 'wait', 'wait', 'wait', 'wait']);
    expect(r.state.outageSince).toBe(min(13));
  });

  it('lost contact while on line power: one alarm, never an action', () => {
    const last = sample(0, 'OL', 3600, 100);
    const r = play([ups(0, 'OL', 3600, 100), lost(sec(5), sec(5), last), lost(min(10), sec(5), last), lost(min(60), sec(5), last)]);
    expect(r.kinds).toEqual(['wait', 'alarm', 'wait', 'wait']);
    expect(r.decisions[1]).toMatchObject({ message: expect.stringMatching(/Lost contact with the UPS .*connection refused.*no action/) });
    expect(r.state.phase).toBe('armed');
  });

  it('lost contact on battery: the last runtime still runs out (extrapolated)', () => {
    const last = sample(0, 'OB', 2000, 80);
    const r = play([ups(0, 'OB', 2000, 80), lost(min(1), min(1), last), lost(min(7), min(1), last), lost(min(8), min(1), last)]);
    // 2000 − 420 − 60 − 5 = 1515 ≥ 1500 at 7 min; 2000 − 480 − 65 = 1455 < 1500 at 8 min.
    expect(r.kinds).toEqual(['wait', 'alarm', 'wait', 'trigger-shutdown']);
    const t = theShutdown(r.decisions);
    expect(t.reason).toMatch(/extrapolated/);
    expect(t.budgetMs).toBe(sec(2000 - 480 - 60));
  });

  it('contact back: a new loss alarms again', () => {
    const r = play([lost(0, 0), ups(min(1), 'OL', 3600, 100), lost(min(2), min(2))]);
    expect(r.kinds).toEqual(['alarm', 'wait', 'alarm']);
  });

  it('a status that is neither OL nor OB alarms once and does nothing', () => {
    const r = play([ups(0, 'WAIT'), ups(sec(5), 'OFF'), ups(sec(10), 'OL', 3600, 100)]);
    expect(r.kinds).toEqual(['alarm', 'wait', 'wait']);
  });
});

describe('policy: shutdown in progress and restart', () => {
  const triggered = () => play([ups(0, 'OB', 900, 50)]).state;

  it('power flaps during a shutdown never abort it', () => {
    const r = play([ups(min(1), 'OL', 800, 50), ups(min(2), 'OB', 800, 50), ups(min(3), 'OL', 800, 60), ups(min(4), 'OB LB', 100, 10)], { initial: triggered() });
    expect(r.kinds).toEqual(['wait', 'wait', 'wait', 'wait']);
    expect(r.state.phase).toBe('shutting-down');
  });

  it('power back and stable mid-shutdown: stop at a consistent point once, then restart when it ends', () => {
    const r = play(
      [ups(min(1), 'OL CHRG', 900, 60), ups(min(5), 'OL CHRG', 1000, 70), ups(min(6), 'OL CHRG', 1100, 75), ups(min(7), 'OL', 1200, 80), shutdownDone(min(8))],
      { initial: triggered() },
    );
    expect(r.kinds).toEqual(['wait', 'wait', 'stop-shutdown-at-consistent-point', 'wait', 'trigger-restart']);
    expect(r.decisions[4]).toMatchObject({ reason: expect.stringMatching(/already stable/) });
    expect(r.state.phase).toBe('restarting');
  });

  it('restart waits for the charge threshold and the stable time; any outage resets it', () => {
    const down = play([shutdownDone(min(1))], { initial: triggered() }).state;
    expect(down.phase).toBe('down');
    const r = play(
      [
        ups(min(2), 'OL CHRG', 1000, 30), // power back, charge too low
        ups(min(10), 'OL CHRG', 1500, 50), // threshold reached: stable from here
        ups(min(14), 'OB', 1500, 50), // flap: resets
        ups(min(15), 'OL CHRG', 1500, 55), // stable again from 15
        ups(min(19) + sec(59), 'OL CHRG', 1700, 70), // 299 s
        ups(min(20), 'OL', 1800, 72), // 300 s
      ],
      { initial: down },
    );
    expect(r.kinds).toEqual(['wait', 'wait', 'wait', 'wait', 'wait', 'trigger-restart']);
    expect(r.decisions[5]).toMatchObject({ reason: expect.stringMatching(/charge ≥ 50 % for 300 s/) });
  });

  it('lost contact while down: no restart until data is back and stable again', () => {
    const down = play([shutdownDone(0)], { initial: triggered() }).state;
    const r = play([ups(min(1), 'OL', 1800, 90), lost(min(3), min(3)), lost(min(7), min(3)), ups(min(8), 'OL', 1800, 90), ups(min(12), 'OL', 1800, 90), ups(min(13), 'OL', 1800, 90)], { initial: down });
    expect(r.kinds).toEqual(['wait', 'alarm', 'wait', 'wait', 'wait', 'trigger-restart']);
  });

  it('no battery.charge with a threshold: alarm once, never restart by itself', () => {
    const down = play([shutdownDone(0)], { initial: triggered() }).state;
    const r = play([ups(min(1), 'OL', 1800), ups(min(30), 'OL', 1800)], { initial: down });
    expect(r.kinds).toEqual(['alarm', 'wait']);
    const r0 = play([ups(min(1), 'OL', 1800), ups(min(6), 'OL', 1800)], { initial: down, config: { restartMinChargePct: 0 } });
    expect(r0.kinds).toEqual(['wait', 'trigger-restart']);
  });

  it('a guard started with the cluster already down restarts on stable power', () => {
    const r = play([ups(0, 'OL', 1800, 100), ups(min(5), 'OL', 1800, 100)], { initial: initialPolicyState('down') });
    expect(r.kinds).toEqual(['wait', 'trigger-restart']);
  });

  it('a failed shutdown stops automation: alarm, then nothing even on stable power', () => {
    const r = play([shutdownDone(min(1), false), ups(min(2), 'OL', 1800, 100), ups(min(30), 'OL', 1800, 100), ups(min(31), 'OB LB', 100, 5)], { initial: triggered() });
    expect(r.kinds).toEqual(['alarm', 'wait', 'wait', 'wait']);
    expect(r.decisions[0]).toMatchObject({ message: expect.stringMatching(/shutdown failed: etcd unhealthy.*fallow resume/) });
    expect(r.state.phase).toBe('needs-operator');
  });

  it('restart done re-arms the guard: the next outage is a new episode', () => {
    const down = play([shutdownDone(0)], { initial: triggered() }).state;
    const r = play([ups(min(1), 'OL', 1800, 100), ups(min(6), 'OL', 1800, 100), restartDone(min(20)), ups(min(21), 'OB', 7200, 100), ups(min(50), 'OB', 7000, 90), ups(min(51), 'OB', 7000, 90)], { initial: down });
    expect(r.kinds).toEqual(['wait', 'trigger-restart', 'wait', 'wait', 'wait', 'trigger-shutdown']);
  });

  it('a failed restart stops automation', () => {
    const down = play([shutdownDone(0)], { initial: triggered() }).state;
    const r = play([ups(min(1), 'OL', 1800, 100), ups(min(6), 'OL', 1800, 100), restartDone(min(20), false), ups(min(21), 'OB LB', 100, 5)], { initial: down });
    expect(r.kinds).toEqual(['wait', 'trigger-restart', 'alarm', 'wait']);
    expect(r.state.phase).toBe('needs-operator');
  });

  it('an action outcome in the wrong phase is an alarm, not a state change', () => {
    const r = play([restartDone(0), shutdownDone(0)]);
    expect(r.kinds).toEqual(['alarm', 'alarm']);
    expect(r.state.phase).toBe('armed');
  });

  it('never mutates the state it is given', () => {
    const s0 = initialPolicyState();
    const frozen = structuredClone(s0);
    play([ups(0, 'OB', 900, 50)], { initial: s0 });
    expect(s0).toEqual(frozen);
  });
});
