// Seed 5.5 — start the traditional VMs that ran before, in waves (most important tier
// first, at most --wave-size booting at once, the next when the last is Running) so the
// cluster is not hit by a boot storm, restoring each run strategy exactly; then wait for
// Rancher Manager to bring the downstream-cluster VMs back, reporting any that do not.
import type { VirtualMachineInstanceObject, VirtualMachineObject } from '../../common/harvester-types.js';
import { capList } from '../../common/list.js';
import type { Step, StepContext, WaitResult } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import type { CachePort } from '../ports.js';
import { Facts, readFact, type VmFact } from '../facts.js';
import { describePool, TieredPool } from '../lib/pool.js';
import { PoolLooks, type Look } from '../lib/pool-looks.js';
import { poolItems } from '../lib/stop-vms.js';
import { defaultWaveSize, vmKey } from '../lib/vms.js';
import { minutes } from '../lib/waits.js';

type Ctx = StepContext<RunbookEnv>;

const ranBefore = (ctx: Ctx, downstream: boolean): VmFact[] => (readFact(ctx.facts, Facts.vms) ?? []).filter((v) => v.vmiRan && v.downstream === downstream);

async function waveSize(ctx: Ctx): Promise<number> {
  if (ctx.env.options.waveSize > 0) return ctx.env.options.waveSize;
  const nodes = readFact(ctx.facts, Facts.network)?.nodes ?? [];
  return defaultWaveSize(nodes.filter((n) => !n.witness).length);
}

/**
 * KubeVirt's stop keeps Manual and RerunOnFailure (it files a Stop state-change request)
 * and sets Always/Once to Halted; so the former start through the start subresource and
 * the latter by putting their strategy back.
 */
const startedByRequest = (v: VmFact) => v.runStrategy === 'Manual' || v.runStrategy === 'RerunOnFailure';

/** Puts the recorded run strategy back (or asks KubeVirt to start the VM, see above). */
export async function restoreRunStrategy(ctx: Ctx, v: VmFact): Promise<void> {
  if (startedByRequest(v)) {
    await ctx.env.cluster.vmAction(v.namespace, v.name, 'start');
  } else if (v.runStrategy) {
    await ctx.env.cluster.mergePatch('VirtualMachine', v.namespace, v.name, { spec: { runStrategy: v.runStrategy } });
  } else if (v.running !== undefined) {
    await ctx.env.cluster.mergePatch('VirtualMachine', v.namespace, v.name, { spec: { running: v.running } });
  }
}

function strategyRestored(vm: VirtualMachineObject | undefined, v: VmFact): boolean {
  if (!vm) return true; // deleted meanwhile: nothing to restore
  if (v.runStrategy) return vm.spec?.runStrategy === v.runStrategy;
  return vm.spec?.running === v.running;
}

const running = (vmi: VirtualMachineInstanceObject | undefined) => vmi?.status?.phase === 'Running';

export const startTraditionalVms: Step<RunbookEnv> = {
  id: 'restart.start-traditional-vms',
  title: 'Start traditional VMs, group by group',
  seed: '5.5',
  phase: 'Start VMs',
  destructive: false,
  waitsFor: 'each wave Running before the next (at most --wave-size VMs booting at once)',
  risks: ['a VM that does not reach Running: the timeout names it'],
  rbac: [
    { group: 'kubevirt.io', resource: 'virtualmachines', verbs: ['get', 'list', 'watch', 'patch'] },
    { group: 'kubevirt.io', resource: 'virtualmachineinstances', verbs: ['list', 'watch'] },
    { group: 'subresources.kubevirt.io', resource: 'virtualmachines/start', verbs: ['update'] },
  ],
  async skip(ctx) {
    return ranBefore(ctx, false).length ? undefined : 'no traditional VM was running before the shutdown';
  },
  async check(ctx) {
    const vmis = new Map((await ctx.env.cluster.list<VirtualMachineInstanceObject>('VirtualMachineInstance')).map((v) => [vmKey(v), v]));
    const down = ranBefore(ctx, false).filter((v) => !running(vmis.get(vmKey(v))));
    return down.length ? { done: false, detail: `${down.length} not running` } : { done: true };
  },
  async describe(ctx) {
    const size = await waveSize(ctx);
    return [`start ${ranBefore(ctx, false).length} VMs in waves of at most ${size}, by priority`, ...ranBefore(ctx, false).map((v) => `restore ${vmKey(v)} to ${v.runStrategy ?? `running=${v.running}`}`)];
  },
  async act(ctx) {
    const size = await waveSize(ctx);
    const targets = ranBefore(ctx, false);
    const items = poolItems(targets, 'start');
    const pool = new TieredPool(items, size);
    const batches = Math.ceil(targets.length / size) + new Set(targets.map((t) => t.priority)).size;
    const looks = new VmLooks(items);
    await ctx.waitFor({
      name: `${targets.length} traditional VMs running`,
      timeoutMs: Math.max(1, batches) * minutes(10),
      pollMs: 15_000,
      async evaluate(c): Promise<WaitResult> {
        const vmiCache = c.env.cluster.cache<VirtualMachineInstanceObject>('VirtualMachineInstance');
        const vmCache = c.env.cluster.cache<VirtualMachineObject>('VirtualMachine');
        await Promise.all([vmiCache.synced(), vmCache.synced()]);
        const now = c.clock.now();
        const look = (full: boolean) => {
          const { finished, inFlight } = looks.refreshVms(vmiCache, vmCache, now, full);
          pool.adopt([...inFlight], now);
          return pool.next((v) => finished.has(v.key), now);
        };
        let { toStart, state } = look(false);
        // Never done on a partial look: a VM that stopped again since the last full one counts.
        if (state.pending.length === 0) ({ toStart, state } = look(true));
        if (state.pending.length === 0) return { state: 'done', detail: `${targets.length} VMs running` };
        looks.started(toStart.map((v) => v.key));
        await pool.startAll(toStart, (v) => restoreRunStrategy(c, v));
        return { state: 'waiting', detail: describePool('start', state) };
      },
      async subscribe(c, wake) {
        const a = c.env.cluster.cache('VirtualMachineInstance').onChange(wake);
        const b = c.env.cluster.cache('VirtualMachine').onChange(wake);
        return () => (a(), b());
      },
    });
  },
};

type StartItem = ReturnType<typeof poolItems>[number];

/**
 * The start waves' looks (lib/pool-looks.ts): finished = Running with the strategy
 * restored; in flight = restored or booting, not yet Running (adopted on resume, so a
 * restarted run never exceeds the wave size).
 */
export class VmLooks extends PoolLooks<StartItem> {
  refreshVms(vmis: CachePort<VirtualMachineInstanceObject>, vms: CachePort<VirtualMachineObject>, now: number, full = false) {
    return this.refresh((v) => lookStart(v, vmis, vms), now, full);
  }
}

function lookStart(v: StartItem, vmis: CachePort<VirtualMachineInstanceObject>, vms: CachePort<VirtualMachineObject>): Look {
  const vmi = vmis.get(v.namespace, v.name);
  const restored = strategyRestored(vms.get(v.namespace, v.name), v);
  if (running(vmi) && restored) return 'finished';
  return vmi || (!startedByRequest(v) && restored) ? 'inFlight' : 'pending';
}

export const awaitDownstreamVms: Step<RunbookEnv> = {
  id: 'restart.downstream-vms',
  title: 'Wait for Rancher Manager to start the downstream cluster machines (VMs)',
  seed: '5.5',
  phase: 'Start VMs',
  destructive: false,
  waitsFor: 'each downstream-cluster VM that ran before to run again (Rancher Manager starts them)',
  risks: ['VMs Rancher Manager does not bring back within the timeout are reported, not started by fallow'],
  rbac: [{ group: 'kubevirt.io', resource: 'virtualmachineinstances', verbs: ['list', 'watch'] }],
  async skip(ctx) {
    return ranBefore(ctx, true).length ? undefined : 'no downstream-cluster VM was running before the shutdown';
  },
  async check(ctx) {
    const vmis = new Map((await ctx.env.cluster.list<VirtualMachineInstanceObject>('VirtualMachineInstance')).map((v) => [vmKey(v), v]));
    return ranBefore(ctx, true).every((v) => running(vmis.get(vmKey(v)))) ? { done: true } : { done: false };
  },
  async act(ctx) {
    const targets = ranBefore(ctx, true);
    const deadline = ctx.clock.now() + ctx.env.options.downstreamTimeoutMs;
    await ctx.waitFor({
      name: 'downstream VMs back',
      timeoutMs: ctx.env.options.downstreamTimeoutMs + minutes(1),
      pollMs: 30_000,
      async evaluate(c): Promise<WaitResult> {
        const cache = c.env.cluster.cache<VirtualMachineInstanceObject>('VirtualMachineInstance');
        await cache.synced();
        const missing = targets.filter((v) => !running(cache.get(v.namespace, v.name))).map(vmKey);
        if (missing.length === 0) return { state: 'done' };
        if (c.clock.now() >= deadline) {
          await c.warn(`Rancher Manager did not bring back ${missing.length} downstream VMs within ${Math.round(c.env.options.downstreamTimeoutMs / 60_000)} min: ${capList(missing, 20)}; start them from the Harvester UI if Rancher does not (seed 5.5)`);
          return { state: 'done', detail: `${missing.length} not back` };
        }
        return { state: 'waiting', detail: `waiting for Rancher Manager to start ${missing.length} downstream VMs: ${capList(missing)}` };
      },
      subscribe: async (c, wake) => c.env.cluster.cache('VirtualMachineInstance').onChange(wake),
    });
  },
};
