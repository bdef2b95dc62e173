// Seed 1.2 — "have detailed documents about the infrastructure related settings": besides
// what the cluster says (recorded by shutdown.record-network), write down what each node
// itself shows over SSH — its default gateway, addresses and interfaces — so the restart's
// network re-check can tell a moved site (another gateway, a lost VLAN bridge) from a
// healthy one. Read-only; a node that cannot be read is noted and checked without it.
import { formatError } from '../../common/errors.js';
import type { KObject } from '../../common/harvester-types.js';
import type { Step, StepContext } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, toJson, type NodeNetworkFacts } from '../facts.js';
import { nodeTarget } from '../lib/power.js';

export const recordNodeNetworks: Step<RunbookEnv> = {
  id: 'shutdown.node-networks',
  title: 'Record each node\'s own view of its network (gateway, addresses, interfaces)',
  seed: '1.2',
  phase: 'Precondition',
  destructive: false,
  records: [Facts.nodeNetworks.key],
  risks: ['a node that cannot be read over SSH is re-checked at restart against the cluster\'s record only (warned)'],
  rbac: [{ group: 'network.harvesterhci.io', resource: 'vlanstatuses', verbs: ['list'] }],
  enabled: (ctx) => ctx.env.netCheck !== undefined,
  async check(ctx) {
    const f = readFact(ctx.facts, Facts.nodeNetworks);
    return f ? { done: true, detail: `${Object.keys(f.nodes).length} nodes recorded` } : { done: false };
  },
  async describe(ctx) {
    const nodes = readFact(ctx.facts, Facts.network)?.nodes.map((n) => n.name) ?? [];
    return [`read "ip -j addr/link/route" over SSH on ${nodes.length ? nodes.join(', ') : 'every node'} (read-only)`];
  },
  async act(ctx) {
    const port = ctx.env.netCheck!;
    const out: NodeNetworkFacts = { nodes: {}, unread: {}, vlanConfigNodes: await vlanConfigNodes(ctx) };
    for (const n of requireFact(ctx.facts, Facts.network, 'recording the nodes\' networks').nodes) {
      if (!port.canCheck(n.name)) {
        out.unread[n.name] = 'no SSH access for it in the power inventory';
        continue;
      }
      try {
        out.nodes[n.name] = await port.baseline(nodeTarget(n));
      } catch (err) {
        out.unread[n.name] = formatError(err);
      }
    }
    for (const [node, why] of Object.entries(out.unread)) await ctx.warn(`could not read the network of node ${node} over SSH (${why}): the restart re-checks it without its own record`);
    await ctx.record(Facts.nodeNetworks.key, toJson(out));
  },
};

/** Which nodes each VlanConfig reached, from its VlanStatus objects (one per node). */
async function vlanConfigNodes(ctx: StepContext<RunbookEnv>): Promise<Record<string, string[]>> {
  const statuses = await ctx.env.cluster.list<KObject & { status?: { node?: string; vlanConfig?: string } }>('VlanStatus').catch(() => []);
  const out: Record<string, string[]> = {};
  for (const s of statuses) {
    const vc = s.status?.vlanConfig;
    const node = s.status?.node;
    if (vc && node) out[vc] = [...(out[vc] ?? []), node].sort();
  }
  return out;
}
