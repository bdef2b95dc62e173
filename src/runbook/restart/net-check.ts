// Seed 1.2 / 5 — "if the nodes have been off for days, or your infrastructure has changes,
// check and test the network": read-only checks over SSH on each node as it comes back —
// the first etcd node right after it boots (before the others are powered on), then the
// other etcd nodes, then the workers. Its IP, gateway, DNS, NTP, proxy, registry and VLAN
// interfaces must match what the shutdown recorded. Checks get a short grace (a gateway or
// NTP can need a minute after boot); what still fails then stops the restart, naming the
// node and the check. --skip-net-check goes on deliberately.
import { FatalError, formatError } from '../../common/errors.js';
import { capList } from '../../common/list.js';
import type { Step, StepContext, WaitResult } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, toJson, type NodeFact } from '../facts.js';
import { restartOrder } from '../lib/etcd-order.js';
import { describeExpectations, netExpectations } from '../lib/net-expect.js';
import { workers } from '../lib/nodes.js';
import { nodeTarget } from '../lib/power.js';
import { minutes } from '../lib/waits.js';
import type { NetCheckResult, NetExpectations } from '../netcheck-port.js';

type Ctx = StepContext<RunbookEnv>;

/** How long a failing check may take to come right after boot before it stops the run. */
export const NetCheckGraceMs = minutes(3);

function expectationsFor(ctx: Ctx, n: NodeFact): NetExpectations {
  const net = requireFact(ctx.facts, Facts.network, 'the network re-check');
  const rancherUrl = readFact(ctx.facts, Facts.rancherManager)?.url;
  return netExpectations(n, net, readFact(ctx.facts, Facts.nodeNetworks), {
    ...(rancherUrl ? { rancherUrl } : {}),
    ...(ctx.env.options.ntpMaxOffsetMs !== undefined ? { ntpMaxOffsetMs: ctx.env.options.ntpMaxOffsetMs } : {}),
  });
}

const byName = (ctx: Ctx, names: string[]): NodeFact[] => {
  const all = requireFact(ctx.facts, Facts.network, 'the network re-check').nodes;
  return names.map((name) => all.find((n) => n.name === name)).filter((n): n is NodeFact => n !== undefined);
};
const etcdRestart = (ctx: Ctx) => restartOrder(requireFact(ctx.facts, Facts.etcd, 'the network re-check').shutdownOrder);

export const netCheckNodes = {
  leader: (ctx: Ctx) => byName(ctx, etcdRestart(ctx).slice(0, 1)),
  etcdMembers: (ctx: Ctx) => byName(ctx, etcdRestart(ctx).slice(1)),
  workers: (ctx: Ctx) => workers(requireFact(ctx.facts, Facts.network, 'the network re-check').nodes),
};

const failureLine = (node: string, r: NetCheckResult) => `${node} ${r.check}: ${r.detail}`;

function netCheckStep(o: { id: string; title: string; seed: string; phase: string; nodes: (ctx: Ctx) => NodeFact[] }): Step<RunbookEnv> {
  return {
    id: o.id,
    title: o.title,
    seed: o.seed,
    phase: o.phase,
    destructive: false,
    records: [Facts.netChecks.key],
    waitsFor: 'every check to pass on every node (each may take up to 3 min after boot)',
    risks: ['a node whose IP, gateway, DNS, NTP, proxy, registry or VLAN interfaces differ stops the restart naming node and check; --skip-net-check goes on'],
    rbac: [],
    enabled: (ctx) => ctx.env.options.skipNetCheck !== true,
    async skip(ctx) {
      if (!ctx.env.netCheck) return 'no SSH access to the nodes is configured (--power inventory with ssh entries): network re-check not run';
      return o.nodes(ctx).length ? undefined : 'no node of this kind';
    },
    async check(ctx) {
      // A resume after a failed check does not ask `enabled` again: the flag is honoured here.
      if (ctx.env.options.skipNetCheck === true) return { done: true, detail: 'not checked: --skip-net-check' };
      return { done: false }; // read-only: always look again
    },
    async describe(ctx) {
      return o.nodes(ctx).map((n) => describeExpectations(n.name, expectationsFor(ctx, n)));
    },
    async act(ctx) {
      const port = ctx.env.netCheck!;
      const nodes = o.nodes(ctx);
      const blind = nodes.filter((n) => !port.canCheck(n.name)).map((n) => n.name);
      if (blind.length) {
        throw new FatalError(
          `cannot run the network re-check on ${blind.join(', ')}: no SSH access for ${blind.length > 1 ? 'them' : 'it'} in the power inventory`,
          `Add nodes.<name>.ssh to the --power inventory, or pass --skip-net-check to go on without the check`,
        );
      }
      const start = ctx.clock.now();
      const passed = new Map<string, NetCheckResult[]>();
      const latest = new Map<string, NetCheckResult[] | string>();
      await ctx.waitFor({
        name: `network checks on ${capList(nodes.map((n) => n.name))}`,
        timeoutMs: NetCheckGraceMs + minutes(5),
        pollMs: 15_000,
        async evaluate(c): Promise<WaitResult> {
          for (const n of nodes) {
            if (passed.has(n.name)) continue;
            try {
              const results = await port.check(nodeTarget(n), expectationsFor(c, n));
              latest.set(n.name, results);
              if (results.every((r) => r.ok)) passed.set(n.name, results);
            } catch (err) {
              latest.set(n.name, `cannot run the checks: ${formatError(err)}`);
            }
          }
          const failing = nodes.filter((n) => !passed.has(n.name));
          const lines = failing.flatMap((n) => {
            const l = latest.get(n.name);
            return typeof l === 'string' ? [`${n.name}: ${l}`] : (l ?? []).filter((r) => !r.ok).map((r) => failureLine(n.name, r));
          });
          if (failing.length === 0 || c.clock.now() - start >= NetCheckGraceMs) {
            const prev = readFact(c.facts, Facts.netChecks) ?? {};
            const now = Object.fromEntries(nodes.map((n) => [n.name, passed.get(n.name) ?? (Array.isArray(latest.get(n.name)) ? (latest.get(n.name) as NetCheckResult[]) : [])]));
            await c.record(Facts.netChecks.key, toJson({ ...prev, ...now }));
          }
          if (failing.length === 0) return { state: 'done', detail: `${nodes.length} nodes pass every network check` };
          if (c.clock.now() - start < NetCheckGraceMs) return { state: 'waiting', detail: `network checks failing: ${capList(lines, 4)}` };
          return {
            state: 'failed',
            reason: `the network of ${capList(failing.map((n) => n.name))} is not as recorded before the shutdown: ${capList(lines, 6)}`,
            hint: 'Fix the network (seed 1.2: gateway, DNS, NTP, proxy, registry, VLANs), then `fallow resume`; or `fallow resume --skip-net-check` to go on deliberately',
          };
        },
      });
    },
  };
}

export const netCheckLeader = netCheckStep({
  id: 'restart.net-check-leader',
  title: 'Check the network of the first etcd node',
  seed: '1.2',
  phase: 'Restart control plane',
  nodes: netCheckNodes.leader,
});

export const netCheckEtcdMembers = netCheckStep({
  id: 'restart.net-check-etcd-members',
  title: 'Check the network of the other control-plane and witness nodes',
  seed: '1.2',
  phase: 'Restart control plane',
  nodes: netCheckNodes.etcdMembers,
});

export const netCheckWorkers = netCheckStep({
  id: 'restart.net-check-workers',
  title: 'Check the network of the worker nodes',
  seed: '1.2',
  phase: 'Restart workers',
  nodes: netCheckNodes.workers,
});
