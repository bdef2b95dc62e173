// Support bundles (seed 1.1 and 5.6): create, follow to ready, download into the run
// directory off the cluster. Shared by the shutdown's first step and the restart's last.
import { basename, join } from 'node:path';
import { FatalError } from '../../common/errors.js';
import { Kinds, Namespaces } from '../../common/harvester.js';
import type { SupportBundleObject } from '../../common/harvester-types.js';
import type { StepContext } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { toJson } from '../facts.js';
import { cacheWait, minutes } from './waits.js';

type Ctx = StepContext<RunbookEnv>;

export const bundleRbac = [
  { group: 'harvesterhci.io', resource: 'supportbundles', verbs: ['create', 'get', 'list', 'watch', 'delete'], namespace: Namespaces.harvesterSystem },
];

/** The bundle's name is derived from the run, so a resumed act finds the one it created. */
export function bundleName(ctx: Ctx, which: 'before' | 'after'): string {
  const run = basename(ctx.env.runDir).toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(-40);
  return `fallow-${which}-${run}`.replace(/-+$/, '');
}

export async function takeSupportBundle(ctx: Ctx, which: 'before' | 'after', factKey: string): Promise<void> {
  const { cluster } = ctx.env;
  const name = bundleName(ctx, which);
  const ns = Namespaces.harvesterSystem;
  const existing = await cluster.get<SupportBundleObject>('SupportBundle', ns, name);
  if (!existing) {
    await cluster.create<SupportBundleObject>({
      apiVersion: Kinds.SupportBundle.apiVersion,
      kind: Kinds.SupportBundle.kind,
      metadata: { name, namespace: ns },
      spec: { description: which === 'before' ? 'fallow: before cluster shutdown (seed 1.1)' : 'fallow: after cluster restart (seed 5.6)' },
    });
  }
  await ctx.waitFor(
    cacheWait<SupportBundleObject>({
      name: `support bundle ${name} ready`,
      kind: 'SupportBundle',
      opts: { namespace: ns },
      timeoutMs: minutes(30),
      describe: () => 'waiting for the support bundle',
      pending: (items) => {
        const b = items.find((i) => i.metadata.name === name);
        if (!b) return [`${name} (not created yet)`];
        if (b.status?.state === 'error') return { failed: `support bundle ${name} failed to generate`, hint: 'Check the harvester-system/supportbundle-manager pods, then `fallow resume` (or --skip-bundles)' };
        return b.status?.state === 'ready' ? [] : [`${name} ${b.status?.progress ?? 0}%`];
      },
    }),
  );
  const file = join(ctx.env.runDir, `supportbundle-${which}.zip`);
  const { bytes } = await cluster.download(`/v1/harvester/supportbundles/${name}/download?retain=true`, file);
  if (bytes === 0) throw new FatalError(`support bundle ${name} downloaded empty`, 'Check the Harvester API, then `fallow resume`');
  await ctx.record(factKey, toJson({ name, file, bytes }));
  await cluster.delete('SupportBundle', ns, name).catch(() => undefined); // clean up; the file is ours now
}
