// The tiered pool behind the VM stop (3.1/3.2) and start waves (5.5): at most `limit` in
// flight, a tier only once the previous one is finished, failed starts back to pending.
import { describe, expect, it } from 'vitest';
import { describePool, TieredPool } from '../../src/runbook/lib/pool.js';

const items = [
  { key: 'a', tier: 0 },
  { key: 'b', tier: 0 },
  { key: 'c', tier: 0 },
  { key: 'd', tier: 1 },
];

describe('TieredPool', () => {
  it('starts at most `limit` of the first tier, then fills freed room, and the next tier only when the first is finished', () => {
    const pool = new TieredPool(items, 2);
    const done = new Set<string>();
    const r1 = pool.next((i) => done.has(i.key), 0);
    expect(r1.toStart.map((i) => i.key)).toEqual(['a', 'b']);
    expect(r1.state).toEqual({ finished: [], inFlight: ['a', 'b'], pending: ['a', 'b', 'c', 'd'] });
    expect(pool.next((i) => done.has(i.key), 1).toStart).toEqual([]); // full
    done.add('a');
    const r2 = pool.next((i) => done.has(i.key), 2);
    expect(r2.toStart.map((i) => i.key)).toEqual(['c']); // d waits for tier 0
    expect(r2.state.inFlight).toEqual(['b', 'c']);
    expect(pool.startedAt('a')).toBeUndefined();
    expect(pool.startedAt('c')).toBe(2);
    done.add('b').add('c');
    const r3 = pool.next((i) => done.has(i.key), 3);
    expect(r3.toStart.map((i) => i.key)).toEqual(['d']);
    expect(r3.state.finished).toEqual(['a', 'b', 'c']);
    expect(describePool('stop', r3.state)).toBe('waiting for 1 VM to stop (1 in progress: d)');
  });

  it('counts adopted items (in flight before a resume) against the limit, and puts a failed start back', async () => {
    const pool = new TieredPool(items, 2);
    pool.adopt(['a'], 0);
    const r = pool.next(() => false, 1);
    expect(r.toStart.map((i) => i.key)).toEqual(['b']);
    await expect(pool.startAll(r.toStart, async () => Promise.reject(new Error('503')))).rejects.toThrow('503');
    expect(pool.startedAt('b')).toBeUndefined();
    expect(pool.next(() => false, 2).toStart.map((i) => i.key)).toEqual(['b']);
  });
});
