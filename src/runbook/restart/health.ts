// Seed 5.1 "Check the VIP" and 5.2 "Healthy Check": ingress-expose has the recorded VIP;
// the system pods of the seed's namespaces are Running and Ready, none Failed or in
// CrashLoopBackOff past the timeout; Longhorn healthy before anything needs storage; no
// volume faulted; the storage network consistent with its pods when one is set.
import { Namespaces, SystemNamespaces, Vip } from '../../common/harvester.js';
import type { LonghornVolumeObject, PodObject, ServiceObject } from '../../common/harvester-types.js';
import { capList, count } from '../../common/list.js';
import type { Step, StepContext, WaitResult } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, requireFact } from '../facts.js';
import { multiCacheSubscribe, minutes } from '../lib/waits.js';

type Ctx = StepContext<RunbookEnv>;

const recordedVip = (ctx: Ctx) => {
  const v = requireFact(ctx.facts, Facts.network, 'the VIP check').vip;
  return v.externalIp ?? v.configured;
};

export const checkVip: Step<RunbookEnv> = {
  id: 'restart.check-vip',
  title: 'Check the VIP',
  seed: '5.1',
  phase: 'Restart control plane',
  destructive: false,
  waitsFor: `${Vip.service.namespace}/${Vip.service.name} EXTERNAL-IP equal to the recorded VIP`,
  risks: ['the VIP does not come back, or comes back different: the run stops naming both addresses'],
  rbac: [{ group: '', resource: 'services', verbs: ['get', 'list', 'watch'], namespace: Vip.service.namespace }],
  async skip(ctx) {
    return recordedVip(ctx) ? undefined : 'no VIP was recorded at shutdown';
  },
  async check() {
    return { done: false }; // a check only: always observe
  },
  async act() {
    // Nothing to change: the wait is the check.
  },
  wait: (ctx) => ({
    name: 'VIP back',
    timeoutMs: minutes(10),
    pollMs: 15_000,
    async evaluate(c): Promise<WaitResult> {
      const cache = c.env.cluster.cache<ServiceObject>('Service', { namespace: Vip.service.namespace });
      await cache.synced();
      const svc = cache.get(Vip.service.namespace, Vip.service.name);
      const ip = svc?.status?.loadBalancer?.ingress?.[0]?.ip;
      const want = recordedVip(ctx);
      if (!ip) return { state: 'waiting', detail: `waiting for ${Vip.service.name} to get its EXTERNAL-IP ${want}` };
      if (ip !== want) {
        return { state: 'failed', reason: `${Vip.service.namespace}/${Vip.service.name} EXTERNAL-IP is ${ip}, recorded VIP was ${want}`, hint: 'Check the harvester-system/vip ConfigMap and kube-vip, then `fallow resume`' };
      }
      return { state: 'done', detail: `VIP ${ip}` };
    },
    subscribe: async (c, wake) => c.env.cluster.cache('Service', { namespace: Vip.service.namespace }).onChange(wake),
  }),
};

export function podProblem(p: PodObject): string | undefined {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  if (p.status?.phase === 'Succeeded') return undefined;
  if (p.status?.phase === 'Failed') return 'Failed';
  const waiting = p.status?.containerStatuses?.map((c) => c.state?.waiting?.reason).find((r) => r);
  if (waiting) return waiting;
  if (p.status?.phase !== 'Running') return p.status?.phase ?? 'Pending';
  if (!p.status?.containerStatuses?.every((c) => c.ready)) return 'NotReady';
  return undefined;
}

const systemCaches = SystemNamespaces.map((ns) => ({ kind: 'Pod' as const, opts: { namespace: ns } }));

export const healthGates: Step<RunbookEnv> = {
  id: 'restart.health-gates',
  title: 'Healthy check of the basic components',
  seed: '5.2',
  phase: 'Health gates',
  destructive: false,
  waitsFor: "every pod of the seed's system namespaces Running and Ready, Longhorn healthy, no volume faulted",
  risks: [
    'a pod in CrashLoopBackOff or Failed past the timeout (default 15 min) stops the run naming it',
    'a faulted Longhorn volume stops the run (degraded volumes rebuilding are only warned)',
  ],
  rbac: [
    { group: '', resource: 'pods', verbs: ['list', 'watch'] },
    { group: 'longhorn.io', resource: 'volumes', verbs: ['list', 'watch'], namespace: Namespaces.longhornSystem },
    { group: 'harvesterhci.io', resource: 'settings', verbs: ['get'] },
  ],
  async check() {
    return { done: false };
  },
  async act() {
    // Nothing to change: the wait is the gate.
  },
  wait: (ctx) => ({
    name: 'system pods healthy',
    timeoutMs: ctx.env.options.healthTimeoutMs,
    pollMs: 30_000,
    async evaluate(c): Promise<WaitResult> {
      const vols = c.env.cluster.cache<LonghornVolumeObject>('LonghornVolume', { namespace: Namespaces.longhornSystem });
      await vols.synced();
      const faulted = vols.list().filter((v) => v.status?.robustness === 'faulted');
      if (faulted.length) {
        return { state: 'failed', reason: `Longhorn volumes faulted: ${capList(faulted.map((v) => v.metadata.name))}`, hint: 'Recover them in the Longhorn UI (salvage a replica) before starting workloads, then `fallow resume`' };
      }
      const bad: string[] = [];
      for (const { opts } of systemCaches) {
        const cache = c.env.cluster.cache<PodObject>('Pod', opts);
        await cache.synced();
        for (const p of cache.list()) {
          const problem = podProblem(p);
          if (problem) bad.push(`${opts.namespace}/${p.metadata.name} ${problem}`);
        }
      }
      // Longhorn first: nothing that needs storage may start before it is healthy.
      const longhorn = bad.filter((b) => b.startsWith(`${Namespaces.longhornSystem}/`));
      if (longhorn.length) return { state: 'waiting', detail: `waiting for ${count(longhorn.length, 'Longhorn pod')}: ${capList(longhorn)}` };
      if (bad.length) return { state: 'waiting', detail: `waiting for ${count(bad.length, 'system pod')}: ${capList(bad)}` };
      const degraded = vols.list().filter((v) => v.status?.robustness === 'degraded');
      if (degraded.length) await c.warn(`Longhorn volumes degraded (rebuilding is normal after a restart): ${capList(degraded.map((v) => v.metadata.name))}`);
      return { state: 'done' };
    },
    subscribe: multiCacheSubscribe([...systemCaches, { kind: 'LonghornVolume', opts: { namespace: Namespaces.longhornSystem } }]),
  }),
};
