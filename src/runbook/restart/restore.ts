// Seed 5.3 (enable the addons that were disabled), 5.4 (restore scale-available, scale
// rancher back, cattle-cluster-agent returns), and the reverse of 3.4 (workloads scaled
// back to their recorded replicas). Only what the shutdown changed is undone.
import { Annotations, Rancher } from '../../common/harvester.js';
import { count } from '../../common/list.js';
import type { AddonObject, DeploymentObject, KObject } from '../../common/harvester-types.js';
import type { Step, StepContext, WaitResult } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact } from '../facts.js';
import { cacheWait, minutes } from '../lib/waits.js';

type Ctx = StepContext<RunbookEnv>;
const key = (a: { namespace?: string; name: string }) => `${a.namespace}/${a.name}`;
const disabledByUs = (ctx: Ctx) => readFact(ctx.facts, Facts.addons)?.toDisable ?? [];

export const enableAddons: Step<RunbookEnv> = {
  id: 'restart.enable-addons',
  title: 'Enable the addons that were disabled',
  seed: '5.3',
  phase: 'Restore',
  destructive: false,
  waitsFor: 'each re-enabled addon in AddonDeploySuccessful',
  risks: ['an addon that fails to deploy (AddonDeployFailed / OperationFailed) stops the run naming it'],
  rbac: [{ group: 'harvesterhci.io', resource: 'addons', verbs: ['get', 'list', 'watch', 'patch'] }],
  async skip(ctx) {
    return disabledByUs(ctx).length ? undefined : 'the shutdown disabled no addon';
  },
  async check(ctx) {
    const addons = await ctx.env.cluster.list<AddonObject>('Addon');
    const want = new Set(disabledByUs(ctx).map(key));
    const off = addons.filter((a) => want.has(key({ namespace: a.metadata.namespace, name: a.metadata.name })) && !a.spec?.enabled);
    return off.length ? { done: false } : { done: true };
  },
  async describe(ctx) {
    return disabledByUs(ctx).map((a) => `enable addon ${key(a)}`);
  },
  async act(ctx) {
    for (const a of disabledByUs(ctx)) await ctx.env.cluster.mergePatch('Addon', a.namespace, a.name, { spec: { enabled: true } });
  },
  wait: (ctx) => {
    const want = new Set(disabledByUs(ctx).map(key));
    return cacheWait<AddonObject>({
      name: 'addons deployed',
      kind: 'Addon',
      timeoutMs: minutes(20),
      describe: (n) => `waiting for ${count(n, 'addon')} to deploy`,
      pending: (items) => {
        const mine = items.filter((a) => want.has(key({ namespace: a.metadata.namespace, name: a.metadata.name })));
        const failed = mine.find((a) => a.status?.status === 'AddonDeployFailed' || a.status?.conditions?.some((c) => c.type === 'OperationFailed' && c.status === 'True'));
        if (failed) return { failed: `addon ${key({ namespace: failed.metadata.namespace, name: failed.metadata.name })} failed to deploy`, hint: 'Check the addon in the Harvester UI (its helm job logs), then `fallow resume`' };
        return mine.filter((a) => a.status?.status !== 'AddonDeploySuccessful').map((a) => `${a.metadata.name} (${a.status?.status || 'no status'})`);
      },
    });
  },
};

const rancherFacts = (ctx: Ctx) => readFact(ctx.facts, Facts.rancher);
const notImported = async (ctx: Ctx) => {
  const r = rancherFacts(ctx);
  if (!r) return 'the shutdown recorded no Rancher state';
  return r.imported ? undefined : 'the cluster is not imported into a Rancher Manager';
};
const ns = Rancher.namespace;

export const restoreScaleAvailable: Step<RunbookEnv> = {
  id: 'restart.rancher-scale-available',
  title: 'Restore scale-available of the rancher deployment',
  seed: '5.4',
  phase: 'Restore',
  destructive: false,
  rbac: [{ group: 'apps', resource: 'deployments', verbs: ['get', 'patch'], namespace: ns }],
  skip: notImported,
  async check(ctx) {
    const d = await ctx.env.cluster.get<DeploymentObject>('Deployment', ns, Rancher.deployment);
    const want = rancherFacts(ctx)!.rancher.scaleAvailable;
    return (d?.metadata.annotations?.[Annotations.scaleAvailable] ?? null) === want ? { done: true } : { done: false };
  },
  async describe(ctx) {
    return [`set ${Annotations.scaleAvailable} of ${ns}/rancher back to "${rancherFacts(ctx)!.rancher.scaleAvailable ?? ''}"`];
  },
  async act(ctx) {
    const want = rancherFacts(ctx)!.rancher.scaleAvailable;
    await ctx.env.cluster.mergePatch('Deployment', ns, Rancher.deployment, { metadata: { annotations: { [Annotations.scaleAvailable]: want } } });
  },
};

function ready(d: DeploymentObject | undefined, want: number): boolean {
  return (d?.status?.readyReplicas ?? 0) >= Math.max(1, want);
}

const AGENT_GRACE_MS = minutes(5);

export const scaleUpRancher: Step<RunbookEnv> = {
  id: 'restart.rancher-scale-up',
  title: 'Scale up the rancher deployment (the agent follows)',
  seed: '5.4',
  phase: 'Restore',
  destructive: false,
  waitsFor: 'rancher Ready, then cattle-cluster-agent scaled back up by it (restored by fallow after 5 min if not)',
  rbac: [
    { group: 'apps', resource: 'deployments', verbs: ['get', 'list', 'watch'], namespace: ns },
    { group: 'apps', resource: 'deployments/scale', verbs: ['patch'], namespace: ns },
  ],
  skip: notImported,
  async check(ctx) {
    const d = await ctx.env.cluster.get<DeploymentObject>('Deployment', ns, Rancher.deployment);
    return (d?.spec?.replicas ?? 0) >= Math.max(1, rancherFacts(ctx)!.rancher.replicas) ? { done: true } : { done: false };
  },
  async describe(ctx) {
    return [`scale ${ns}/rancher to ${rancherFacts(ctx)!.rancher.replicas} replicas`];
  },
  async act(ctx) {
    await ctx.env.cluster.scale('Deployment', ns, Rancher.deployment, Math.max(1, rancherFacts(ctx)!.rancher.replicas));
  },
  wait: (ctx) => {
    let rancherReadyAt: number | undefined;
    let restoredAgent = false;
    const r = rancherFacts(ctx)!;
    return {
      name: 'rancher and cattle-cluster-agent ready',
      timeoutMs: minutes(20),
      pollMs: 15_000,
      async evaluate(c): Promise<WaitResult> {
        const cache = c.env.cluster.cache<DeploymentObject>('Deployment', { namespace: ns });
        await cache.synced();
        const rancher = cache.get(ns, Rancher.deployment);
        const agent = cache.get(ns, Rancher.agentDeployment);
        if (!ready(rancher, 1)) return { state: 'waiting', detail: `waiting for rancher: ${rancher?.status?.readyReplicas ?? 0}/${rancher?.spec?.replicas ?? 0} ready` };
        rancherReadyAt ??= c.clock.now();
        if (!r.agent.present || r.agent.replicas === 0) return { state: 'done' };
        if (ready(agent, 1)) return { state: 'done', detail: `cattle-cluster-agent ${agent?.status?.readyReplicas}/${agent?.spec?.replicas}` };
        if (!restoredAgent && c.clock.now() - rancherReadyAt >= AGENT_GRACE_MS && (agent?.spec?.replicas ?? 0) === 0) {
          restoredAgent = true;
          await c.warn(`rancher did not scale cattle-cluster-agent back within ${AGENT_GRACE_MS / 60_000} min; restoring its recorded ${r.agent.replicas} replicas`);
          await c.env.cluster.scale('Deployment', ns, Rancher.agentDeployment, r.agent.replicas);
        }
        return { state: 'waiting', detail: `waiting for cattle-cluster-agent: ${agent?.status?.readyReplicas ?? 0}/${agent?.spec?.replicas ?? 0} ready` };
      },
      subscribe: async (c, wake) => c.env.cluster.cache('Deployment', { namespace: ns }).onChange(wake),
    };
  },
};

export const scaleUpWorkloads: Step<RunbookEnv> = {
  id: 'restart.other-workloads',
  title: 'Scale the other workloads back',
  seed: '3.4',
  phase: 'Restore',
  destructive: false,
  rbac: [
    { group: 'apps', resource: 'deployments/scale', verbs: ['patch'] },
    { group: 'apps', resource: 'statefulsets/scale', verbs: ['patch'] },
  ],
  async skip(ctx) {
    return readFact(ctx.facts, Facts.workloads)?.scaled.length ? undefined : 'the shutdown scaled no other workload';
  },
  async check(ctx) {
    for (const o of requireFact(ctx.facts, Facts.workloads, 'workloads').scaled) {
      const obj = await ctx.env.cluster.get<KObject & { spec?: { replicas?: number } }>(o.kind, o.namespace, o.name);
      if (obj && (obj.spec?.replicas ?? 0) !== o.replicas) return { done: false };
    }
    return { done: true };
  },
  async describe(ctx) {
    return requireFact(ctx.facts, Facts.workloads, 'workloads').scaled.map((o) => `scale ${o.kind} ${o.namespace}/${o.name} back to ${o.replicas}`);
  },
  async act(ctx) {
    for (const o of requireFact(ctx.facts, Facts.workloads, 'workloads').scaled) await ctx.env.cluster.scale(o.kind, o.namespace, o.name, o.replicas);
  },
};
