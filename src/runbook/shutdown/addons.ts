// Seed 3.3 — Disable the addons that hold PVCs: record which addons are enabled, disable
// rancher-monitoring, rancher-logging, rancher-vcluster and any other enabled addon whose
// namespace has a Longhorn volume in use, and wait for AddonDisabled.
import { PvcAddons } from '../../common/harvester.js';
import { count } from '../../common/list.js';
import type { AddonObject, LonghornVolumeObject } from '../../common/harvester-types.js';
import type { Step, StepContext } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, toJson } from '../facts.js';
import { namespacesWithAttachedVolumes } from '../lib/volumes.js';
import { cacheWait, minutes } from '../lib/waits.js';

type Ctx = StepContext<RunbookEnv>;

const key = (a: { namespace?: string; name: string }) => `${a.namespace}/${a.name}`;

async function recordAddons(ctx: Ctx): Promise<void> {
  if (readFact(ctx.facts, Facts.addons)) return;
  const [addons, vols] = await Promise.all([
    ctx.env.cluster.list<AddonObject>('Addon'),
    ctx.env.cluster.list<LonghornVolumeObject>('LonghornVolume'),
  ]);
  const busy = namespacesWithAttachedVolumes(vols);
  const enabled = addons.filter((a) => a.spec?.enabled).map((a) => ({ namespace: a.metadata.namespace ?? 'default', name: a.metadata.name }));
  const toDisable = enabled.flatMap((a) => {
    if ((PvcAddons as readonly string[]).includes(a.name)) return [{ ...a, reason: 'holds PVCs (seed 3.3)' }];
    if (busy.has(a.namespace)) return [{ ...a, reason: `its namespace ${a.namespace} has a Longhorn volume in use` }];
    return [];
  });
  await ctx.record(Facts.addons.key, toJson({ enabled, toDisable }));
}

export const disableAddons: Step<RunbookEnv> = {
  id: 'shutdown.disable-addons',
  title: 'Disable addons that hold PVCs',
  seed: '3.3',
  phase: 'Shutdown workloads',
  destructive: true,
  records: [Facts.addons.key],
  waitsFor: 'each disabled addon to reach AddonDisabled',
  risks: ['an addon stuck in AddonDisabling (timeout names it)', 'an addon reporting OperationFailed stops the run'],
  rbac: [
    { group: 'harvesterhci.io', resource: 'addons', verbs: ['get', 'list', 'watch', 'patch'] },
    { group: 'longhorn.io', resource: 'volumes', verbs: ['list', 'watch'] },
  ],
  record: recordAddons,
  async check(ctx) {
    const want = requireFact(ctx.facts, Facts.addons, 'disabling addons').toDisable;
    const addons = await ctx.env.cluster.list<AddonObject>('Addon');
    const still = addons.filter((a) => want.some((w) => key(w) === key({ namespace: a.metadata.namespace, name: a.metadata.name })) && a.spec?.enabled);
    return still.length === 0 ? { done: true } : { done: false, detail: still.map((a) => a.metadata.name).join(', ') };
  },
  async describe(ctx) {
    return requireFact(ctx.facts, Facts.addons, 'describe').toDisable.map((a) => `disable addon ${key(a)}: ${a.reason}`);
  },
  async act(ctx) {
    for (const a of requireFact(ctx.facts, Facts.addons, 'disabling addons').toDisable) {
      await ctx.env.cluster.mergePatch('Addon', a.namespace, a.name, { spec: { enabled: false } });
    }
  },
  wait(ctx) {
    const want = new Set(requireFact(ctx.facts, Facts.addons, 'disabling addons').toDisable.map(key));
    return cacheWait<AddonObject>({
      name: 'addons disabled',
      kind: 'Addon',
      timeoutMs: minutes(15),
      describe: (n) => `waiting for ${count(n, 'addon')} to be Disabled`,
      pending: (items) => {
        const mine = items.filter((a) => want.has(key({ namespace: a.metadata.namespace, name: a.metadata.name })));
        const failed = mine.find((a) => a.status?.conditions?.some((c) => c.type === 'OperationFailed' && c.status === 'True'));
        if (failed) {
          const msg = failed.status?.conditions?.find((c) => c.type === 'OperationFailed')?.message ?? '';
          return { failed: `addon ${key({ namespace: failed.metadata.namespace, name: failed.metadata.name })} failed to disable (OperationFailed${msg ? `: ${msg}` : ''})`, hint: 'Check the addon in the Harvester UI or its helm job, then `fallow resume`' };
        }
        return mine.filter((a) => a.status?.status !== 'AddonDisabled').map((a) => `${a.metadata.name} (${a.status?.status || 'no status'})`);
      },
    });
  },
};
