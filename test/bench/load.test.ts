// Load arithmetic: the busiest window and the token-bucket replay that says whether the
// client's QPS limit would have held fallow back.
import { describe, expect, it } from 'vitest';
import { bucketReplay, peakInWindow } from '../../bench/load.js';
import { peakOverlap } from '../../bench/storm.js';

describe('peakInWindow', () => {
  it('counts the most starts within any window', () => {
    expect(peakInWindow([0, 100, 200, 1500, 1600, 1700, 1800], 1000)).toBe(4);
    expect(peakInWindow([], 1000)).toBe(0);
  });
  it('counts requests at one instant together', () => {
    expect(peakInWindow([5, 5, 5, 5, 2000], 1000)).toBe(4);
  });
});

describe('bucketReplay', () => {
  const limit = { qps: 20, burst: 40 };
  it('delays nothing within the burst', () => {
    expect(bucketReplay(Array.from({ length: 40 }, () => 0), limit)).toEqual({ throttled: 0, delayMs: 0 });
  });
  it('spaces requests beyond the burst at the QPS rate', () => {
    const r = bucketReplay(Array.from({ length: 42 }, () => 0), limit);
    expect(r.throttled).toBe(2);
    expect(r.delayMs).toBeCloseTo(50 + 100, 6);
  });
  it('refills while idle', () => {
    const ts = [...Array.from({ length: 40 }, () => 0), ...Array.from({ length: 40 }, () => 2000)];
    expect(bucketReplay(ts, limit).throttled).toBe(0);
  });
  it('does nothing without a limit', () => {
    expect(bucketReplay([0, 0, 0], { qps: 0, burst: 1 })).toEqual({ throttled: 0, delayMs: 0 });
  });
});

describe('peakOverlap', () => {
  it('counts spans open at once, a span ending where another starts freeing its slot', () => {
    expect(peakOverlap([{ start: 0, end: 10 }, { start: 5, end: 15 }, { start: 10, end: 20 }])).toBe(2);
    expect(peakOverlap([{ start: 0, end: 10 }, { start: 0, end: 10 }, { start: 0, end: 10 }])).toBe(3);
  });
});
