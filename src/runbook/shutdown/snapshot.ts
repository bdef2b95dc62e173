// Seed 1.2 / 5.6 — write down the cluster as it is (nodes, IPs, VIP, settings, addons,
// Rancher scale, every VM's run strategy and state, volumes, system pods, etcd) so the
// restart can prove it came back the same.
import type { Step } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { SnapshotFacts, toJson } from '../facts.js';
import { recordingRedaction, snapshotNow } from '../lib/snapshot.js';

export const snapshotBefore: Step<RunbookEnv> = {
  id: 'shutdown.snapshot',
  title: 'Record the cluster state for the before/after comparison',
  seed: '1.2',
  phase: 'Precondition',
  destructive: false,
  records: [SnapshotFacts.before],
  rbac: [
    { group: '', resource: 'pods', verbs: ['list'] },
    { group: 'apps', resource: 'deployments', verbs: ['get'] },
    { group: 'kubevirt.io', resource: 'virtualmachines', verbs: ['list'] },
    { group: 'kubevirt.io', resource: 'virtualmachineinstances', verbs: ['list'] },
    { group: 'harvesterhci.io', resource: 'addons', verbs: ['list'] },
  ],
  async check(ctx) {
    return ctx.facts.has(SnapshotFacts.before) ? { done: true } : { done: false };
  },
  async act(ctx) {
    await ctx.record(SnapshotFacts.before, toJson(await snapshotNow(ctx, recordingRedaction(ctx.env))));
  },
};
