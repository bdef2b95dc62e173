// Virtual time: sleepers wake in deadline order, time stands still while the process
// works and jumps only when it is idle, and a cancelled sleeper never moves time.
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.js';

let clock: VirtualClock | undefined;
afterEach(() => clock?.stop());

describe('VirtualClock', () => {
  it('wakes sleepers in deadline order at their exact modelled time', async () => {
    clock = new VirtualClock({ start: 1_000_000 });
    const c = clock;
    const woke: [string, number][] = [];
    const p = Promise.all([
      c.sleep(180_000).then(() => woke.push(['guest', c.now()])),
      c.sleep(20_000).then(() => woke.push(['pod', c.now()])),
      c.sleep(20_000).then(() => woke.push(['pod2', c.now()])),
    ]);
    c.start();
    await p;
    expect(woke).toEqual([
      ['pod', 1_020_000],
      ['pod2', 1_020_000],
      ['guest', 1_180_000],
    ]);
    expect(c.elapsed()).toBe(180_000);
  });

  it('does not advance while the process is busy', async () => {
    clock = new VirtualClock({ start: 0 });
    const c = clock;
    void c.sleep(1_000);
    c.start();
    const end = Date.now() + 50;
    while (Date.now() < end) {
      // busy: the loop never idles, so modelled time must stand still
    }
    expect(c.now()).toBe(0);
    await c.sleep(1_000); // asked at modelled 0, like the first: both wake at 1 s
    expect(c.now()).toBe(1_000);
  });

  it('never jumps to a cancelled sleeper', async () => {
    clock = new VirtualClock({ start: 0 });
    const c = clock;
    const ac = new AbortController();
    const cancelled = c.sleep(60_000, ac.signal).catch(() => 'aborted');
    ac.abort(new Error('stop'));
    expect(await cancelled).toBe('aborted');
    c.start();
    await c.sleep(5_000);
    expect(c.now()).toBe(5_000);
  });

  it('maps wall instants to the modelled time in force then', async () => {
    clock = new VirtualClock({ start: 0 });
    const c = clock;
    c.start();
    const before = Date.now();
    await c.sleep(10_000);
    const after = Date.now();
    expect(c.atWall(before - 1)).toBe(0);
    expect(c.atWall(after + 1)).toBe(10_000);
  });
});
