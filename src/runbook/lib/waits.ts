// Watch-driven waits over informer caches: one helper for every "until these objects are
// in this state" of the runbook, naming what is still pending (capped list).
import { capList } from '../../common/list.js';
import type { KindName } from '../../common/harvester.js';
import type { KObject } from '../../common/harvester-types.js';
import type { StepContext, WaitResult, WaitSpec } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import type { ListOpts } from '../ports.js';

type Ctx = StepContext<RunbookEnv>;

export interface CacheWaitOptions<T extends KObject> {
  name: string;
  kind: KindName;
  opts?: ListOpts;
  timeoutMs: number;
  /** Names the objects still pending ([] = done), or returns a failure. */
  pending(items: T[], ctx: Ctx): string[] | { failed: string; hint?: string };
  /** "waiting for 3 VMIs to stop" → the noun phrase before the list. */
  describe(count: number): string;
}

export function cacheWait<T extends KObject>(o: CacheWaitOptions<T>): WaitSpec<RunbookEnv> {
  return {
    name: o.name,
    timeoutMs: o.timeoutMs,
    pollMs: 30_000,
    async evaluate(ctx): Promise<WaitResult> {
      const cache = ctx.env.cluster.cache<T>(o.kind, o.opts);
      await cache.synced();
      const p = o.pending(cache.list(), ctx);
      if (!Array.isArray(p)) return { state: 'failed', reason: p.failed, ...(p.hint ? { hint: p.hint } : {}) };
      if (p.length === 0) return { state: 'done' };
      return { state: 'waiting', detail: `${o.describe(p.length)}: ${capList(p)}` };
    },
    async subscribe(ctx, wake) {
      return ctx.env.cluster.cache<T>(o.kind, o.opts).onChange(wake);
    },
  };
}

/** Several caches at once: wakes on any of them. */
export function multiCacheSubscribe(kinds: { kind: KindName; opts?: ListOpts }[]) {
  return async (ctx: Ctx, wake: () => void): Promise<() => void> => {
    const offs = kinds.map((k) => ctx.env.cluster.cache(k.kind, k.opts).onChange(wake));
    return () => offs.forEach((off) => off());
  };
}

export const minutes = (m: number): number => m * 60_000;
