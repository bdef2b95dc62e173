// How long the shutdown runbook will take for a cluster, with given budget options: the
// guard's ShutdownEstimator (src/guard/budget.ts) and `fallow plan --budget`. Pure and fast:
// the inventory and the history of earlier runs are read once by the caller, then every
// estimate is arithmetic over the runbook's own step table (so a step added to the table
// is counted, at UNKNOWN_STEP_MS until it is modelled or learned).
//
// Defaults per step are what the twin's models take (measured on the default scenario at
// scales 20 and 100, rounded up); a cluster's own completed shutdowns replace them
// (ShutdownHistory: the slowest of the recent runs, per step). VM stops are simulated:
// the runbook's tiered pool keeps `vmStopParallelism` guests shutting down, each taking its
// observed shutdown time (learned per VM-stop step, else the grace: the worst case) capped
// by the guest grace, a priority tier starting when the previous one is done.
// The journal format is not known here: the caller turns journals into a ShutdownHistory.
import type { BudgetOptions, ShutdownEstimate, ShutdownEstimator, StepEstimate } from '../guard/budget.js';
import { PvcAddons } from '../common/harvester.js';
import type { AddonObject, LonghornVolumeObject, NodeObject, SettingObject, VirtualMachineInstanceObject, VirtualMachineObject } from '../common/harvester-types.js';
import type { Json } from '../engine/types.js';
import { Facts, readFact } from './facts.js';
import { nodeFact } from './lib/nodes.js';
import { isDownstream, priorityOf, tiers, vmKey, vmiActive } from './lib/vms.js';
import { namespacesWithAttachedVolumes } from './lib/volumes.js';
import type { ClusterPort } from './ports.js';
import { shutdownRunbook } from './shutdown/index.js';

export interface EstimateVm {
  key: string;
  downstream: boolean;
  priority: number;
  /** Seconds this guest takes to shut down on ACPI, when known (else learned, else the grace). */
  shutdownSeconds?: number;
}

export interface ShutdownInventory {
  nodes: { name: string; etcd: boolean; controlPlane: boolean; witness: boolean }[];
  /** VMs running now: only these are stopped. */
  vms: EstimateVm[];
  /** Enabled addons the shutdown disables (seed 3.3). */
  addonsToDisable: number;
  rancherImported: boolean;
  /** VMs the optional backup step backs up (0: the step does not run). */
  backupVms: number;
  /** The first support bundle runs (not --skip-bundles). */
  supportBundle: boolean;
  rancherManager?: boolean;
  snapshotDownstream?: boolean;
}

/** One earlier completed shutdown of this cluster, as the journal side read it (modelled ms). */
export interface PastShutdown {
  runId: string;
  /** step id → step-start to step-done, for steps that acted in one session. */
  stepMs: Record<string, number>;
  /** VM stop options and running VMs of that run, to turn its VM-stop times into per-guest times. */
  stopConcurrency: number;
  guestGraceSeconds?: number;
  runningVms: { traditional: number; downstream: number };
  /** etcd members then (the followers step is learned per node). */
  etcdNodes?: number;
}

export interface ShutdownHistory {
  runs: PastShutdown[];
}

export const OptionalShutdownSteps = { supportBundle: 'shutdown.support-bundle', backupVms: 'shutdown.backup-vms' } as const;
const VmStopSteps = { 'shutdown.stop-traditional-vms': false, 'shutdown.stop-downstream-vms': true } as const;

const s = (sec: number) => sec * 1000;
const DEFAULT_GRACE_S = 180;
/** A step the model does not know yet. */
export const UNKNOWN_STEP_MS = s(30);
/** Per node: shutdown command to power confirmed off (twin: 20–40 s plus the probe). */
const NODE_OFF_MS = s(60);
/** With forceOff the node wait cuts the power after 5 minutes (lib/power.ts): a cap per node. */
const FORCED_NODE_MS = s(330);
const nodeSteps = new Set(['shutdown.workers', 'shutdown.etcd-followers', 'shutdown.etcd-leader-last']);
/** Per VM-stop step: recording, the pool's first look, the last VMI's teardown. */
const VM_STEP_OVERHEAD_MS = s(10);

type Model = (inv: ShutdownInventory, o: BudgetOptions) => number;

const etcdCount = (inv: ShutdownInventory) => inv.nodes.filter((n) => n.etcd).length;
const followers = (inv: ShutdownInventory) => Math.max(0, etcdCount(inv) - 1);
const ifImported = (ms: number): Model => (inv) => (inv.rancherImported ? ms : 0);

/** Default per-step models; VM stops are simulated separately. */
const models: Record<string, Model> = {
  'shutdown.support-bundle': (inv) => (inv.supportBundle ? s(150) : 0),
  'shutdown.record-network': () => s(10),
  // Read-only SSH look at each node's network (when SSH access is configured).
  'shutdown.node-networks': () => s(15),
  'shutdown.snapshot': () => s(20),
  'shutdown.rancher-manager': (inv) => (inv.rancherManager ? s(15) : 0),
  'shutdown.downstream-snapshots': (inv) => (inv.snapshotDownstream ? s(180) : 0),
  'shutdown.backup-vms': (inv) => (inv.backupVms > 0 ? s(120 + 5 * inv.backupVms) : 0),
  'shutdown.rancher-scale-available': ifImported(s(5)),
  'shutdown.rancher-scale-down': ifImported(s(20)),
  'shutdown.agent-scale-down': ifImported(s(20)),
  'shutdown.disable-addons': (inv) => (inv.addonsToDisable > 0 ? s(100) : s(2)),
  'shutdown.other-workloads': () => s(5),
  'shutdown.longhorn-detached': () => s(10),
  'shutdown.workers': (inv) => (inv.nodes.some((n) => !n.etcd && !n.controlPlane) ? NODE_OFF_MS : s(1)),
  'shutdown.etcd-leader': () => s(5),
  'shutdown.etcd-followers': (inv) => followers(inv) * NODE_OFF_MS,
  'shutdown.etcd-leader-last': () => NODE_OFF_MS,
};

/** Step ids with a model of their own (VM stops included); any other step counts UNKNOWN_STEP_MS. */
export const modelledSteps: ReadonlySet<string> = new Set([...Object.keys(models), ...Object.keys(VmStopSteps)]);

/** The estimator for this inventory; `history` (this cluster's earlier shutdowns) overrides defaults. */
export function estimateShutdown(inv: ShutdownInventory, history: ShutdownHistory = { runs: [] }): ShutdownEstimator {
  const learned = learnedStepMs(history);
  const guestMs = learnedGuestMs(history);
  return (o: BudgetOptions): ShutdownEstimate => {
    const steps: StepEstimate[] = [];
    for (const step of shutdownRunbook.steps) {
      if (o.skipSteps.includes(step.id)) continue;
      const optional = step.id === OptionalShutdownSteps.supportBundle ? inv.supportBundle : step.id === OptionalShutdownSteps.backupVms ? inv.backupVms > 0 : false;
      const ms = stepMs(step.id, inv, o, learned, guestMs);
      if (ms > 0) steps.push({ id: step.id, ms: Math.round(ms), optional });
    }
    return { totalMs: steps.reduce((a, x) => a + x.ms, 0), steps };
  };
}

function stepMs(id: string, inv: ShutdownInventory, o: BudgetOptions, learned: Map<string, number>, guestMs: Map<string, number>): number {
  if (id in VmStopSteps) {
    const downstream = VmStopSteps[id as keyof typeof VmStopSteps];
    const vms = inv.vms.filter((v) => v.downstream === downstream);
    return vms.length ? VM_STEP_OVERHEAD_MS + poolMs(vms, o, guestMs.get(id)) : s(1);
  }
  const model = models[id];
  const base = model ? model(inv, o) : UNKNOWN_STEP_MS;
  // A step that does not run here (not imported, no backups) stays 0 whatever was learned.
  if (base === 0) return 0;
  const past = learned.get(id);
  if (past === undefined) return base;
  // Followers go down one by one: learned per node, times today's count.
  const units = id === 'shutdown.etcd-followers' ? followers(inv) : 1;
  const ms = past * units;
  return o.forceOff && nodeSteps.has(id) ? Math.min(ms, FORCED_NODE_MS * units) : ms;
}

/**
 * The tiered pool of lib/stop-vms.ts: least important tier first, `vmStopParallelism`
 * guests at once, the next guest starting when one finishes.
 */
function poolMs(vms: EstimateVm[], o: BudgetOptions, learnedGuestMs: number | undefined): number {
  const graceMs = s(o.guestGraceSeconds);
  const limit = Math.max(1, o.vmStopParallelism);
  let total = 0;
  for (const tier of tiers(vms, 'stop')) {
    const slots = new Array<number>(Math.min(limit, tier.length)).fill(0);
    for (const vm of tier) {
      const own = vm.shutdownSeconds !== undefined ? s(vm.shutdownSeconds) : (learnedGuestMs ?? graceMs);
      const i = slots.indexOf(Math.min(...slots));
      slots[i] = (slots[i] ?? 0) + Math.min(own, graceMs);
    }
    total += Math.max(...slots);
  }
  return total;
}

/** The slowest recent time per step (per node for the followers): conservative for a battery. */
function learnedStepMs(h: ShutdownHistory): Map<string, number> {
  const out = new Map<string, number>();
  for (const run of h.runs) {
    for (const [id, ms] of Object.entries(run.stepMs)) {
      if (id in VmStopSteps) continue;
      let value: number | undefined = ms;
      if (id === 'shutdown.etcd-followers') value = run.etcdNodes && run.etcdNodes > 1 ? ms / (run.etcdNodes - 1) : undefined;
      if (value !== undefined) out.set(id, Math.max(out.get(id) ?? 0, value));
    }
  }
  return out;
}

/**
 * Per VM-stop step, the time one guest took in earlier runs: the step's time over the
 * number of pool rounds it needed. A run whose guests used their whole grace says only
 * "at least the grace", so it teaches nothing (the grace stays the estimate).
 */
function learnedGuestMs(h: ShutdownHistory): Map<string, number> {
  const out = new Map<string, number>();
  for (const run of h.runs) {
    for (const [id, downstream] of Object.entries(VmStopSteps)) {
      const ms = run.stepMs[id];
      const n = downstream ? run.runningVms.downstream : run.runningVms.traditional;
      if (ms === undefined || n === 0) continue;
      const rounds = Math.ceil(n / Math.max(1, run.stopConcurrency));
      const perGuest = Math.max(0, ms - VM_STEP_OVERHEAD_MS) / rounds;
      const grace = s(run.guestGraceSeconds ?? DEFAULT_GRACE_S);
      if (perGuest >= grace * 0.95) continue;
      out.set(id, Math.max(out.get(id) ?? 0, perGuest));
    }
  }
  return out;
}

export interface InventoryOptions {
  /** What --backup-vms would back up ("ns/name", or "*" for every running VM). */
  backupVms: string[];
  skipBundles: boolean;
  rancherManager?: boolean;
  snapshotDownstream?: boolean;
}

/** Reads the inventory from the live cluster (read-only, a handful of lists). */
export async function readShutdownInventory(cluster: ClusterPort, o: InventoryOptions): Promise<ShutdownInventory> {
  const [nodes, vms, vmis, addons, vols, reg, agent] = await Promise.all([
    cluster.list<NodeObject>('Node'),
    cluster.list<VirtualMachineObject>('VirtualMachine'),
    cluster.list<VirtualMachineInstanceObject>('VirtualMachineInstance'),
    cluster.list<AddonObject>('Addon'),
    cluster.list<LonghornVolumeObject>('LonghornVolume'),
    cluster.get<SettingObject>('Setting', undefined, 'cluster-registration-url'),
    cluster.get('Deployment', 'cattle-system', 'cattle-cluster-agent'),
  ]);
  const running = new Set(vmis.filter(vmiActive).map((v) => vmKey(v)));
  const busy = namespacesWithAttachedVolumes(vols);
  const toDisable = addons.filter((a) => a.spec?.enabled && ((PvcAddons as readonly string[]).includes(a.metadata.name) || busy.has(a.metadata.namespace ?? 'default')));
  const runningVms = vms.filter((vm) => running.has(vmKey(vm))).map((vm) => ({ key: vmKey(vm), downstream: isDownstream(vm), priority: priorityOf(vm) }));
  return {
    nodes: nodes.map(nodeFact).map(({ name, etcd, controlPlane, witness }) => ({ name, etcd, controlPlane, witness })),
    vms: runningVms,
    addonsToDisable: toDisable.length,
    rancherImported: Boolean(agent) || Boolean((reg?.value ?? '').trim()),
    backupVms: o.backupVms.includes('*') ? runningVms.length : o.backupVms.length,
    supportBundle: !o.skipBundles,
    ...(o.rancherManager ? { rancherManager: true } : {}),
    ...(o.snapshotDownstream ? { snapshotDownstream: true } : {}),
  };
}

/**
 * The inventory as an earlier shutdown recorded it (when the cluster is down and cannot be
 * asked): its nodes, the VMs that ran, the addons it disabled, Rancher. Undefined without
 * the node record.
 */
export function inventoryFromFacts(facts: ReadonlyMap<string, Json>, o: InventoryOptions): ShutdownInventory | undefined {
  const network = readFact(facts, Facts.network);
  if (!network) return undefined;
  const vms = (readFact(facts, Facts.vms) ?? []).filter((v) => v.vmiRan).map((v) => ({ key: vmKey(v), downstream: v.downstream, priority: v.priority }));
  return {
    nodes: network.nodes.map(({ name, etcd, controlPlane, witness }) => ({ name, etcd, controlPlane, witness })),
    vms,
    addonsToDisable: readFact(facts, Facts.addons)?.toDisable.length ?? 0,
    rancherImported: readFact(facts, Facts.rancher)?.imported ?? true,
    backupVms: o.backupVms.includes('*') ? vms.length : o.backupVms.length,
    supportBundle: !o.skipBundles,
    ...(o.rancherManager ? { rancherManager: true } : {}),
    ...(o.snapshotDownstream ? { snapshotDownstream: true } : {}),
  };
}
