// Powering nodes down and confirming it (seed 4): the shared path of workers and etcd
// members. Before a node goes down, no VMI may run on it (fail closed); afterwards the
// power layer must confirm it is off (BMC PowerState, else NotReady and SSH closed) —
// while etcd members go down the API may vanish, so the confirmation never needs it.
import { FatalError } from '../../common/errors.js';
import type { VirtualMachineInstanceObject } from '../../common/harvester-types.js';
import { capList, count } from '../../common/list.js';
import type { StepContext, WaitResult, WaitSpec } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import type { NodeFact } from '../facts.js';
import { vmKey, vmiActive } from './vms.js';
import { minutes } from './waits.js';

type Ctx = StepContext<RunbookEnv>;

export const nodeTarget = (n: NodeFact) => ({ name: n.name, ip: n.ip });

/** Refuses to power off a node that still runs a VMI (only checked while the API answers). */
export async function assertNoVmiOn(ctx: Ctx, nodes: NodeFact[]): Promise<void> {
  if (!(await ctx.env.cluster.reachable())) return;
  const vmis = await ctx.env.cluster.list<VirtualMachineInstanceObject>('VirtualMachineInstance');
  const names = new Set(nodes.map((n) => n.name));
  const running = vmis.filter((v) => vmiActive(v) && names.has(v.status?.nodeName ?? ''));
  if (running.length) {
    throw new FatalError(
      `VMs still run on nodes about to be powered off: ${capList(running.map((v) => `${vmKey(v)} on ${v.status?.nodeName}`))}`,
      'Stop them (seed 3.1/3.2), then `fallow resume`',
    );
  }
}

export async function powerOffNodes(ctx: Ctx, nodes: NodeFact[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n) => {
      if ((await ctx.env.power.status(nodeTarget(n))) === 'off') return;
      await ctx.env.power.shutdown(nodeTarget(n));
    }),
  );
}

const FORCE_AFTER_MS = minutes(5);

/**
 * Until the power layer reports every node off. With --force-off, nodes still on
 * FORCE_AFTER_MS after the wait began get their power cut (once); without it the wait's
 * timeout names them.
 */
export function nodesOffWait(nodes: NodeFact[], label: string, timeoutMs = minutes(10)): WaitSpec<RunbookEnv> {
  let began: number | undefined;
  let forced = false;
  return {
    name: `${label} powered off`,
    timeoutMs,
    pollMs: 2_000, // power probes are polled: a short interval costs little and is felt in 4.x
    async evaluate(c): Promise<WaitResult> {
      began ??= c.clock.now();
      const states = await Promise.all(nodes.map(async (n) => [n, await c.env.power.status(nodeTarget(n))] as const));
      const on = states.filter(([, s]) => s !== 'off').map(([n]) => n);
      if (on.length === 0) return { state: 'done' };
      if (c.env.options.forceOff && !forced && c.clock.now() - began >= FORCE_AFTER_MS) {
        forced = true;
        for (const n of on) {
          await c.warn(`node ${n.name} did not power off after its shutdown; cutting its power (--force-off)`);
          await c.env.power.forceOff(nodeTarget(n));
        }
      }
      return { state: 'waiting', detail: `waiting for ${count(on.length, 'node')} to power off (still on: ${capList(on.map((n) => n.name))})` };
    },
    async subscribe(c, wake) {
      // Wake on Node changes while the API still answers; power probes are polled.
      if (!(await c.env.cluster.reachable())) return () => undefined;
      return c.env.cluster.cache('Node').onChange(wake);
    },
  };
}
