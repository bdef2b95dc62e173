// Seed 3.4 — other workloads still holding Longhorn volumes (scaled down only with
// consent, replicas recorded) — and 3.5 — the gate: every Longhorn volume detached before
// any node goes down; names the ones that are not and what uses them.
import { Namespaces } from '../../common/harvester.js';
import type { KObject, LonghornVolumeObject, PodObject } from '../../common/harvester-types.js';
import { capList, count } from '../../common/list.js';
import type { Step, StepContext } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, toJson } from '../facts.js';
import { describeVolume, isDetached } from '../lib/volumes.js';
import { cacheWait, minutes } from '../lib/waits.js';

type Ctx = StepContext<RunbookEnv>;
type Owner = { kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string };

async function attached(ctx: Ctx): Promise<LonghornVolumeObject[]> {
  const vols = await ctx.env.cluster.list<LonghornVolumeObject>('LonghornVolume', { namespace: Namespaces.longhornSystem });
  return vols.filter((v) => !isDetached(v));
}

/** Pod → its scalable owner (ReplicaSet → Deployment, or StatefulSet). */
async function ownerOf(ctx: Ctx, namespace: string, podName: string): Promise<Owner | undefined> {
  const pod = await ctx.env.cluster.get<PodObject>('Pod', namespace, podName);
  const ref = pod?.metadata.ownerReferences?.find((r) => r.controller);
  if (!ref) return undefined;
  if (ref.kind === 'StatefulSet') return { kind: 'StatefulSet', namespace, name: ref.name };
  if (ref.kind === 'ReplicaSet') {
    const rs = await ctx.env.cluster.get<KObject>('ReplicaSet', namespace, ref.name);
    const dep = rs?.metadata.ownerReferences?.find((r) => r.kind === 'Deployment');
    if (dep) return { kind: 'Deployment', namespace, name: dep.name };
  }
  return undefined;
}

async function findWorkloads(ctx: Ctx): Promise<{ owners: Owner[]; orphans: string[] }> {
  const owners = new Map<string, Owner>();
  const orphans: string[] = [];
  for (const v of await attached(ctx)) {
    const ks = v.status?.kubernetesStatus;
    for (const w of ks?.workloadsStatus ?? []) {
      const ns = ks?.namespace ?? 'default';
      if (w.podName.startsWith('virt-launcher-')) continue; // a VM: 3.1/3.2 own those
      const o = await ownerOf(ctx, ns, w.podName);
      if (o) owners.set(`${o.kind}/${o.namespace}/${o.name}`, o);
      else orphans.push(`${ns}/${w.podName}`);
    }
  }
  return { owners: [...owners.values()], orphans };
}

export const scaleDownOtherWorkloads: Step<RunbookEnv> = {
  id: 'shutdown.other-workloads',
  title: 'Disable other workloads that use Longhorn volumes',
  seed: '3.4',
  phase: 'Shutdown workloads',
  destructive: true,
  records: [Facts.workloads.key],
  risks: ['without consent (--scale-down-workloads or a yes at the prompt) they are only listed, and the Longhorn gate will name their volumes'],
  rbac: [
    { group: '', resource: 'pods', verbs: ['get'] },
    { group: 'apps', resource: 'replicasets', verbs: ['get'] },
    { group: 'apps', resource: 'deployments/scale', verbs: ['patch'] },
    { group: 'apps', resource: 'statefulsets/scale', verbs: ['patch'] },
  ],
  async record(ctx) {
    if (readFact(ctx.facts, Facts.workloads)) return;
    const { owners, orphans } = await findWorkloads(ctx);
    const scaled = [];
    for (const o of owners) {
      const obj = await ctx.env.cluster.get<KObject & { spec?: { replicas?: number } }>(o.kind, o.namespace, o.name);
      scaled.push({ ...o, replicas: obj?.spec?.replicas ?? 1 });
    }
    await ctx.record(Facts.workloads.key, toJson({ scaled, left: orphans }));
  },
  async check(ctx) {
    const w = requireFact(ctx.facts, Facts.workloads, 'other workloads');
    if (w.scaled.length === 0) return { done: true, detail: 'no other workload holds a Longhorn volume' };
    for (const o of w.scaled) {
      const obj = await ctx.env.cluster.get<KObject & { spec?: { replicas?: number } }>(o.kind, o.namespace, o.name);
      if ((obj?.spec?.replicas ?? 0) > 0) return { done: false };
    }
    return { done: true };
  },
  async describe(ctx) {
    const w = requireFact(ctx.facts, Facts.workloads, 'describe');
    return [
      ...w.scaled.map((o) => `scale ${o.kind} ${o.namespace}/${o.name} from ${o.replicas} to 0`),
      ...w.left.map((p) => `pod ${p} has no scalable owner: stop it by hand`),
    ];
  },
  async act(ctx) {
    const w = requireFact(ctx.facts, Facts.workloads, 'other workloads');
    const consent =
      ctx.env.options.scaleDownWorkloads ||
      (await ctx.confirm({
        question: 'Scale these workloads to 0 so their Longhorn volumes detach (seed 3.4)? They are scaled back at restart.',
        details: w.scaled.map((o) => `${o.kind} ${o.namespace}/${o.name} (${o.replicas} replicas)`),
      }));
    if (!consent) {
      await ctx.warn(`left running (no consent): ${capList(w.scaled.map((o) => `${o.namespace}/${o.name}`))}; the Longhorn gate will wait for their volumes`);
      return;
    }
    for (const o of w.scaled) await ctx.env.cluster.scale(o.kind, o.namespace, o.name, 0);
  },
};

export const longhornGate: Step<RunbookEnv> = {
  id: 'shutdown.longhorn-detached',
  title: 'Check Longhorn volumes are detached',
  seed: '3.5',
  phase: 'Shutdown workloads',
  destructive: false,
  waitsFor: 'every Longhorn Volume in state detached',
  risks: ['a volume stuck attached stops the run before any node goes down, naming the volume and its users'],
  rbac: [{ group: 'longhorn.io', resource: 'volumes', verbs: ['get', 'list', 'watch'], namespace: Namespaces.longhornSystem }],
  async check(ctx) {
    const left = await attached(ctx);
    return left.length === 0 ? { done: true } : { done: false, detail: `${left.length} attached` };
  },
  async act() {
    // Nothing to change: the gate only waits (the acts that detach volumes came before).
  },
  wait: () =>
    cacheWait<LonghornVolumeObject>({
      name: 'Longhorn volumes detached',
      kind: 'LonghornVolume',
      opts: { namespace: Namespaces.longhornSystem },
      timeoutMs: minutes(10),
      describe: (n) => `waiting for ${count(n, 'Longhorn volume')} to detach`,
      pending: (items) => items.filter((v) => !isDetached(v)).map(describeVolume),
    }),
};
