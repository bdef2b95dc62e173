// Seed 2 — back up the downstream Kubernetes clusters that run on Harvester VMs, through
// Rancher Manager, before anything is stopped. First Rancher's view is recorded (the
// imported Harvester's state, each downstream cluster on this Harvester with its machines)
// so the restart can wait for the same clusters; then, with --snapshot-downstream, an etcd
// snapshot of each (Rancher's "Snapshot Now": bump spec.rkeConfig.etcdSnapshotCreate.
// generation) and a wait until every new snapshot exists and is successful. A failure stops
// the run here, before any destructive step.
import { capList } from '../../common/list.js';
import type { Step, StepContext, WaitResult } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, toJson, type DownstreamSnapshotFacts } from '../facts.js';
import { clusterKey, downstreamFact, downstreamRbac, nodeDriverVms, onThisHarvester, rancherPort, registeredClusterId } from '../lib/downstream.js';
import { minutes } from '../lib/waits.js';
import type { SnapshotStateView } from '../rancher-port.js';

type Ctx = StepContext<RunbookEnv>;
type Request = DownstreamSnapshotFacts['requests'][number];

export const recordRancherManager: Step<RunbookEnv> = {
  id: 'shutdown.rancher-manager',
  title: 'Record the Harvester cluster and its downstream clusters as Rancher Manager shows them',
  seed: '2',
  phase: 'Backup',
  destructive: false,
  records: [Facts.rancherManager.key],
  risks: ['Rancher Manager unreachable: the run stops here, before anything changes'],
  rbac: downstreamRbac,
  enabled: (ctx) => ctx.env.rancherManager !== undefined,
  async check(ctx) {
    const r = readFact(ctx.facts, Facts.rancherManager);
    return r ? { done: true, detail: `${r.downstream.length} downstream clusters recorded` } : { done: false };
  },
  async describe(ctx) {
    const rm = rancherPort(ctx, 'recording Rancher Manager\'s view');
    const clusters = onThisHarvester(await rm.downstreamClusters(), await nodeDriverVms(ctx.env.cluster));
    return [
      `read the Harvester cluster's state and ${clusters.length} downstream clusters from Rancher Manager at ${rm.url}`,
      ...clusters.map((c) => `${clusterKey(c)}: ${c.ready ? 'Ready' : 'not Ready'}, ${c.machines.filter((m) => m.ready).length}/${c.machines.length} machines ready`),
    ];
  },
  async act(ctx) {
    const rm = rancherPort(ctx, 'recording Rancher Manager\'s view');
    const harvester = await rm.harvesterCluster(await registeredClusterId(ctx.env.cluster));
    const clusters = onThisHarvester(await rm.downstreamClusters(), await nodeDriverVms(ctx.env.cluster));
    if (harvester.state !== 'Active') await ctx.warn(`Rancher Manager shows the Harvester cluster ${harvester.displayName} (${harvester.id}) ${harvester.state} before the shutdown${harvester.message ? `: ${harvester.message}` : ''}`);
    for (const c of clusters.filter((x) => !x.ready)) {
      await ctx.warn(`downstream cluster ${clusterKey(c)} is not Ready before the shutdown (${c.message ?? 'no reason given'}): the restart reports it but does not wait for it`);
    }
    await ctx.record(
      Facts.rancherManager.key,
      toJson({ url: rm.url, harvester: { id: harvester.id, displayName: harvester.displayName, state: harvester.state }, downstream: clusters.map(downstreamFact) }),
    );
  },
};

const requests = (ctx: Ctx): Request[] => requireFact(ctx.facts, Facts.downstreamSnapshots, 'the downstream snapshots').requests;
const readyBefore = (ctx: Ctx) => requireFact(ctx.facts, Facts.rancherManager, 'the downstream snapshots').downstream.filter((d) => d.ready);

/** Where one request stands: done (with the new snapshot names), waiting, or failed. */
export function snapshotProgress(r: Request, s: SnapshotStateView): { state: 'done'; taken: string[] } | { state: 'waiting'; detail: string } | { state: 'failed'; reason: string } {
  const fresh = s.snapshots.filter((x) => !r.before.includes(x.name));
  const key = `${r.namespace}/${r.name}`;
  if (s.phase === 'Failed' && s.processingGeneration >= r.generation && s.processingGeneration === s.requestedGeneration && s.finishedGeneration < r.generation) {
    const why = [...fresh].reverse().find((x) => x.status === 'failed')?.message;
    return { state: 'failed', reason: `the etcd snapshot of downstream cluster ${key} failed${why ? `: ${why}` : ''}` };
  }
  const ok = fresh.filter((x) => x.status === 'successful').map((x) => x.name);
  if (s.finishedGeneration >= r.generation && ok.length > 0) return { state: 'done', taken: ok };
  if (s.finishedGeneration >= r.generation) return { state: 'waiting', detail: `${key}: snapshot finished, its ETCDSnapshot not listed yet` };
  return { state: 'waiting', detail: `${key}: ${s.phase && s.processingGeneration >= r.generation ? s.phase : 'requested'}` };
}

export const snapshotDownstreamClusters: Step<RunbookEnv> = {
  id: 'shutdown.downstream-snapshots',
  title: 'Take an etcd snapshot of each downstream cluster through Rancher Manager',
  seed: '2',
  phase: 'Backup',
  destructive: false,
  records: [Facts.downstreamSnapshots.key, Facts.downstreamSnapshotsTaken.key],
  waitsFor: 'each new ETCDSnapshot to exist with status successful (RKEControlPlane phase Finished)',
  risks: ['a snapshot that fails stops the run before any VM or node is stopped; `fallow resume` asks Rancher for a new one'],
  rbac: downstreamRbac,
  enabled: (ctx) => ctx.env.options.snapshotDownstream === true,
  async skip(ctx) {
    rancherPort(ctx, '--snapshot-downstream');
    const r = readFact(ctx.facts, Facts.rancherManager);
    if (r && r.downstream.filter((d) => d.ready).length === 0) return 'no Ready downstream cluster runs on this Harvester';
    return undefined;
  },
  async record(ctx) {
    if (readFact(ctx.facts, Facts.downstreamSnapshots)) return;
    const rm = rancherPort(ctx, '--snapshot-downstream');
    const reqs: Request[] = [];
    for (const d of readyBefore(ctx)) {
      const s = await rm.snapshotState(d.namespace, d.name);
      const base = Math.max(s.requestedGeneration, s.finishedGeneration);
      reqs.push({ namespace: d.namespace, name: d.name, baseGeneration: s.requestedGeneration, generation: base + 1, before: s.snapshots.map((x) => x.name) });
    }
    await ctx.record(Facts.downstreamSnapshots.key, toJson({ requests: reqs }));
  },
  async check(ctx) {
    // A resume after a failed snapshot does not ask `enabled` again: dropping the flag gives up here.
    if (ctx.env.options.snapshotDownstream !== true) return { done: true, detail: 'no snapshot: --snapshot-downstream not given' };
    const taken = readFact(ctx.facts, Facts.downstreamSnapshotsTaken);
    return taken ? { done: true, detail: `${taken.reduce((n, t) => n + t.snapshots.length, 0)} snapshots taken` } : { done: false };
  },
  async describe(ctx) {
    const rm = rancherPort(ctx, '--snapshot-downstream');
    const recorded = readFact(ctx.facts, Facts.rancherManager)?.downstream;
    const clusters = recorded ?? (onThisHarvester(await rm.downstreamClusters(), await nodeDriverVms(ctx.env.cluster))).map(downstreamFact);
    return clusters.filter((c) => c.ready).map((c) => `snapshot etcd of downstream cluster ${clusterKey(c)} (${c.readyMachines} machines) through ${rm.url}, and wait until it is ready`);
  },
  async act(ctx) {
    const rm = rancherPort(ctx, '--snapshot-downstream');
    const reqs = requests(ctx);
    for (const r of reqs) {
      const s = await rm.snapshotState(r.namespace, r.name);
      // A resumed run after a failed attempt asks again; a request already made is not repeated.
      const failedLast = s.phase === 'Failed' && s.processingGeneration === s.requestedGeneration && s.finishedGeneration < r.generation && s.requestedGeneration >= r.generation;
      if (s.requestedGeneration < r.generation || failedLast) await rm.requestSnapshot(r.namespace, r.name, failedLast ? s.requestedGeneration + 1 : r.generation);
    }
    const taken = new Map<string, string[]>();
    await ctx.waitFor({
      name: `etcd snapshots of ${reqs.length} downstream clusters`,
      timeoutMs: minutes(20),
      pollMs: 30_000,
      async evaluate(): Promise<WaitResult> {
        const pending: string[] = [];
        for (const r of reqs) {
          const p = snapshotProgress(r, await rm.snapshotState(r.namespace, r.name));
          if (p.state === 'failed') {
            return { state: 'failed', reason: p.reason, hint: `Nothing was stopped. Look at the cluster's snapshots in Rancher (Cluster Management → ${r.name} → Snapshots), then \`fallow resume\` to ask again, or run without --snapshot-downstream` };
          }
          if (p.state === 'done') taken.set(`${r.namespace}/${r.name}`, p.taken);
          else pending.push(p.detail);
        }
        return pending.length ? { state: 'waiting', detail: `waiting for ${pending.length} snapshots: ${capList(pending)}` } : { state: 'done', detail: `${reqs.length} downstream clusters snapshotted` };
      },
      subscribe: async (_c, wake) => rm.onChange(wake),
    });
    await ctx.record(Facts.downstreamSnapshotsTaken.key, toJson(reqs.map((r) => ({ namespace: r.namespace, name: r.name, snapshots: taken.get(`${r.namespace}/${r.name}`) ?? [] }))));
  },
};
