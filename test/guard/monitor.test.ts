// The monitor over an in-memory UPS: transitions with timestamps, comm-lost / restored,
// logging, and the poll loop.
import { describe, expect, it } from 'vitest';
import { ScaledClock, type Clock } from '../../src/common/clock.js';
import { UpsMonitor, type GuardLogger, type MonitorEvent } from '../../src/guard/monitor.js';
import { classifyStatus, sampleFromVars } from '../../src/guard/ups-state.js';
import { MemoryUps } from './helpers.js';

/** A clock the test moves by hand (poll() never sleeps). */
class HandClock implements Clock {
  readonly scale = 1;
  t = 1_000_000;
  now(): number {
    return this.t;
  }
  sleep(): Promise<void> {
    throw new Error('poll() must not sleep');
  }
}

function recordingLogger() {
  const lines: string[] = [];
  const log: GuardLogger = {
    info: (_o, m) => lines.push(`info ${m}`),
    warn: (_o, m) => lines.push(`warn ${m}`),
    error: (_o, m) => lines.push(`error ${m}`),
  };
  return { lines, log };
}

describe('classifyStatus', () => {
  it.each([
    ['OL', 'online'],
    ['OL CHRG', 'online'],
    ['OL LB', 'online'],
    ['OB DISCHRG', 'on-battery'],
    ['OB LB', 'low-battery'],
    ['OL FSD', 'low-battery'],
    ['FSD OB LB', 'low-battery'],
    ['WAIT', 'unknown'],
    ['OFF', 'unknown'],
    ['', 'unknown'],
  ])('%s → %s', (status, power) => {
    expect(classifyStatus(status.split(' ').filter(Boolean))).toBe(power);
  });

  it('reads runtime and charge, ignoring what is not a number', () => {
    const s = sampleFromVars(new Map([['ups.status', ' OB  DISCHRG '], ['battery.runtime', '1200'], ['battery.charge', 'n/a']]), 5, 'u');
    expect(s).toEqual({ at: 5, status: ['OB', 'DISCHRG'], power: 'on-battery', runtimeS: 1200 });
  });
});

describe('UpsMonitor.poll', () => {
  it('follows OL → OB → OB LB → OL with timestamps, and logs every transition', async () => {
    const ups = new MemoryUps();
    const clock = new HandClock();
    const { lines, log } = recordingLogger();
    const m = new UpsMonitor({ source: ups, clock, intervalMs: 1000, logger: log });
    const events: MonitorEvent[] = [];
    const step = async (status: string, runtime: number, charge: number) => {
      ups.set(status, runtime, charge);
      clock.t += 2000;
      const r = await m.poll();
      expect(r.observation).toMatchObject({ comm: 'ok', at: clock.t, sample: { power: classifyStatus(status.split(' ')), runtimeS: runtime } });
      events.push(...r.events);
    };
    await step('OL', 1800, 100);
    await step('OL', 1800, 100); // no change, no event
    await step('OB DISCHRG', 1200, 90);
    await step('OB LB', 100, 10);
    await step('OL CHRG', 200, 12);
    expect(events.map((e) => (e.type === 'transition' ? [e.from, e.to, e.at] : e.type))).toEqual([
      [null, 'online', 1_002_000],
      ['online', 'on-battery', 1_006_000],
      ['on-battery', 'low-battery', 1_008_000],
      ['low-battery', 'online', 1_010_000],
    ]);
    expect(lines).toEqual([
      'info UPS mem@127.0.0.1:3493: start → online (OL, runtime 1800 s, charge 100 %)',
      'info UPS mem@127.0.0.1:3493: online → on-battery (OB DISCHRG, runtime 1200 s, charge 90 %)',
      'info UPS mem@127.0.0.1:3493: on-battery → low-battery (OB LB, runtime 100 s, charge 10 %)',
      'info UPS mem@127.0.0.1:3493: low-battery → online (OL CHRG, runtime 200 s, charge 12 %)',
    ]);
  });

  it('reports comm-lost once with the last good sample, then comm-restored', async () => {
    const ups = new MemoryUps();
    const clock = new HandClock();
    const { lines, log } = recordingLogger();
    const m = new UpsMonitor({ source: ups, clock, intervalMs: 1000, logger: log });
    ups.set('OB', 900, 50);
    await m.poll();
    ups.unreachable();
    clock.t += 1000;
    const a = await m.poll();
    clock.t += 1000;
    const b = await m.poll();
    expect(a.events).toEqual([{ type: 'comm-lost', at: 1_001_000, reason: expect.stringMatching(/unreachable/), last: expect.objectContaining({ runtimeS: 900 }) }]);
    expect(b.events).toEqual([]);
    expect(b.observation).toMatchObject({ comm: 'lost', since: 1_001_000, at: 1_002_000, last: { runtimeS: 900 } });
    ups.set('OL', 950, 52);
    clock.t += 3000;
    const c = await m.poll();
    expect(c.events.map((e) => e.type)).toEqual(['comm-restored', 'transition']);
    expect(c.events[0]).toMatchObject({ lostForMs: 4000 });
    expect(lines.filter((l) => l.startsWith('warn'))).toEqual([expect.stringMatching(/communication lost: UPS server for mem unreachable/)]);
  });

  it('a UPS without ups.status counts as lost contact, naming the problem', async () => {
    const ups = new MemoryUps();
    ups.vars = new Map([['battery.charge', '100']]);
    const r = await new UpsMonitor({ source: ups, clock: new HandClock(), intervalMs: 1000 }).poll();
    expect(r.observation).toMatchObject({ comm: 'lost', reason: expect.stringMatching(/reports no ups\.status/) });
  });
});

describe('UpsMonitor.run', () => {
  it('polls at the interval until aborted', async () => {
    const ups = new MemoryUps();
    ups.set('OL', 1800, 100);
    const clock = new ScaledClock(1000); // 1 s modelled = 1 ms wall
    const m = new UpsMonitor({ source: ups, clock, intervalMs: 10_000 });
    const ac = new AbortController();
    const at: number[] = [];
    await m.run(ac.signal, (r) => {
      at.push(r.observation.at);
      if (at.length === 4) ac.abort();
    });
    expect(at).toHaveLength(4);
    for (let i = 1; i < at.length; i++) expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(9_000);
  });
});
