// The guard against a real upsd + dummy-ups (Debian nut-server 2.8): the client's login and
// errors, the monitor following an outage played through the .dev file, lost contact, and
// a whole guard loop with recording actions and a modelled shutdown estimate.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../../src/common/clock.js';
import { ExitCode, UnreachableError, exitCodeOf, formatError } from '../../../src/common/errors.js';
import type { BudgetPlan } from '../../../src/guard/budget.js';
import { Secret, loadCredentials } from '../../../src/guard/credentials.js';
import { runGuard, type GuardEvent, type GuardOptions } from '../../../src/guard/guard.js';
import { UpsMonitor, type MonitorEvent } from '../../../src/guard/monitor.js';
import { NutClient, parseUpsTarget } from '../../../src/guard/nut-client.js';
import { NutError } from '../../../src/guard/nut-protocol.js';
import type { PolicyConfig } from '../../../src/guard/policy.js';
import { estimate, fullPlanMs, limits } from '../../guard/helpers.js';
import { freePort, startUpsd, upsPassword, upsUser, waitFor, type Upsd } from './upsd.js';

const clock = new RealClock();
let upsd: Upsd;

beforeAll(async () => {
  upsd = await startUpsd();
});
afterAll(async () => {
  await upsd?.close();
});
afterEach(async () => {
  await upsd.resetUps();
});

const creds = async () => loadCredentials({ username: upsUser, passwordFile: upsd.passwordFile });
const client = async (password?: string) =>
  new NutClient({
    target: parseUpsTarget(upsd.target),
    credentials: password === undefined ? await creds() : { username: upsUser, password: new Secret(password) },
    clock,
    timeoutMs: 2000,
    backoff: { initialMs: 200, maxMs: 1000 },
  });

describe('NutClient against upsd', () => {
  it('logs in and reads variables', async () => {
    const c = await client();
    await c.open();
    expect(await c.getVar('ups.status')).toBe('OL');
    const vars = await c.listVars();
    expect(vars.get('battery.runtime')).toBe('3600');
    expect(vars.get('battery.charge')).toBe('100');
    await expect(c.getVar('no.such.var')).rejects.toMatchObject({ code: 'VAR-NOT-SUPPORTED' });
    await c.close();
  });

  it('a wrong password is a clear usage error that does not show the password', async () => {
    const c = await client('not-the-password');
    const err = await c.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NutError);
    expect((err as NutError).code).toBe('ACCESS-DENIED');
    expect(exitCodeOf(err)).toBe(ExitCode.usage);
    expect(formatError(err)).toMatch(new RegExp(`refused the user name or password for ${upsd.target.replace(/\./g, '\\.')}.*upsd\\.users`));
    expect(formatError(err)).not.toContain('not-the-password');
  });

  it('an unknown UPS name says so', async () => {
    const c = new NutClient({ target: { ...parseUpsTarget(upsd.target), ups: 'nosuch' }, credentials: await creds(), clock });
    await expect(c.open()).rejects.toMatchObject({ code: 'UNKNOWN-UPS', exitCode: ExitCode.usage });
  });
});

describe('UpsMonitor against upsd', () => {
  it('follows OL → OB → OB LB → OL as the UPS changes', async () => {
    const c = await client();
    await c.open();
    const m = new UpsMonitor({ source: c, clock, intervalMs: 200 });
    const events: MonitorEvent[] = [];
    const ac = new AbortController();
    const loop = m.run(ac.signal, (r) => {
      events.push(...r.events);
    });
    const transitions = () => events.flatMap((e) => (e.type === 'transition' ? [e.to] : []));
    try {
      await waitFor('online', () => transitions().at(-1) === 'online');
      await upsd.setUps('OB DISCHRG', 1200, 80);
      await waitFor('on-battery', () => transitions().at(-1) === 'on-battery');
      await upsd.setUps('OB LB', 120, 10);
      await waitFor('low-battery', () => transitions().at(-1) === 'low-battery');
      await upsd.setUps('OL CHRG', 300, 15);
      await waitFor('online again', () => transitions().length === 4);
    } finally {
      ac.abort();
      await loop;
      await c.close();
    }
    expect(transitions()).toEqual(['online', 'on-battery', 'low-battery', 'online']);
    const ts = events.map((e) => e.at);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    const lb = events.find((e) => e.type === 'transition' && e.to === 'low-battery');
    expect(lb).toMatchObject({ sample: { status: ['OB', 'LB'], runtimeS: 120, chargePct: 10 } });
  });

  it('a stopped driver is lost contact (driver not running), and contact comes back', async () => {
    const c = await client();
    await c.open();
    const m = new UpsMonitor({ source: c, clock, intervalMs: 200 });
    await m.poll();
    await upsd.stopDriver();
    try {
      let r = await m.poll();
      await waitFor('driver gone', async () => (r = await m.poll()).observation.comm === 'lost');
      expect(r.observation).toMatchObject({ comm: 'lost', reason: expect.stringMatching(/driver is not running|stale/) });
    } finally {
      await upsd.startDriver();
    }
    await waitFor('driver back', async () => (await m.poll()).observation.comm === 'ok');
    await c.close();
  });
});

describe('runGuard against upsd', () => {
  const policy: PolicyConfig = {
    safetyMarginMs: 60_000,
    lowBatteryTriggers: true,
    assumedLowBatteryRuntimeMs: 120_000,
    lookaheadMs: 250,
    flapToleranceMs: 1000,
    restartMinChargePct: 50,
    restartStableMs: 2000,
    budget: limits,
  };

  function guardSetup(overrides: Partial<GuardOptions> = {}) {
    const journal: GuardEvent[] = [];
    const calls: { action: string; at: number; plan?: BudgetPlan }[] = [];
    const ac = new AbortController();
    const opts: GuardOptions = {
      ups: upsd.target,
      policy,
      estimateShutdown: estimate,
      clock,
      pollIntervalMs: 250,
      nut: { timeoutMs: 2000, backoff: { initialMs: 200, maxMs: 1000 } },
      actions: {
        shutdown: async (plan) => {
          calls.push({ action: 'shutdown', at: clock.now(), plan });
          return { detail: 'modelled shutdown done' };
        },
        restart: async () => {
          calls.push({ action: 'restart', at: clock.now() });
          return { detail: 'modelled restart done' };
        },
      },
      journalEvent: (e) => {
        journal.push(e);
      },
      ...overrides,
    };
    const upsEvents = () => journal.flatMap((e) => (e.type === 'guard.ups' ? [e] : []));
    const decisions = () => journal.flatMap((e) => (e.type === 'guard.decision' ? [e] : []));
    return { journal, calls, ac, opts, upsEvents, decisions };
  }

  it('wrong credentials stop the guard at start: usage exit code, nothing journaled, no action', async () => {
    const g = guardSetup({ credentials: { username: upsUser, password: new Secret('wrong') } });
    const err = await runGuard(g.opts, g.ac.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NutError);
    expect(exitCodeOf(err)).toBe(ExitCode.usage);
    expect(g.journal).toEqual([]);
    expect(g.calls).toEqual([]);
  });

  it('an unreachable upsd at start is an unreachable error', async () => {
    const port = await freePort();
    const g = guardSetup({ ups: `ups1@127.0.0.1:${port}`, credentials: await creds() });
    const err = await runGuard(g.opts, g.ac.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(exitCodeOf(err)).toBe(ExitCode.unreachable);
    expect(g.journal).toEqual([]);
  });

  it('upsd going away mid-run: alarm, no action, reconnects when it is back', async () => {
    const g = guardSetup({ credentials: await creds() });
    const run = runGuard(g.opts, g.ac.signal);
    try {
      await waitFor('online', () => g.upsEvents().some((e) => e.event === 'transition'));
      await upsd.stopUpsd();
      await waitFor('alarm', () => g.decisions().some((d) => d.decision === 'alarm'));
      // A power cut while we cannot see it changes nothing: no data, no action.
      await upsd.setUps('OB LB', 30, 5);
      await new Promise((r) => setTimeout(r, 1500));
      expect(g.calls).toEqual([]);
      await upsd.setUps('OL', 3600, 100);
      await upsd.startUpsd();
      await waitFor('comm restored', () => g.upsEvents().some((e) => e.event === 'comm-restored'));
    } finally {
      g.ac.abort();
      await run;
    }
    expect(g.calls).toEqual([]);
    // A freshly started upsd may serve WAIT before the driver's data: unknown, alarm, no action.
    expect(g.upsEvents().map((e) => e.event).slice(0, 3)).toEqual(['transition', 'comm-lost', 'comm-restored']);
    const alarm = g.decisions().find((d) => d.decision === 'alarm');
    expect(alarm).toMatchObject({ message: expect.stringMatching(/Lost contact with the UPS/) });
  });

  it('whole loop: shutdown when runtime − margin < estimate, restart after power and charge hold', async () => {
    expect(fullPlanMs).toBe(1_500_000);
    const g = guardSetup({ credentials: await creds() });
    const run = runGuard(g.opts, g.ac.signal);
    const transitionAt = (to: string, status: string) =>
      g.upsEvents().find((e) => e.event === 'transition' && e.to === to && e.sample.status === status)?.at;
    try {
      await waitFor('online', () => transitionAt('online', 'OL') !== undefined);
      // 1800 − 60 = 1740 s covers the 1500 s plan: wait.
      await upsd.setUps('OB DISCHRG', 1800, 90);
      await waitFor('on battery', () => transitionAt('on-battery', 'OB DISCHRG') !== undefined);
      await new Promise((r) => setTimeout(r, 1500));
      expect(g.calls).toEqual([]);
      // 1540 − 60 − 0.25 < 1500: shut down, with a plan fitting 1480 s.
      await upsd.setUps('OB DISCHRG', 1540, 70);
      await waitFor('shutdown', () => g.calls.length === 1);
      expect(g.calls[0]?.action).toBe('shutdown');
      expect(g.calls[0]?.plan).toMatchObject({ budgetMs: 1_480_000, fits: true });
      expect(g.calls[0]?.plan?.options.vmStopParallelism).toBe(8);

      // Power back with a low charge: no restart.
      await upsd.setUps('OL CHRG', 1540, 30);
      await waitFor('power back', () => g.upsEvents().some((e) => e.event === 'transition' && e.to === 'online' && e.sample.chargePct === 30));
      await new Promise((r) => setTimeout(r, 2500));
      expect(g.calls.map((c) => c.action)).toEqual(['shutdown']);

      // Charge above 50 %: restart once it has held for 2 s (counted from when upsd can first
      // serve it, which is after this write).
      const chargedAt = clock.now();
      await upsd.setUps('OL CHRG', 1700, 60);
      await waitFor('restart', () => g.calls.length === 2);
      expect(g.calls[1]?.action).toBe('restart');
      expect((g.calls[1]?.at ?? 0) - chargedAt).toBeGreaterThanOrEqual(policy.restartStableMs);
      await waitFor('re-armed', () => g.decisions().some((d) => d.decision === 'wait' && /restart finished/.test(d.reason)));
    } finally {
      g.ac.abort();
      await run;
    }
    expect(g.decisions().filter((d) => d.decision !== 'wait').map((d) => d.decision)).toEqual(['trigger-shutdown', 'trigger-restart']);
    expect(JSON.stringify(g.journal)).not.toContain(upsPassword);
  });

  it('a guard with a password variable instead of a file', async () => {
    const c = await loadCredentials({ username: upsUser, passwordEnv: 'FALLOW_TEST_NUT_PW' }, { FALLOW_TEST_NUT_PW: upsPassword });
    const g = guardSetup({ credentials: c });
    const run = runGuard(g.opts, g.ac.signal);
    await waitFor('online', () => g.upsEvents().length > 0);
    g.ac.abort();
    expect(await run).toEqual({ phase: 'armed' });
    expect(g.journal.at(-1)).toMatchObject({ type: 'guard.stop' });
  });
});
