// Seed 2 — (Optional) back up VMs: a VirtualMachineBackup per chosen VM, waited to
// readyToUse, before any VM is stopped. Refuses without a backup-target.
import { FatalError, UsageError } from '../../common/errors.js';
import { count } from '../../common/list.js';
import { Kinds } from '../../common/harvester.js';
import type { SettingObject, VirtualMachineBackupObject, VirtualMachineObject } from '../../common/harvester-types.js';
import type { Step, StepContext } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, toJson } from '../facts.js';
import { vmKey } from '../lib/vms.js';
import { cacheWait, minutes } from '../lib/waits.js';

type Ctx = StepContext<RunbookEnv>;

async function chosenVms(ctx: Ctx): Promise<VirtualMachineObject[]> {
  const want = ctx.env.options.backupVms;
  const vms = await ctx.env.cluster.list<VirtualMachineObject>('VirtualMachine');
  if (want.includes('*')) {
    const vmis = new Set((await ctx.env.cluster.list('VirtualMachineInstance')).map((v) => vmKey(v)));
    return vms.filter((vm) => vmis.has(vmKey(vm)));
  }
  const byKey = new Map(vms.map((vm) => [vmKey(vm), vm]));
  const missing = want.filter((k) => !byKey.has(k.includes('/') ? k : `default/${k}`));
  if (missing.length) throw new UsageError(`--backup-vms names VMs that do not exist: ${missing.join(', ')}`, 'Use namespace/name as `kubectl get vm -A` shows them');
  return want.map((k) => byKey.get(k.includes('/') ? k : `default/${k}`)!);
}

function backupName(ctx: Ctx, vm: VirtualMachineObject): string {
  const run = ctx.env.runDir.split('/').pop() ?? 'run';
  return `fallow-${vm.metadata.name}-${run}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63).replace(/-+$/, '');
}

export const backupVms: Step<RunbookEnv> = {
  id: 'shutdown.backup-vms',
  title: 'Back up VMs',
  seed: '2',
  phase: 'Backup',
  destructive: false,
  records: [Facts.backups.key],
  waitsFor: 'every VirtualMachineBackup readyToUse',
  risks: ['no backup-target setting: refused before anything changes', 'a backup that errors stops the run before any VM is stopped'],
  rbac: [
    { group: 'harvesterhci.io', resource: 'virtualmachinebackups', verbs: ['create', 'get', 'list', 'watch'] },
    { group: 'harvesterhci.io', resource: 'settings', verbs: ['get'] },
  ],
  enabled: (ctx) => ctx.env.options.backupVms.length > 0,
  async check(ctx) {
    return readFact(ctx.facts, Facts.backups) ? { done: true } : { done: false };
  },
  async describe(ctx) {
    return (await chosenVms(ctx)).map((vm) => `back up VM ${vmKey(vm)}`);
  },
  async act(ctx) {
    const target = await ctx.env.cluster.get<SettingObject>('Setting', undefined, 'backup-target');
    if (!(target?.value ?? '').trim()) {
      throw new FatalError('VM backups need a backup target, and the backup-target setting is empty', 'Set one in Harvester (Settings → backup-target), or run without --backup-vms');
    }
    const vms = await chosenVms(ctx);
    const made: { vm: string; namespace: string; backup: string }[] = [];
    for (const vm of vms) {
      const name = backupName(ctx, vm);
      const ns = vm.metadata.namespace ?? 'default';
      if (!(await ctx.env.cluster.get('VirtualMachineBackup', ns, name))) {
        await ctx.env.cluster.create<VirtualMachineBackupObject>({
          apiVersion: Kinds.VirtualMachineBackup.apiVersion,
          kind: Kinds.VirtualMachineBackup.kind,
          metadata: { name, namespace: ns },
          spec: { source: { apiGroup: 'kubevirt.io', kind: 'VirtualMachine', name: vm.metadata.name }, type: 'backup' },
        });
      }
      made.push({ vm: vm.metadata.name, namespace: ns, backup: name });
    }
    const names = new Set(made.map((m) => `${m.namespace}/${m.backup}`));
    await ctx.waitFor(
      cacheWait<VirtualMachineBackupObject>({
        name: 'VM backups ready',
        kind: 'VirtualMachineBackup',
        timeoutMs: minutes(120),
        describe: (n) => `waiting for ${count(n, 'VM backup')}`,
        pending: (items) => {
          const mine = items.filter((b) => names.has(vmKey(b)));
          const failed = mine.find((b) => b.status?.error?.message);
          if (failed) return { failed: `backup ${vmKey(failed)} failed: ${failed.status?.error?.message}`, hint: 'Fix the backup target, then `fallow resume`' };
          const ready = new Set(mine.filter((b) => b.status?.readyToUse).map((b) => vmKey(b)));
          return [...names].filter((n) => !ready.has(n));
        },
      }),
    );
    await ctx.record(Facts.backups.key, toJson({ backups: made }));
  },
};
