// Stopping VMs guest-first (seed 3.1 and 3.2), shared by the traditional and the
// downstream-cluster step. A reconcile loop, controller-style: on every change of the
// VMI cache, keep at most `stopConcurrency` guests shutting down, least important tier
// first; done when no chosen VM has a VMI. Stop is idempotent (409 on a Halted VM), so a
// resumed run simply reconciles again.
import type { VirtualMachineInstanceObject } from '../../common/harvester-types.js';
import { capList } from '../../common/list.js';
import type { StepContext, WaitResult, WaitSpec } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import type { VmFact } from '../facts.js';
import { tiers, vmKey, vmiActive } from './vms.js';

type Ctx = StepContext<RunbookEnv>;

const DEFAULT_GRACE_S = 180; // Harvester's default terminationGracePeriodSeconds
const MARGIN_MS = 60_000; // virt-launcher's own teardown after the grace period

interface InFlight {
  since: number;
  graceMs: number;
  forced: boolean;
}

export function stopVmsWait(ctx: Ctx, targets: VmFact[], label: string): WaitSpec<RunbookEnv> {
  const { options } = ctx.env;
  const order = tiers(targets, 'stop').flatMap((t) => t);
  const tierOf = new Map(order.map((v) => [vmKey(v), v.priority]));
  const inFlight = new Map<string, InFlight>();
  const done = new Set<string>();
  const grace = (vmi: VirtualMachineInstanceObject | undefined): number =>
    options.guestGraceSeconds ?? ((vmi?.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_S);
  const batches = Math.ceil(order.length / Math.max(1, options.stopConcurrency));
  const timeoutMs = Math.max(1, batches) * ((options.guestGraceSeconds ?? DEFAULT_GRACE_S) * 1000 + MARGIN_MS) * Math.max(1, tiers(targets, 'stop').length);

  return {
    name: `${label} stopped`,
    timeoutMs,
    pollMs: 15_000,
    async evaluate(c): Promise<WaitResult> {
      const cache = c.env.cluster.cache<VirtualMachineInstanceObject>('VirtualMachineInstance');
      await cache.synced();
      const now = c.clock.now();
      const live = new Map<string, VirtualMachineInstanceObject>();
      for (const vmi of cache.list()) if (vmiActive(vmi)) live.set(vmKey(vmi), vmi);

      // Retire the ones whose VMI is gone; note guests that needed the whole grace period.
      for (const [key, f] of inFlight) {
        if (live.has(key)) continue;
        inFlight.delete(key);
        done.add(key);
        if (!f.forced && now - f.since >= f.graceMs) {
          await c.warn(`VM ${key}: the guest did not shut down within its ${Math.round(f.graceMs / 1000)} s grace period and was powered off by KubeVirt`);
        }
      }
      const pending = order.filter((v) => !done.has(vmKey(v)) && live.has(vmKey(v)));
      for (const v of order) if (!live.has(vmKey(v)) && !inFlight.has(vmKey(v))) done.add(vmKey(v));
      if (pending.length === 0) return { state: 'done', detail: `${order.length} VMs stopped` };

      // Guests still up long after their grace period.
      const stuck = [...inFlight].filter(([, f]) => now - f.since > f.graceMs + MARGIN_MS);
      for (const [key, f] of stuck) {
        if (!c.env.options.forceOff) {
          return {
            state: 'failed',
            reason: `VM ${key} is still running ${Math.round((now - f.since) / 1000)} s after its stop (grace ${Math.round(f.graceMs / 1000)} s)`,
            hint: 'Shut the guest down from its console, or rerun with --force-off to hard-stop it, then `fallow resume`',
          };
        }
        if (!f.forced) {
          const [ns, name] = key.split('/') as [string, string];
          await c.warn(`VM ${key} ignored its shutdown; hard-stopping it (--force-off)`);
          await c.env.cluster.vmAction(ns, name, 'stop', { gracePeriod: 0 });
          f.forced = true;
          f.since = now;
        }
      }

      // Top up: least important tier first; a tier starts only when the previous is done.
      const currentTier = tierOf.get(vmKey(pending[0]!));
      const room = Math.max(1, c.env.options.stopConcurrency) - inFlight.size;
      const next = pending.filter((v) => tierOf.get(vmKey(v)) === currentTier && !inFlight.has(vmKey(v))).slice(0, Math.max(0, room));
      await Promise.all(
        next.map(async (v) => {
          const g = grace(live.get(vmKey(v)));
          const gracePeriod = c.env.options.guestGraceSeconds;
          await c.env.cluster.vmAction(v.namespace, v.name, 'stop', gracePeriod !== undefined ? { gracePeriod } : undefined);
          inFlight.set(vmKey(v), { since: now, graceMs: g * 1000, forced: false });
        }),
      );
      const stopping = pending.filter((v) => inFlight.has(vmKey(v))).map(vmKey);
      return { state: 'waiting', detail: `waiting for ${pending.length} VMIs to stop: ${capList(stopping.length ? stopping : pending.map(vmKey))}` };
    },
    async subscribe(c, wake) {
      return c.env.cluster.cache('VirtualMachineInstance').onChange(wake);
    },
  };
}
