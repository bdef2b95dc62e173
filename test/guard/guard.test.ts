// The guard loop over an in-memory UPS on a fast modelled clock: start-up checks, a whole
// outage (shutdown with a reduced plan, power back mid-shutdown, stop at a consistent point,
// restart), lost contact, stopping the guard during a shutdown, and a broken journal.
import { describe, expect, it } from 'vitest';
import { ScaledClock } from '../../src/common/clock.js';
import { UsageError } from '../../src/common/errors.js';
import type { BudgetPlan } from '../../src/guard/budget.js';
import { runGuard, type GuardActions, type GuardEvent, type GuardOptions, type ShutdownControl } from '../../src/guard/guard.js';
import { MemoryUps, estimate, policyConfig } from './helpers.js';

/** A promise the test settles by hand: a shutdown or restart that takes as long as we say. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Actions that record their calls and finish when the test says so. */
function recordingActions() {
  const calls: string[] = [];
  const shutdowns: { plan: BudgetPlan; ctl: ShutdownControl; done: ReturnType<typeof deferred<{ detail: string }>> }[] = [];
  const restarts: { done: ReturnType<typeof deferred<{ detail: string }>> }[] = [];
  const actions: GuardActions = {
    shutdown(plan, ctl) {
      calls.push('shutdown');
      const done = deferred<{ detail: string }>();
      shutdowns.push({ plan, ctl, done });
      return done.promise;
    },
    restart() {
      calls.push('restart');
      const done = deferred<{ detail: string }>();
      restarts.push({ done });
      return done.promise;
    },
  };
  return { calls, shutdowns, restarts, actions };
}

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

function setup(overrides: Partial<GuardOptions> = {}) {
  const ups = new MemoryUps();
  const journal: GuardEvent[] = [];
  const rec = recordingActions();
  const ac = new AbortController();
  // 1 modelled second = 1 wall ms: the 300 s stable time takes 0.3 s.
  const clock = new ScaledClock(1000);
  const opts: GuardOptions = {
    ups: 'mem@127.0.0.1:3493',
    source: ups,
    policy: policyConfig,
    estimateShutdown: estimate,
    clock,
    pollIntervalMs: 5000,
    actions: rec.actions,
    journalEvent: (e) => {
      journal.push(e);
    },
    ...overrides,
  };
  const decisions = () => journal.filter((e) => e.type === 'guard.decision').map((e) => (e.type === 'guard.decision' ? e.decision : ''));
  return { ups, journal, decisions, ...rec, ac, opts };
}

describe('runGuard', () => {
  it('stops at start on a refused login, before journaling or polling anything', async () => {
    const t = setup();
    t.ups.openError = new UsageError('UPS server refused the user name or password for mem', 'Check upsd.users');
    await expect(runGuard(t.opts, t.ac.signal)).rejects.toBeInstanceOf(UsageError);
    expect(t.journal).toEqual([]);
    expect(t.calls).toEqual([]);
  });

  it('rejects a bad configuration as a usage error', async () => {
    const t = setup({ pollIntervalMs: 0 });
    await expect(runGuard(t.opts, t.ac.signal)).rejects.toThrow(/poll interval must be > 0/);
    const t2 = setup({ policy: { ...policyConfig, restartMinChargePct: 150 } });
    await expect(runGuard(t2.opts, t2.ac.signal)).rejects.toBeInstanceOf(UsageError);
    expect(t.ups.opened + t2.ups.opened).toBe(0);
  });

  it('rides out an outage: reduced shutdown, power back mid-shutdown, stop at a consistent point, restart', async () => {
    const t = setup();
    t.ups.set('OL', 3600, 100);
    const run = runGuard(t.opts, t.ac.signal);
    await until('online seen', () => t.journal.some((e) => e.type === 'guard.ups' && e.event === 'transition' && e.to === 'online'));

    t.ups.set('OB DISCHRG', 1000, 60);
    await until('shutdown', () => t.calls.includes('shutdown'));
    const sd = t.shutdowns[0];
    expect(sd?.plan.budgetMs).toBe(940_000);
    expect(sd?.plan.fits).toBe(true);
    expect(sd?.plan.skipped.map((s) => s.id)).toEqual(['backup-vms']);

    // Power comes back, but the charge is low: the shutdown goes on.
    t.ups.set('OL CHRG', 1000, 40);
    await until('power back seen', () => t.journal.filter((e) => e.type === 'guard.ups' && e.event === 'transition').length >= 3);
    expect(sd?.ctl.stopAtConsistentPoint.aborted).toBe(false);
    t.ups.set('OL CHRG', 1200, 80);
    await until('stop request', () => sd?.ctl.stopAtConsistentPoint.aborted === true);
    expect(t.calls).toEqual(['shutdown']);

    sd?.done.resolve({ detail: 'stopped after stop-vms (power back)' });
    await until('restart', () => t.calls.includes('restart'));
    t.restarts[0]?.done.resolve({ detail: 'all VMs running' });
    await until('re-armed', () => t.journal.some((e) => e.type === 'guard.decision' && e.decision === 'wait' && /restart finished/.test(e.reason)));
    t.ac.abort();
    expect(await run).toEqual({ phase: 'armed' });

    expect(t.calls).toEqual(['shutdown', 'restart']);
    expect(t.decisions().filter((d) => d !== 'wait')).toEqual(['trigger-shutdown', 'stop-shutdown-at-consistent-point', 'trigger-restart']);
    // Waits are journaled when their reason changes, not on every poll.
    const waits = t.journal.filter((e) => e.type === 'guard.decision' && e.decision === 'wait');
    expect(waits.length).toBeLessThan(10);
    expect(t.journal.filter((e) => e.type === 'guard.action').map((e) => (e.type === 'guard.action' ? `${e.action} ${e.outcome} ${e.detail}` : ''))).toEqual([
      'shutdown started ',
      'shutdown finished stopped after stop-vms (power back)',
      'restart started ',
      'restart finished all VMs running',
    ]);
    expect(t.journal[0]).toMatchObject({ type: 'guard.start', ups: 'mem@127.0.0.1:3493', phase: 'armed' });
    expect(t.journal.at(-1)).toMatchObject({ type: 'guard.stop', phase: 'armed' });
    // Journal times never go backwards.
    const ats = t.journal.map((e) => e.at);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
    expect(t.ups.closed).toBe(1);
  });

  it('lost contact: comm-lost journaled, one alarm, no action', async () => {
    const t = setup();
    t.ups.set('OL', 3600, 100);
    const run = runGuard(t.opts, t.ac.signal);
    await until('online', () => t.journal.some((e) => e.type === 'guard.ups'));
    t.ups.unreachable();
    await until('alarm', () => t.decisions().includes('alarm'));
    await new Promise((r) => setTimeout(r, 50)); // ~10 more modelled polls while unreachable
    t.ac.abort();
    await run;
    expect(t.calls).toEqual([]);
    expect(t.journal.filter((e) => e.type === 'guard.ups').map((e) => (e.type === 'guard.ups' ? e.event : ''))).toEqual(['transition', 'comm-lost']);
    expect(t.decisions().filter((d) => d === 'alarm')).toHaveLength(1);
  });

  it('stopping the guard during a shutdown waits for it and tells it', async () => {
    const t = setup();
    t.ups.set('OB LB', 300, 10);
    let settled = false;
    const run = runGuard(t.opts, t.ac.signal).then((r) => {
      settled = true;
      return r;
    });
    await until('shutdown', () => t.calls.includes('shutdown'));
    t.ac.abort();
    await new Promise((r) => setTimeout(r, 30));
    expect(settled).toBe(false);
    expect(t.shutdowns[0]?.ctl.signal.aborted).toBe(true);
    t.shutdowns[0]?.done.reject(new Error('interrupted after shutdown.stop-vms; run `fallow resume`'));
    expect(await run).toEqual({ phase: 'needs-operator' });
    expect(t.journal.find((e) => e.type === 'guard.action' && e.outcome === 'failed')).toMatchObject({ detail: expect.stringMatching(/interrupted/) });
  });

  it('goes on guarding when the journal cannot be written', async () => {
    const errors: string[] = [];
    const t = setup({
      journalEvent: () => {
        throw new Error('disk full');
      },
      logger: { info: () => undefined, warn: () => undefined, error: (_o, m) => errors.push(m) },
    });
    t.ups.set('OB', 500, 30);
    const run = runGuard(t.opts, t.ac.signal);
    await until('shutdown', () => t.calls.includes('shutdown'));
    t.shutdowns[0]?.done.resolve({ detail: 'done' });
    t.ac.abort();
    await run;
    expect(errors.some((m) => /Cannot journal guard event guard\.decision: disk full/.test(m))).toBe(true);
    expect(errors.some((m) => /Power: shutting the cluster down/.test(m))).toBe(true);
  });

  it('a failing estimator raises an alarm and the guard keeps watching', async () => {
    const t = setup({
      estimateShutdown: () => {
        throw new Error('inventory not loaded');
      },
    });
    t.ups.set('OB', 900, 50);
    const run = runGuard(t.opts, t.ac.signal);
    await until('alarm', () => t.decisions().includes('alarm'));
    t.ups.set('OL', 900, 50);
    await until('still polling', () => t.journal.some((e) => e.type === 'guard.ups' && e.event === 'transition' && e.to === 'online'));
    t.ac.abort();
    await run;
    expect(t.journal.find((e) => e.type === 'guard.decision' && e.decision === 'alarm')).toMatchObject({ message: 'Guard policy failed: inventory not loaded' });
    expect(t.calls).toEqual([]);
  });

  it('once stopping, the guard starts no new action', async () => {
    const t = setup({ policy: { ...policyConfig, restartStableMs: 0 } });
    t.ups.set('OB LB', 300, 10);
    const run = runGuard(t.opts, t.ac.signal);
    await until('shutdown', () => t.calls.includes('shutdown'));
    t.ups.set('OL', 3000, 100);
    await until('power back seen', () => t.decisions().includes('stop-shutdown-at-consistent-point'));
    t.ac.abort();
    // Power is back and stable, so the policy decides to restart, but the guard is stopping.
    t.shutdowns[0]?.done.resolve({ detail: 'completed' });
    expect(await run).toEqual({ phase: 'down' });
    expect(t.calls).toEqual(['shutdown']);
    expect(t.decisions().at(-1)).toBe('trigger-restart');
    expect(t.journal.filter((e) => e.type === 'guard.action').map((e) => (e.type === 'guard.action' ? `${e.action} ${e.outcome}` : ''))).toEqual([
      'shutdown started',
      'shutdown finished',
      'restart skipped',
    ]);
  });
});
