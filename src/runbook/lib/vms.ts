// VM classification and ordering (seed 3.1, 3.2, 5.5): traditional vs downstream-cluster
// VMs by the node-driver labels, priority tiers from fallow's priority label, and batches.
import { Labels, NodeDriverCreator } from '../../common/harvester.js';
import type { KObject, VirtualMachineInstanceObject, VirtualMachineObject } from '../../common/harvester-types.js';
import type { VmFact } from '../facts.js';

export const DEFAULT_PRIORITY = 100;

export function isDownstream(vm: VirtualMachineObject): boolean {
  const l = vm.metadata.labels ?? {};
  return l[Labels.vmCreator] === NodeDriverCreator || Boolean(l[Labels.guestClusterName]);
}

/** Lower number = more important: stops last, starts first. Bad values count as default. */
export function priorityOf(vm: VirtualMachineObject): number {
  const raw = vm.metadata.labels?.[Labels.priority];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) ? n : DEFAULT_PRIORITY;
}

/** "namespace/name" of an object or of a recorded fact. */
export function vmKey(v: { namespace?: string; name: string } | KObject): string {
  if ('metadata' in v) return `${v.metadata.namespace ?? 'default'}/${v.metadata.name}`;
  return `${v.namespace ?? 'default'}/${v.name}`;
}

export function vmFact(vm: VirtualMachineObject, vmi: VirtualMachineInstanceObject | undefined): VmFact {
  const spec = vm.spec ?? {};
  const guestCluster = vm.metadata.labels?.[Labels.guestClusterName];
  return {
    namespace: vm.metadata.namespace ?? 'default',
    name: vm.metadata.name,
    ...(spec.runStrategy ? { runStrategy: spec.runStrategy } : {}),
    ...(spec.running !== undefined ? { running: spec.running } : {}),
    vmiRan: vmi !== undefined && vmiActive(vmi),
    ...(vmi?.status?.nodeName ? { node: vmi.status.nodeName } : {}),
    downstream: isDownstream(vm),
    ...(guestCluster ? { guestCluster } : {}),
    priority: priorityOf(vm),
  };
}

/** A VMI that holds its node and volumes: anything not yet Succeeded/Failed. */
export function vmiActive(vmi: VirtualMachineInstanceObject): boolean {
  const p = vmi.status?.phase;
  return p !== 'Succeeded' && p !== 'Failed';
}

/** Groups into tiers by priority: ascending for start order, descending for stop order. */
export function tiers<T extends { priority: number }>(items: T[], order: 'start' | 'stop'): T[][] {
  const by = new Map<number, T[]>();
  for (const it of items) by.set(it.priority, [...(by.get(it.priority) ?? []), it]);
  const keys = [...by.keys()].sort((a, b) => (order === 'start' ? a - b : b - a));
  return keys.map((k) => by.get(k)!);
}

/** Default start wave: sized to the cluster so boots do not storm (2 per VM-hosting node, 4..20). */
export function defaultWaveSize(vmHostingNodes: number): number {
  return Math.min(20, Math.max(4, vmHostingNodes * 2));
}
