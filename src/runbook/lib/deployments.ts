// Deployment helpers for the Rancher steps (seed 3.2 and 5.4): scale facts, the pods a
// deployment selects, and a wait for them to be gone that force-deletes stuck
// Terminating pods only with consent.
import { Annotations } from '../../common/harvester.js';
import type { DeploymentObject, PodObject } from '../../common/harvester-types.js';
import { capList, count } from '../../common/list.js';
import type { StepContext, WaitResult, WaitSpec } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';

type Ctx = StepContext<RunbookEnv>;

export function selectorOf(d: DeploymentObject): string {
  return Object.entries(d.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function scaleFact(namespace: string, name: string, d: DeploymentObject | undefined) {
  const sa = d?.metadata.annotations?.[Annotations.scaleAvailable];
  return { namespace, name, present: Boolean(d), scaleAvailable: sa ?? null, replicas: d?.spec?.replicas ?? 0 };
}

const STUCK_AFTER_MS = 5 * 60_000;

/** Until no pod of the deployment exists; stuck Terminating pods are force-deleted with consent. */
export function podsGoneWait(ctx: Ctx, d: DeploymentObject, timeoutMs: number): WaitSpec<RunbookEnv> {
  const ns = d.metadata.namespace ?? 'default';
  const opts = { namespace: ns, labelSelector: selectorOf(d) };
  const firstSeenTerminating = new Map<string, number>();
  let asked = false;
  return {
    name: `${ns}/${d.metadata.name} pods gone`,
    timeoutMs,
    pollMs: 15_000,
    async evaluate(c): Promise<WaitResult> {
      const cache = c.env.cluster.cache<PodObject>('Pod', opts);
      await cache.synced();
      const pods = cache.list();
      if (pods.length === 0) return { state: 'done' };
      const now = c.clock.now();
      const stuck: PodObject[] = [];
      for (const p of pods) {
        if (!p.metadata.deletionTimestamp) continue;
        const since = firstSeenTerminating.get(p.metadata.name) ?? now;
        firstSeenTerminating.set(p.metadata.name, since);
        if (now - since >= STUCK_AFTER_MS) stuck.push(p);
      }
      if (stuck.length) {
        const names = stuck.map((p) => `${ns}/${p.metadata.name}`);
        const ok =
          c.env.options.forceDeleteStuckPods ||
          (!asked && (await c.confirm({ question: `Force-delete ${stuck.length} pod(s) stuck Terminating (kubectl delete --grace-period=0 --force)?`, details: names })));
        asked = true;
        if (!ok) {
          return {
            state: 'failed',
            reason: `pods stuck Terminating for over ${STUCK_AFTER_MS / 60_000} min: ${capList(names)}`,
            hint: 'Rerun with --force-delete-stuck-pods (the seed force-deletes them), or delete them by hand, then `fallow resume`',
          };
        }
        for (const p of stuck) {
          await c.warn(`force-deleting pod ${ns}/${p.metadata.name}, stuck Terminating`);
          await c.env.cluster.delete('Pod', ns, p.metadata.name, { gracePeriodSeconds: 0 });
          firstSeenTerminating.delete(p.metadata.name);
        }
      }
      const desc = pods.map((p) => `${p.metadata.name}${p.metadata.deletionTimestamp ? ' (Terminating)' : ''}`);
      return { state: 'waiting', detail: `waiting for ${count(pods.length, 'pod')} of ${d.metadata.name} to go: ${capList(desc)}` };
    },
    async subscribe(c, wake) {
      return c.env.cluster.cache('Pod', opts).onChange(wake);
    },
  };
}
