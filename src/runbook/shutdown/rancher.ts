// Seed 3.2 — Disconnect Harvester from the Rancher Manager: record scale-available, set it
// to "" (else the embedded Rancher scales itself back), scale rancher to 0 and wait for its
// pods, then scale cattle-cluster-agent to 0. Never removes the Rancher import.
import { Annotations, Rancher } from '../../common/harvester.js';
import type { DeploymentObject, SettingObject } from '../../common/harvester-types.js';
import type { Step, StepContext, WaitSpec } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, toJson } from '../facts.js';
import { podsGoneWait, scaleFact } from '../lib/deployments.js';
import { minutes } from '../lib/waits.js';

type Ctx = StepContext<RunbookEnv>;
const ns = Rancher.namespace;

async function deployment(ctx: Ctx, name: string): Promise<DeploymentObject | undefined> {
  return ctx.env.cluster.get<DeploymentObject>('Deployment', ns, name);
}

/** Record once: a resumed run must not record the values it set itself. */
async function recordRancher(ctx: Ctx): Promise<void> {
  if (readFact(ctx.facts, Facts.rancher)) return;
  const [rancher, agent, reg] = await Promise.all([
    deployment(ctx, Rancher.deployment),
    deployment(ctx, Rancher.agentDeployment),
    ctx.env.cluster.get<SettingObject>('Setting', undefined, 'cluster-registration-url'),
  ]);
  const imported = Boolean(agent) || Boolean((reg?.value ?? '').trim());
  await ctx.record(
    Facts.rancher.key,
    toJson({ imported, rancher: scaleFact(ns, Rancher.deployment, rancher), agent: scaleFact(ns, Rancher.agentDeployment, agent) }),
  );
}

async function notImported(ctx: Ctx): Promise<string | undefined> {
  await recordRancher(ctx);
  const r = requireFact(ctx.facts, Facts.rancher, 'the Rancher steps');
  if (!r.imported) return 'the cluster is not imported into a Rancher Manager (no cattle-cluster-agent, no registration URL)';
  return undefined;
}

const deploymentRbac = [
  { group: 'apps', resource: 'deployments', verbs: ['get', 'list', 'watch', 'patch'], namespace: ns },
  { group: 'apps', resource: 'deployments/scale', verbs: ['patch'], namespace: ns },
  { group: '', resource: 'pods', verbs: ['get', 'list', 'watch', 'delete'], namespace: ns },
];

export const clearScaleAvailable: Step<RunbookEnv> = {
  id: 'shutdown.rancher-scale-available',
  title: 'Set scale-available of the rancher deployment to ""',
  seed: '3.2',
  phase: 'Disconnect Rancher Manager',
  destructive: true,
  records: [Facts.rancher.key],
  risks: ['skipping this lets the embedded Rancher scale itself back up right after the scale-down'],
  rbac: [...deploymentRbac, { group: 'harvesterhci.io', resource: 'settings', verbs: ['get'] }],
  skip: notImported,
  record: recordRancher,
  async check(ctx) {
    const d = await deployment(ctx, Rancher.deployment);
    const v = d?.metadata.annotations?.[Annotations.scaleAvailable];
    return !d || v === undefined || v === '' ? { done: true } : { done: false, detail: `scale-available is "${v}"` };
  },
  async describe(ctx) {
    const r = requireFact(ctx.facts, Facts.rancher, 'describe');
    return [`set ${Annotations.scaleAvailable} of ${ns}/rancher from "${r.rancher.scaleAvailable ?? ''}" to "" (recorded for the restart)`];
  },
  async act(ctx) {
    await ctx.env.cluster.mergePatch('Deployment', ns, Rancher.deployment, { metadata: { annotations: { [Annotations.scaleAvailable]: '' } } });
  },
};

function scaleDownStep(o: { id: string; title: string; name: string; waitMin: number }): Step<RunbookEnv> {
  return {
    id: o.id,
    title: o.title,
    seed: '3.2',
    phase: 'Disconnect Rancher Manager',
    destructive: true,
    records: [Facts.rancher.key],
    waitsFor: `every ${o.name} pod gone (stuck Terminating ones force-deleted only with consent)`,
    risks: ['a pod stuck Terminating: asks before force-deleting (--force-delete-stuck-pods)'],
    rbac: deploymentRbac,
    skip: notImported,
    record: recordRancher,
    async check(ctx) {
      const d = await deployment(ctx, o.name);
      return !d || (d.spec?.replicas ?? 0) === 0 ? { done: true } : { done: false, detail: `${d.spec?.replicas} replicas` };
    },
    async describe() {
      return [`scale ${ns}/${o.name} to 0 replicas`];
    },
    async act(ctx) {
      await ctx.env.cluster.scale('Deployment', ns, o.name, 0);
    },
    wait: () => lazyPodsGone(o.name, minutes(o.waitMin)),
  };
}

/** The selector comes from the live deployment, read when the wait starts. */
function lazyPodsGone(name: string, timeoutMs: number): WaitSpec<RunbookEnv> {
  const stub: DeploymentObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns } };
  let inner: WaitSpec<RunbookEnv> | undefined;
  const resolve = async (c: Ctx) => (inner ??= podsGoneWait(c, (await deployment(c, name)) ?? stub, timeoutMs));
  return {
    name: `${ns}/${name} pods gone`,
    timeoutMs,
    pollMs: 15_000,
    evaluate: async (c: Ctx) => (await resolve(c)).evaluate(c),
    subscribe: async (c: Ctx, wake: () => void) => (await resolve(c)).subscribe!(c, wake),
  };
}

export const scaleDownRancher = scaleDownStep({ id: 'shutdown.rancher-scale-down', title: 'Scale down the rancher deployment', name: Rancher.deployment, waitMin: 15 });
export const scaleDownAgent = scaleDownStep({ id: 'shutdown.agent-scale-down', title: 'Scale down the cattle-cluster-agent deployment', name: Rancher.agentDeployment, waitMin: 10 });
