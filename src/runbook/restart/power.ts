// Seed 5.1 and 5.2 — power the etcd nodes on, the last leader first; wait for the API,
// quorum and every control-plane/witness node Ready; then the workers. A node that comes
// back with another IP stops the run (1.2).
import { FatalError } from '../../common/errors.js';
import type { NodeObject } from '../../common/harvester-types.js';
import { capList, count } from '../../common/list.js';
import type { Step, StepContext, WaitResult } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, type NodeFact } from '../facts.js';
import { restartOrder } from '../lib/etcd-order.js';
import { changedIps, ipChangeHint } from '../lib/ips.js';
import { isReady, workers } from '../lib/nodes.js';
import { nodeTarget } from '../lib/power.js';
import { minutes } from '../lib/waits.js';

type Ctx = StepContext<RunbookEnv>;

const recordedNodes = (ctx: Ctx) => requireFact(ctx.facts, Facts.network, 'the restart').nodes;
const etcd = (ctx: Ctx) => requireFact(ctx.facts, Facts.etcd, 'powering on the etcd nodes');
const byName = (ctx: Ctx, name: string): NodeFact => {
  const n = recordedNodes(ctx).find((x) => x.name === name);
  if (!n) throw new FatalError(`node ${name} is in the etcd record but not in the node record`, 'The journal is inconsistent: restore by hand from `fallow status -o json`');
  return n;
};
const leaderNode = (ctx: Ctx) => byName(ctx, etcd(ctx).leader);
const otherEtcdNodes = (ctx: Ctx) => restartOrder(etcd(ctx).shutdownOrder).slice(1).map((n) => byName(ctx, n));

async function powerOnAll(ctx: Ctx, nodes: NodeFact[]): Promise<void> {
  for (const n of nodes) {
    if ((await ctx.env.power.status(nodeTarget(n))) !== 'on') await ctx.env.power.powerOn(nodeTarget(n));
  }
}

export const powerOnLeader: Step<RunbookEnv> = {
  id: 'restart.power-on-leader',
  apiMayVanish: true,
  title: 'Restart the leader control-plane node',
  seed: '5.1',
  phase: 'Restart control plane',
  destructive: false,
  waitsFor: 'the last etcd leader to boot (its OS answering), not a fixed three minutes',
  risks: ['a node that does not boot: the timeout names it; the other etcd nodes stay off'],
  rbac: [],
  async check(ctx) {
    return (await ctx.env.power.osUp(nodeTarget(leaderNode(ctx)))) ? { done: true } : { done: false };
  },
  async describe(ctx) {
    const n = leaderNode(ctx);
    return [`power on ${n.name} (${n.ip}) first: it was the etcd leader and went down last`];
  },
  act: (ctx) => powerOnAll(ctx, [leaderNode(ctx)]),
  wait: (ctx) => ({
    name: `${leaderNode(ctx).name} booted`,
    timeoutMs: minutes(15),
    pollMs: 2_000,
    async evaluate(c): Promise<WaitResult> {
      const n = leaderNode(c);
      return (await c.env.power.osUp(nodeTarget(n))) ? { state: 'done' } : { state: 'waiting', detail: `waiting for ${n.name} to boot` };
    },
  }),
};

/** The API that answers must be the cluster that went down (kube-system UID). */
async function otherCluster(ctx: Ctx): Promise<string | undefined> {
  const want = readFact(ctx.facts, Facts.identity)?.uid;
  if (!want) return undefined;
  const ns = await ctx.env.cluster.get('Namespace', undefined, 'kube-system');
  const uid = ns?.metadata.uid;
  return uid && uid !== want ? `the API answering is another cluster (kube-system UID ${uid}, the shutdown recorded ${want})` : undefined;
}

/** Until the API answers, etcd has a leader with every member, and all etcd nodes are Ready. */
function controlPlaneUp(): Step<RunbookEnv>['wait'] {
  return () => ({
    name: 'etcd quorum and control plane Ready',
    timeoutMs: minutes(20),
    pollMs: 2_000,
    async evaluate(c): Promise<WaitResult> {
      const want = [leaderNode(c), ...otherEtcdNodes(c)];
      if (!(await c.env.cluster.reachable())) return { state: 'waiting', detail: 'waiting for the Kubernetes API (etcd quorum)' };
      const wrong = await otherCluster(c);
      if (wrong) return { state: 'failed', reason: wrong, hint: 'Point --kubeconfig at the cluster this journal belongs to' };
      const nodes = c.env.cluster.cache<NodeObject>('Node');
      await nodes.synced();
      const changed = changedIps(want, nodes.list());
      if (changed.length) return { state: 'failed', reason: `node IP changed: ${changed.join('; ')}`, hint: ipChangeHint };
      const notReady = want.filter((n) => !nodes.list().some((l) => l.metadata.name === n.name && isReady(l)));
      if (notReady.length) return { state: 'waiting', detail: `waiting for ${count(notReady.length, 'etcd node')} Ready: ${capList(notReady.map((n) => n.name))}` };
      let members;
      try {
        members = await c.env.cluster.etcdMembers(leaderNode(c).name);
      } catch (e) {
        return { state: 'waiting', detail: `waiting for etcd to answer (${e instanceof Error ? e.message : String(e)})` };
      }
      if (!members.some((m) => m.isLeader)) return { state: 'waiting', detail: 'waiting for etcd to elect a leader' };
      if (members.length < want.length) return { state: 'waiting', detail: `waiting for etcd members: ${members.length} of ${want.length} answer` };
      return { state: 'done', detail: `etcd quorum with ${members.length} members` };
    },
    async subscribe(c, wake) {
      if (!(await c.env.cluster.reachable())) return () => undefined;
      return c.env.cluster.cache('Node').onChange(wake);
    },
  });
}

export const powerOnEtcdMembers: Step<RunbookEnv> = {
  id: 'restart.power-on-etcd-members',
  apiMayVanish: true,
  title: 'Restart the rest of the control-plane nodes and the witness node',
  seed: '5.1',
  phase: 'Restart control plane',
  destructive: false,
  waitsFor: 'the API to answer, etcd quorum with every member, every control-plane/witness node Ready with its recorded IP',
  risks: ['a changed node IP stops the run (seed 1.2)', 'a member that does not boot: the wait names it'],
  rbac: [
    { group: '', resource: 'nodes', verbs: ['get', 'list', 'watch'] },
    { group: '', resource: 'pods/exec', verbs: ['create', 'get'], namespace: 'kube-system' },
  ],
  async check(ctx) {
    const states = await Promise.all(otherEtcdNodes(ctx).map((n) => ctx.env.power.status(nodeTarget(n))));
    return states.every((s) => s === 'on') ? { done: true } : { done: false };
  },
  async describe(ctx) {
    return otherEtcdNodes(ctx).map((n) => `power on ${n.name} (${n.ip})`);
  },
  act: (ctx) => powerOnAll(ctx, otherEtcdNodes(ctx)),
  wait: controlPlaneUp(),
};

export const powerOnWorkers: Step<RunbookEnv> = {
  id: 'restart.power-on-workers',
  title: 'Restart the worker nodes',
  seed: '5.2',
  phase: 'Restart workers',
  destructive: false,
  waitsFor: 'every node Ready with its recorded IP',
  risks: ['a changed node IP stops the run', 'a worker that does not boot: the wait names it'],
  rbac: [{ group: '', resource: 'nodes', verbs: ['get', 'list', 'watch'] }],
  async check(ctx) {
    const states = await Promise.all(workers(recordedNodes(ctx)).map((n) => ctx.env.power.status(nodeTarget(n))));
    return states.every((s) => s === 'on') ? { done: true } : { done: false };
  },
  async describe(ctx) {
    return workers(recordedNodes(ctx)).map((n) => `power on worker ${n.name} (${n.ip})`);
  },
  act: (ctx) => powerOnAll(ctx, workers(recordedNodes(ctx))),
  wait: () => ({
    name: 'all nodes Ready',
    timeoutMs: minutes(20),
    pollMs: 30_000,
    async evaluate(c): Promise<WaitResult> {
      const cache = c.env.cluster.cache<NodeObject>('Node');
      await cache.synced();
      const all = recordedNodes(c);
      const changed = changedIps(all, cache.list());
      if (changed.length) return { state: 'failed', reason: `node IP changed: ${changed.join('; ')}`, hint: ipChangeHint };
      const notReady = all.filter((n) => !cache.list().some((l) => l.metadata.name === n.name && isReady(l)));
      return notReady.length ? { state: 'waiting', detail: `waiting for ${count(notReady.length, 'node')} Ready: ${capList(notReady.map((n) => n.name))}` } : { state: 'done' };
    },
    subscribe: async (c, wake) => c.env.cluster.cache('Node').onChange(wake),
  }),
};
