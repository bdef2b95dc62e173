// Stopping VMs guest-first (seed 3.1 and 3.2), shared by the traditional and the
// downstream-cluster step: a TieredPool keeps at most `stopConcurrency` guests shutting
// down, least important tier first; done when no chosen VM has a VMI (read as
// lib/pool-looks.ts says: not every VM on every event). Stop is idempotent
// (409 on a Halted VM), so a resumed run simply reconciles again.
import type { VirtualMachineInstanceObject } from '../../common/harvester-types.js';
import type { StepContext, WaitResult, WaitSpec } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import type { VmFact } from '../facts.js';
import { describePool, TieredPool } from './pool.js';
import { PoolLooks, type Look } from './pool-looks.js';
import { tiers, vmKey, vmiActive } from './vms.js';

type Ctx = StepContext<RunbookEnv>;

export const DEFAULT_GRACE_S = 180; // Harvester's default terminationGracePeriodSeconds
const MARGIN_MS = 60_000; // virt-launcher's own teardown after the grace period

/** Pool items in stop order: tier 0 is the least important priority. */
export function poolItems(targets: VmFact[], order: 'start' | 'stop') {
  return tiers(targets, order).flatMap((t, i) => t.map((v) => ({ ...v, key: vmKey(v), tier: i })));
}

type StopItem = ReturnType<typeof poolItems>[number];

export function stopVmsWait(ctx: Ctx, targets: VmFact[], label: string): WaitSpec<RunbookEnv> {
  const { options } = ctx.env;
  const items = poolItems(targets, 'stop');
  const pool = new TieredPool(items, options.stopConcurrency);
  const graceMs = new Map<string, { ms: number; since: number }>();
  const forced = new Set<string>();
  const batches = Math.ceil(targets.length / Math.max(1, options.stopConcurrency)) + tiers(targets, 'stop').length;
  const timeoutMs = Math.max(1, batches) * ((options.guestGraceSeconds ?? DEFAULT_GRACE_S) * 1000 + MARGIN_MS);

  const looks = new PoolLooks(items);

  return {
    name: `${label} stopped`,
    timeoutMs,
    pollMs: 15_000,
    async evaluate(c): Promise<WaitResult> {
      const cache = c.env.cluster.cache<VirtualMachineInstanceObject>('VirtualMachineInstance');
      await cache.synced();
      const now = c.clock.now();
      // Stopped = no active VMI. Between full looks only the VMs this step stopped are read
      // again (lib/pool-looks.ts); never done on a partial look.
      const stopped = (v: StopItem): Look => {
        const vmi = cache.get(v.namespace, v.name);
        return vmi && vmiActive(vmi) ? 'pending' : 'finished';
      };
      const look = (full: boolean) => {
        const { finished } = looks.refresh(stopped, now, full);
        return pool.next((v) => finished.has(v.key), now);
      };
      let { toStart, state } = look(false);
      if (state.pending.length === 0) ({ toStart, state } = look(true));
      const live = (key: string) => !looks.finished.has(key);

      // Guests that needed their whole grace period were powered off by KubeVirt: say so.
      // (The pool forgets a finished VM's start time in look(): it is kept here with its grace.)
      for (const [key, { ms: g, since }] of graceMs) {
        if (live(key)) continue;
        if (!forced.has(key) && now - since >= g) {
          await c.warn(`VM ${key}: the guest did not shut down within its ${Math.round(g / 1000)} s grace period and was powered off by KubeVirt`);
        }
        graceMs.delete(key);
      }

      if (state.pending.length === 0) return { state: 'done', detail: `${targets.length} VMs stopped` };

      for (const key of state.inFlight) {
        const since = pool.startedAt(key) ?? now;
        const g = graceMs.get(key)?.ms ?? DEFAULT_GRACE_S * 1000;
        if (now - since <= g + MARGIN_MS || forced.has(key)) continue;
        if (!c.env.options.forceOff) {
          return {
            state: 'failed',
            reason: `VM ${key} is still running ${Math.round((now - since) / 1000)} s after its stop (grace ${Math.round(g / 1000)} s)`,
            hint: 'Shut the guest down from its console, or rerun with --force-off to hard-stop it, then `fallow resume`',
          };
        }
        const [ns, name] = key.split('/') as [string, string];
        await c.warn(`VM ${key} ignored its shutdown; hard-stopping it (--force-off)`);
        await c.env.cluster.vmAction(ns, name, 'stop', { gracePeriod: 0 });
        forced.add(key);
      }

      const override = c.env.options.guestGraceSeconds;
      looks.started(toStart.map((v) => v.key));
      await pool.startAll(toStart, async (v) => {
        const vmiGrace = (cache.get(v.namespace, v.name)?.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
        graceMs.set(v.key, { ms: (override ?? vmiGrace ?? DEFAULT_GRACE_S) * 1000, since: pool.startedAt(v.key) ?? now });
        await c.env.cluster.vmAction(v.namespace, v.name, 'stop', override !== undefined ? { gracePeriod: override } : undefined);
      });
      return { state: 'waiting', detail: describePool('stop', state) };
    },
    async subscribe(c, wake) {
      return c.env.cluster.cache('VirtualMachineInstance').onChange(wake);
    },
  };
}
