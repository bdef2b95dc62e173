// API load from the twin API server's request log (every request fallow made, placed on
// modelled time): totals, per seed section, the busiest modelled second overall and while
// the control plane restarts, writes vs reads, and what the client's token bucket would
// have done to this request stream — whether the configured QPS limit ever held fallow
// back, and for how long in total.
import { defaultRateLimit, type RateLimit } from '../src/cluster/ratelimit.js';
import type { EngineEvent } from '../src/engine/events.js';
import type { SegmentId } from './bound.js';
import type { TimedRequest } from './fallow-run.js';
import { stepTimes } from './segments.js';

export interface LoadFigures {
  total: number;
  /** Requests that change cluster state. pods/exec is a `create` to RBAC but writes nothing: counted in `execs`. */
  writes: number;
  /** etcdctl runs through pods/exec (their number follows how long fallow polled etcd). */
  execs: number;
  watches: number;
  lists: number;
  gets: number;
  /** Requests that got no answer or a 5xx (the API down or without quorum): mostly informers re-watching. */
  failed: number;
  perSegment: Partial<Record<SegmentId, number>>;
  /** Most requests started within one modelled second. */
  peakPerSecond: number;
  /** The same, while the control plane restarts (5.1 and 5.2 power steps). */
  peakPerSecondControlPlane: number;
  /** Requests per modelled minute while fallow waited for nodes to boot (5.1, 5.2). */
  perMinuteWhileBooting: number;
  limit: RateLimit;
  /** Requests the token bucket would have delayed, and the total delay (modelled ms). */
  throttled: number;
  throttleDelayMs: number;
}

const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const isExec = (r: TimedRequest): boolean => r.resource === 'pods/exec';
const CONTROL_PLANE_STEPS = new Set(['restart.power-on-leader', 'restart.power-on-etcd-members', 'restart.check-vip', 'restart.power-on-workers']);

/** Most items of sorted `ts` within any window of `ms`. */
export function peakInWindow(ts: number[], ms: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < ts.length; hi++) {
    while (ts[hi]! - ts[lo]! >= ms) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Replays request start times through a token bucket: how many would have waited, and how long in all. */
export function bucketReplay(ts: number[], limit: RateLimit): { throttled: number; delayMs: number } {
  if (!(limit.qps > 0) || !Number.isFinite(limit.qps)) return { throttled: 0, delayMs: 0 };
  let tokens = limit.burst;
  let last = ts[0] ?? 0;
  let free = 0; // when the bucket's queue is next free (a waiter delays those behind it)
  let throttled = 0;
  let delayMs = 0;
  for (const t0 of ts) {
    const t = Math.max(t0, free);
    tokens = Math.min(limit.burst, tokens + ((t - last) / 1000) * limit.qps);
    last = t;
    let at = t;
    if (tokens < 1) {
      at = t + ((1 - tokens) / limit.qps) * 1000;
      tokens = 1;
      last = at;
    }
    tokens -= 1;
    if (at > t0) {
      throttled++;
      delayMs += at - t0;
    }
    free = at;
  }
  return { throttled, delayMs };
}

export function loadFigures(requests: TimedRequest[], events: EngineEvent[], limit: RateLimit = defaultRateLimit): LoadFigures {
  const steps = stepTimes(events);
  const sorted = [...requests].sort((a, b) => a.t - b.t);
  const ts = sorted.map((r) => r.t);
  const stepAt = (t: number) => steps.find((s) => t >= s.start && t < s.start + Math.max(1, s.ms)) ?? steps.filter((s) => s.start <= t).at(-1);
  const perSegment: Partial<Record<SegmentId, number>> = {};
  const cp: number[] = [];
  for (const r of sorted) {
    const s = stepAt(r.t);
    if (s?.segment) perSegment[s.segment] = (perSegment[s.segment] ?? 0) + 1;
    if (s && CONTROL_PLANE_STEPS.has(s.step)) cp.push(r.t);
  }
  const bootMs = steps.filter((s) => CONTROL_PLANE_STEPS.has(s.step)).reduce((a, s) => a + s.ms, 0);
  const replay = bucketReplay(ts, limit);
  const count = (p: (r: TimedRequest) => boolean) => sorted.filter(p).length;
  return {
    total: sorted.length,
    writes: count((r) => WRITE_VERBS.has(r.verb) && !isExec(r)),
    execs: count(isExec),
    watches: count((r) => r.verb === 'watch'),
    lists: count((r) => r.verb === 'list'),
    gets: count((r) => r.verb === 'get'),
    failed: count((r) => r.status === 0 || r.status >= 500),
    perSegment,
    peakPerSecond: peakInWindow(ts, 1000),
    peakPerSecondControlPlane: peakInWindow(cp, 1000),
    perMinuteWhileBooting: bootMs > 0 ? (cp.length / bootMs) * 60_000 : 0,
    limit,
    throttled: replay.throttled,
    throttleDelayMs: replay.delayMs,
  };
}
