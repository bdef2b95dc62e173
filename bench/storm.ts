// Boot storm: how many VMs were booting at once during the restart (VMI created → Running,
// from the twin's truth) against the wave size fallow was given, and how long all VM
// starts took against their bound (waves at the wave size, tiers in order).
import { batchBound, type Realized } from './bound.js';
import type { Span } from './truth.js';

export interface StormFigures {
  waveSize: number;
  /** Traditional VMs (fallow starts them) booting at once, at most. */
  peakTraditional: number;
  /** All VMs, downstream ones included (Rancher Manager starts those). */
  peakAll: number;
  vmsStarted: number;
  /** fallow's 5.5 section, modelled ms. */
  startMs: number;
  /** Its bound: waves of the wave size over the drawn boot times. */
  boundMs: number;
}

/** Most spans open at once. Ends sort before starts at the same instant (a VM done frees its slot). */
export function peakOverlap(spans: { start: number; end: number }[]): number {
  const edges = spans.flatMap((s) => [
    { t: s.start, d: 1 },
    { t: s.end, d: -1 },
  ]);
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let cur = 0;
  let peak = 0;
  for (const e of edges) {
    cur += e.d;
    peak = Math.max(peak, cur);
  }
  return peak;
}

export function stormFigures(o: {
  starts: { key: string; span: Span }[];
  window: [number, number];
  downstream: Set<string>;
  realized: Realized;
  startMs: number;
}): StormFigures {
  const [r0, r1] = o.window;
  const spans = o.starts
    .filter((s) => s.span.start >= r0 && s.span.start < r1)
    .map((s) => ({ key: s.key, start: s.span.start, end: s.span.end ?? r1 }));
  const trad = spans.filter((s) => !o.downstream.has(s.key));
  return {
    waveSize: o.realized.limits.waveSize,
    peakTraditional: peakOverlap(trad),
    peakAll: peakOverlap(spans),
    vmsStarted: spans.length,
    startMs: o.startMs,
    boundMs: Math.max(batchBound(o.realized.restart.traditionalStarts, o.realized.limits.waveSize), o.realized.restart.downstreamBackMs),
  };
}
