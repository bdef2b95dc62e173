// Seed 3.1 (traditional VMs) and 3.2 (downstream-cluster VMs): record every VM's run
// strategy and whether it ran, then stop guest-first and wait until each VMI is gone.
import type { VirtualMachineInstanceObject, VirtualMachineObject } from '../../common/harvester-types.js';
import type { Step, StepContext } from '../../engine/types.js';
import type { RunbookEnv } from '../env.js';
import { Facts, readFact, requireFact, toJson, type VmFact } from '../facts.js';
import { stopVmsWait } from '../lib/stop-vms.js';
import { vmFact, vmKey, vmiActive } from '../lib/vms.js';

type Ctx = StepContext<RunbookEnv>;

const vmRbac = [
  { group: 'kubevirt.io', resource: 'virtualmachines', verbs: ['get', 'list', 'watch'] },
  { group: 'kubevirt.io', resource: 'virtualmachineinstances', verbs: ['get', 'list', 'watch'] },
  { group: 'subresources.kubevirt.io', resource: 'virtualmachines/stop', verbs: ['update'] },
];

/** Records all VMs once (before the first stop); a resumed run keeps the first record. */
async function recordVms(ctx: Ctx): Promise<void> {
  if (readFact(ctx.facts, Facts.vms)) return;
  const [vms, vmis] = await Promise.all([
    ctx.env.cluster.list<VirtualMachineObject>('VirtualMachine'),
    ctx.env.cluster.list<VirtualMachineInstanceObject>('VirtualMachineInstance'),
  ]);
  const byKey = new Map(vmis.map((v) => [vmKey(v), v]));
  const facts = vms.map((vm) => vmFact(vm, byKey.get(vmKey(vm)))).sort((a, b) => vmKey(a).localeCompare(vmKey(b)));
  await ctx.record(Facts.vms.key, toJson(facts));
}

async function runningNow(ctx: Ctx, chosen: (v: VmFact) => boolean): Promise<VmFact[]> {
  const vms = requireFact(ctx.facts, Facts.vms, 'stopping VMs').filter(chosen);
  const cache = ctx.env.cluster.cache<VirtualMachineInstanceObject>('VirtualMachineInstance');
  await cache.synced();
  const live = new Set(cache.list().filter(vmiActive).map(vmKey));
  return vms.filter((v) => live.has(vmKey(v)));
}

function stopStep(o: { id: string; title: string; seed: string; phase: string; downstream: boolean; label: string }): Step<RunbookEnv> {
  const chosen = (v: VmFact) => v.downstream === o.downstream;
  return {
    id: o.id,
    title: o.title,
    seed: o.seed,
    phase: o.phase,
    destructive: true,
    records: [Facts.vms.key],
    waitsFor: `every ${o.label} VMI gone (guest shutdown within its grace period)`,
    risks: [
      'a guest that ignores ACPI is powered off by KubeVirt at the end of its grace period (warned)',
      'a VMI still there after grace + 60 s stops the run; --force-off hard-stops it',
    ],
    rbac: vmRbac,
    record: recordVms,
    async check(ctx) {
      const left = await runningNow(ctx, chosen);
      return left.length === 0 ? { done: true, detail: `no ${o.label} VM running` } : { done: false, detail: `${left.length} running` };
    },
    async describe(ctx) {
      const left = await runningNow(ctx, chosen);
      return left.map((v) => `stop VM ${vmKey(v)}${v.node ? ` on ${v.node}` : ''} (priority ${v.priority})`);
    },
    async act(ctx) {
      const targets = await runningNow(ctx, chosen);
      await ctx.waitFor(stopVmsWait(ctx, targets, `${targets.length} ${o.label} VMs`));
    },
  };
}

export const stopTraditionalVms = stopStep({
  id: 'shutdown.stop-traditional-vms',
  title: 'Shut down traditional VMs',
  seed: '3.1',
  phase: 'Shutdown workloads',
  downstream: false,
  label: 'traditional',
});

export const stopDownstreamVms = stopStep({
  id: 'shutdown.stop-downstream-vms',
  title: 'Shut down Rancher downstream cluster machines (VMs)',
  seed: '3.2',
  phase: 'Shutdown workloads',
  downstream: true,
  label: 'downstream-cluster',
});
