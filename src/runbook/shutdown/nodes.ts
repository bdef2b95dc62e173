// Seed 4 — Shut down the nodes: workers first (4.1); then find the etcd leader, moving it
// off a witness node with `etcdctl move-leader` (4.2), shut the other etcd members down one
// by one, re-reading the leader before each, and the leader last (4.3). The order actually
// used is recorded for the restart, which powers the last leader on first.
import { FatalError } from '../../common/errors.js';
import type { Step, StepContext } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, toJson, type EtcdFacts, type NodeFact } from '../facts.js';
import { matchMembers, moveTarget, shutdownOrder } from '../lib/etcd-order.js';
import { workers } from '../lib/nodes.js';
import { assertNoVmiOn, nodesOffWait, nodeTarget, powerOffNodes } from '../lib/power.js';
import { minutes } from '../lib/waits.js';

type Ctx = StepContext<RunbookEnv>;

const nodesOf = (ctx: Ctx) => requireFact(ctx.facts, Facts.network, 'shutting down nodes').nodes;
const etcdNodes = (ctx: Ctx) => nodesOf(ctx).filter((n) => n.etcd);

async function allOff(ctx: Ctx, nodes: NodeFact[]): Promise<boolean> {
  const s = await Promise.all(nodes.map((n) => ctx.env.power.status(nodeTarget(n))));
  return s.every((x) => x === 'off');
}

const powerRbac = [
  { group: '', resource: 'nodes', verbs: ['get', 'list', 'watch'] },
  { group: 'kubevirt.io', resource: 'virtualmachineinstances', verbs: ['list'] },
];
const etcdRbac = [
  { group: '', resource: 'pods', verbs: ['get'], namespace: 'kube-system' },
  { group: '', resource: 'pods/exec', verbs: ['create', 'get'], namespace: 'kube-system' },
];

export const shutdownWorkers: Step<RunbookEnv> = {
  id: 'shutdown.workers',
  title: 'Shut down the worker nodes',
  seed: '4.1',
  phase: 'Shutdown nodes',
  destructive: true,
  records: [Facts.workersOff.key],
  waitsFor: 'every worker powered off (BMC PowerState, else NotReady and SSH closed)',
  risks: ['a node that stays on: the timeout names it; --force-off cuts its power'],
  rbac: powerRbac,
  async check(ctx) {
    const w = workers(nodesOf(ctx));
    return (await allOff(ctx, w)) ? { done: true, detail: `${w.length} workers off` } : { done: false };
  },
  async describe(ctx) {
    return workers(nodesOf(ctx)).map((n) => `shut down worker ${n.name} (${n.ip})`);
  },
  async act(ctx) {
    const w = workers(nodesOf(ctx));
    await assertNoVmiOn(ctx, w);
    await powerOffNodes(ctx, w);
  },
  wait: (ctx) => nodesOffWait(workers(nodesOf(ctx)), 'worker nodes'),
};

/** Reads members through the etcd pod of any etcd node still on. */
async function readMembers(ctx: Ctx, via: NodeFact[]) {
  const nodes = etcdNodes(ctx);
  let last: unknown;
  for (const n of via) {
    if ((await ctx.env.power.status(nodeTarget(n))) === 'off') continue;
    try {
      const members = await ctx.env.cluster.etcdMembers(n.name);
      const { matched, unmatched } = matchMembers(members, nodes);
      if (unmatched.length) {
        throw new FatalError(`etcd members with no matching node: ${unmatched.map((m) => m.endpoint).join(', ')}`, 'Check the node InternalIPs against `etcdctl member list`, then `fallow resume`');
      }
      return matched;
    } catch (e) {
      if (e instanceof FatalError) throw e;
      last = e;
    }
  }
  throw new FatalError(`could not read the etcd members from any etcd pod: ${last instanceof Error ? last.message : String(last)}`, 'Check that the etcd pods run (kubectl -n kube-system get pods), then `fallow resume`');
}

export const findEtcdLeader: Step<RunbookEnv> = {
  id: 'shutdown.etcd-leader',
  title: 'Find the etcd leader (move it off a witness node)',
  seed: '4.2',
  phase: 'Shutdown nodes',
  destructive: false,
  records: [Facts.etcd.key],
  waitsFor: 'the leader to be on a control-plane node after move-leader',
  risks: ['the leader on a witness node is moved with `etcdctl move-leader`, not by deleting its pod'],
  rbac: etcdRbac,
  async check(ctx) {
    return readFact(ctx.facts, Facts.etcd) ? { done: true } : { done: false };
  },
  async act(ctx) {
    const nodes = etcdNodes(ctx);
    let views = await readMembers(ctx, nodes);
    let movedFrom: string | undefined;
    const leader = views.find((v) => v.member.isLeader);
    if (!leader) throw new FatalError('etcd has no leader right now', 'Wait for etcd to elect one (check `etcdctl endpoint status`), then `fallow resume`');
    if (leader.node.witness) {
      const target = moveTarget(views);
      if (!target) throw new FatalError(`the etcd leader is on witness node ${leader.node.name} and no control-plane member can take over`, 'Check etcd health, then `fallow resume`');
      await ctx.warn(`etcd leader is on witness node ${leader.node.name}; moving it to ${target.node.name} (etcdctl move-leader)`);
      await ctx.env.cluster.etcdMoveLeader(leader.node.name, target.member.memberId);
      movedFrom = leader.node.name;
      await ctx.waitFor({
        name: `etcd leader on ${target.node.name}`,
        timeoutMs: minutes(2),
        pollMs: 2_000,
        async evaluate(c) {
          views = await readMembers(c, nodes);
          const now = views.find((v) => v.member.isLeader);
          return now && !now.node.witness ? { state: 'done' } : { state: 'waiting', detail: `leader is ${now?.node.name ?? 'none'}` };
        },
      });
    }
    const facts: EtcdFacts = {
      members: views.map((v) => ({ node: v.node.name, ip: v.node.ip, memberId: v.member.memberId, isLeader: v.member.isLeader, witness: v.node.witness })),
      leader: views.find((v) => v.member.isLeader)!.node.name,
      ...(movedFrom ? { movedFrom } : {}),
      shutdownOrder: shutdownOrder(views),
    };
    await ctx.record(Facts.etcd.key, toJson(facts));
  },
};

/** Etcd nodes not yet recorded as off. */
function remaining(ctx: Ctx): NodeFact[] {
  const off = new Set(readFact(ctx.facts, Facts.etcdOff) ?? []);
  return etcdNodes(ctx).filter((n) => !off.has(n.name));
}

export const shutdownEtcdFollowers: Step<RunbookEnv> = {
  id: 'shutdown.etcd-followers',
  apiMayVanish: true,
  title: 'Shut down the etcd members that are not the leader, one by one',
  seed: '4.2',
  phase: 'Shutdown nodes',
  destructive: true,
  records: [Facts.etcdOff.key, Facts.etcd.key],
  waitsFor: 'each member powered off before the next; the API going away is expected',
  risks: ['a leader change mid-run: the leader is read again before each member goes down, and the new leader goes last'],
  rbac: [...etcdRbac, ...powerRbac],
  async check(ctx) {
    return remaining(ctx).length <= 1 ? { done: true } : { done: false, detail: `${remaining(ctx).length} etcd members on` };
  },
  async describe(ctx) {
    const e = requireFact(ctx.facts, Facts.etcd, 'describe');
    return e.shutdownOrder.slice(0, -1).map((n, i) => `shut down etcd member ${n} (${i + 1} of ${e.shutdownOrder.length}, not the leader)`);
  },
  async act(ctx) {
    await assertNoVmiOn(ctx, etcdNodes(ctx));
    while (remaining(ctx).length > 1) {
      const left = remaining(ctx);
      // Re-read the leader while the API still answers: a leader change puts the new one last.
      const views = await readMembers(ctx, left);
      const leader = views.find((v) => v.member.isLeader)?.node.name;
      const recorded = requireFact(ctx.facts, Facts.etcd, 'etcd shutdown');
      if (leader && leader !== recorded.leader) {
        await ctx.warn(`etcd leader changed from ${recorded.leader} to ${leader}; it will be shut down last`);
        await ctx.record(Facts.etcd.key, toJson({ ...recorded, leader, shutdownOrder: [...recorded.shutdownOrder.filter((n) => n !== leader), leader] }));
      }
      const order = requireFact(ctx.facts, Facts.etcd, 'etcd shutdown').shutdownOrder;
      const next = order.map((name) => left.find((n) => n.name === name)).find((n): n is NodeFact => n !== undefined && n.name !== (leader ?? order.at(-1)));
      if (!next) break;
      await powerOffNodes(ctx, [next]);
      await ctx.waitFor(nodesOffWait([next], `etcd member ${next.name}`));
      await ctx.record(Facts.etcdOff.key, toJson([...(readFact(ctx.facts, Facts.etcdOff) ?? []), next.name]));
    }
  },
};

export const shutdownEtcdLeader: Step<RunbookEnv> = {
  id: 'shutdown.etcd-leader-last',
  apiMayVanish: true,
  title: 'Shut down the last control-plane node (the etcd leader)',
  seed: '4.3',
  phase: 'Shutdown nodes',
  destructive: true,
  records: [Facts.etcdOff.key, Facts.etcd.key],
  waitsFor: 'the leader powered off (the API is already gone: power layer only)',
  rbac: powerRbac,
  async check(ctx) {
    return (await allOff(ctx, etcdNodes(ctx))) ? { done: true } : { done: false };
  },
  async describe(ctx) {
    const e = readFact(ctx.facts, Facts.etcd);
    return [`shut down ${e?.leader ?? 'the etcd leader'} last; it is powered on first at restart`];
  },
  async act(ctx) {
    const left = remaining(ctx);
    if (left.length !== 1) throw new FatalError(`expected one etcd member left, found ${left.length}: ${left.map((n) => n.name).join(', ')}`, 'Run `fallow status` and resume the shutdown');
    const last = left[0]!;
    const e = requireFact(ctx.facts, Facts.etcd, 'etcd shutdown');
    if (e.leader !== last.name || e.shutdownOrder.at(-1) !== last.name) {
      await ctx.record(Facts.etcd.key, toJson({ ...e, leader: last.name, shutdownOrder: [...e.shutdownOrder.filter((n) => n !== last.name), last.name] }));
    }
    await powerOffNodes(ctx, [last]);
    await ctx.waitFor(nodesOffWait([last], `etcd leader ${last.name}`));
    await ctx.record(Facts.etcdOff.key, toJson([...(readFact(ctx.facts, Facts.etcdOff) ?? []), last.name]));
  },
};
