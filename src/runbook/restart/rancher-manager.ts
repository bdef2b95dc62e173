// Seed 5.4 step 3 and 5.5.2 — after rancher is scaled back, Rancher Manager must show the
// Harvester cluster Active again; after the VMs start, every downstream cluster that was
// Ready before the shutdown must be Ready again with as many ready machines as it had.
// fallow only watches here (Rancher brings the machines back); clusters that do not return
// are recorded for the report and stop the run, each named with what is missing.
import { capList } from '../../common/list.js';
import type { Step, StepContext, WaitResult } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, toJson, type DownstreamClusterFact } from '../facts.js';
import { clusterKey, rancherPort } from '../lib/downstream.js';
import { minutes } from '../lib/waits.js';
import type { DownstreamClusterView } from '../rancher-port.js';

type Ctx = StepContext<RunbookEnv>;

const recorded = (ctx: Ctx) => requireFact(ctx.facts, Facts.rancherManager, 'the Rancher Manager checks');
async function noRecord(ctx: Ctx): Promise<string | undefined> {
  return readFact(ctx.facts, Facts.rancherManager) ? undefined : 'the shutdown recorded no Rancher Manager view (it ran without --rancher-url)';
}

export const awaitHarvesterActive: Step<RunbookEnv> = {
  id: 'restart.rancher-manager-active',
  title: 'Check the virtualization management on the Rancher Manager',
  seed: '5.4',
  phase: 'Restore',
  destructive: false,
  waitsFor: 'Rancher Manager to show the Harvester cluster Active (cattle-cluster-agent connected)',
  risks: ['Rancher Manager unreachable or the cluster staying Unavailable: the wait names its state and times out'],
  rbac: [],
  enabled: (ctx) => ctx.env.rancherManager !== undefined,
  skip: noRecord,
  async check() {
    return { done: true, detail: 'nothing to change: Rancher reconnects by itself once cattle-cluster-agent runs' };
  },
  async describe(ctx) {
    const r = recorded(ctx);
    return [`wait until Rancher Manager at ${r.url} shows ${r.harvester.displayName} (${r.harvester.id}) Active`];
  },
  async act() {
    // Nothing to do: the wait is the step.
  },
  wait: (ctx) => {
    const r = recorded(ctx);
    return {
      name: `${r.harvester.displayName} Active in Rancher Manager`,
      timeoutMs: minutes(15),
      pollMs: 30_000,
      async evaluate(c): Promise<WaitResult> {
        const h = await rancherPort(c, 'the Rancher Manager check').harvesterCluster(r.harvester.id);
        if (h.state === 'Active') return { state: 'done', detail: `${h.displayName} (${h.id}) Active` };
        return { state: 'waiting', detail: `Rancher Manager shows ${h.displayName} (${h.id}) ${h.state}${h.message ? `: ${h.message}` : ''}` };
      },
      subscribe: async (c, wake) => rancherPort(c, 'the Rancher Manager check').onChange(wake),
    };
  },
};

interface ClusterVerdict {
  want: DownstreamClusterFact;
  now: DownstreamClusterView | undefined;
  readyMachines: number;
  problem?: string;
}

/** Is this recorded cluster back: Ready, with at least as many ready machines as before? */
export function judgeCluster(want: DownstreamClusterFact, now: DownstreamClusterView | undefined): ClusterVerdict {
  if (!now) return { want, now, readyMachines: 0, problem: `downstream cluster ${clusterKey(want)} is gone from Rancher Manager` };
  const ready = now.machines.filter((m) => m.ready);
  const notReady = now.machines.filter((m) => !m.ready).map((m) => `${m.name}: ${m.reason ?? 'not ready'}`);
  const detail = `${ready.length} of ${want.readyMachines} machines ready${notReady.length ? ` (${capList(notReady, 3)})` : ''}`;
  if (!now.ready) return { want, now, readyMachines: ready.length, problem: `downstream cluster ${clusterKey(want)} is not Ready: ${now.message ? `${now.message}; ` : ''}${detail}` };
  if (ready.length < want.readyMachines) return { want, now, readyMachines: ready.length, problem: `downstream cluster ${clusterKey(want)} is Ready with fewer machines: ${detail}` };
  return { want, now, readyMachines: ready.length };
}

export const awaitDownstreamClusters: Step<RunbookEnv> = {
  id: 'restart.downstream-clusters',
  title: 'Wait until all the downstream clusters are ready',
  seed: '5.5',
  phase: 'Start VMs',
  destructive: false,
  records: [Facts.rancherManagerAfter.key],
  waitsFor: 'every downstream cluster that was Ready before to be Ready with its recorded number of ready machines',
  risks: ['a downstream cluster that does not return within --downstream-timeout stops the run naming it and its machines'],
  rbac: [],
  enabled: (ctx) => ctx.env.rancherManager !== undefined,
  skip: noRecord,
  async check() {
    return { done: false }; // always look again
  },
  async describe(ctx) {
    const r = recorded(ctx);
    return r.downstream.map((d) => (d.ready ? `wait until ${clusterKey(d)} is Ready with ${d.readyMachines} machines` : `report ${clusterKey(d)} (it was not Ready before the shutdown)`));
  },
  async act(ctx) {
    const r = recorded(ctx);
    const rm = rancherPort(ctx, 'the downstream cluster check');
    const timeout = ctx.env.options.downstreamTimeoutMs;
    const deadline = ctx.clock.now() + timeout;
    const recordAfter = async (c: Ctx, verdicts: ClusterVerdict[], harvesterState: string) =>
      c.record(
        Facts.rancherManagerAfter.key,
        toJson({
          harvester: { id: r.harvester.id, state: harvesterState },
          downstream: verdicts.map((v) => ({ namespace: v.want.namespace, name: v.want.name, ready: v.now?.ready ?? false, readyMachines: v.readyMachines, expectedMachines: v.want.readyMachines, ...(v.problem ? { problem: v.problem } : {}) })),
        }),
      );
    await ctx.waitFor({
      name: `${r.downstream.length} downstream clusters Ready`,
      timeoutMs: timeout + minutes(1),
      pollMs: 30_000,
      async evaluate(c): Promise<WaitResult> {
        const live = await rm.downstreamClusters();
        const verdicts = r.downstream.map((d) => judgeCluster(d, live.find((l) => l.namespace === d.namespace && l.name === d.name)));
        const blocking = verdicts.filter((v) => v.problem && v.want.ready);
        if (blocking.length && c.clock.now() < deadline) return { state: 'waiting', detail: `waiting for ${blocking.length} downstream clusters: ${capList(blocking.map((v) => clusterKey(v.want)))}` };
        const harvester = await rm.harvesterCluster(r.harvester.id).then((h) => h.state, () => 'unknown');
        await recordAfter(c, verdicts, harvester);
        for (const v of verdicts.filter((x) => x.problem && !x.want.ready)) await c.warn(`${v.problem} (it was not Ready before the shutdown either)`);
        if (blocking.length) {
          return {
            state: 'failed',
            reason: `${blocking.length} downstream clusters did not come back within ${Math.round(timeout / 60_000)} min: ${capList(blocking.map((v) => v.problem!), 5)}`,
            hint: 'Look at them in Rancher Manager (Cluster Management); start VMs Rancher did not start from the Harvester UI (seed 5.5), then `fallow resume` to check again',
          };
        }
        return { state: 'done', detail: `${verdicts.filter((v) => !v.problem).length} downstream clusters Ready` };
      },
      subscribe: async (_c, wake) => rm.onChange(wake),
    });
  },
};
