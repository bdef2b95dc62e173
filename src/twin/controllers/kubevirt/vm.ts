// KubeVirt's VirtualMachine controller: turns a VM's runStrategy (or legacy spec.running)
// and its pending state-change requests (from the start/stop/restart subresources) into a
// VMI, following virt-controller's rules: Always keeps one running (replacing a finished
// one); RerunOnFailure replaces a Failed one, starts only on a start request or when the
// strategy just changed to it; Manual acts on requests only; Halted stops any VMI; Once runs
// one. Stopping deletes the VMI (its finalizers keep it while the guest shuts down). VM
// status: printableStatus (Stopped, Starting, Running, Stopping, ErrorUnschedulable…),
// ready, created, the Ready condition and the observed runStrategy.
import { Annotations, Kinds } from '../../../common/harvester.js';
import type { RunStrategy, VirtualMachineInstanceObject, VirtualMachineObject } from '../../../common/harvester-types.js';
import { QueueController } from '../base.js';
import type { TwinContext } from '../context.js';
import type { Informer } from '../informer.js';
import { findCondition, isoTime, ownerRef, sameJson, withCondition } from '../util.js';

interface StateChangeRequest {
  action: 'Start' | 'Stop';
  uid?: string;
}

interface VmStatus {
  printableStatus?: string;
  ready?: boolean;
  created?: boolean;
  runStrategy?: RunStrategy;
  stateChangeRequests?: StateChangeRequest[];
  conditions?: { type: string; status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string; lastTransitionTime?: string }[];
}

export const VmiFinalizers = ['kubevirt.io/virtualMachineControllerFinalize', 'foregroundDeleteVirtualMachine'];

export function runStrategyOf(vm: VirtualMachineObject): RunStrategy {
  if (vm.spec?.runStrategy) return vm.spec.runStrategy;
  return vm.spec?.running ? 'Always' : 'Halted';
}

function isFinal(vmi: VirtualMachineInstanceObject | undefined): boolean {
  const p = vmi?.status?.phase;
  return p === 'Succeeded' || p === 'Failed';
}

export class VmController extends QueueController {
  private readonly vms: Informer<VirtualMachineObject>;
  private readonly vmis: Informer<VirtualMachineInstanceObject>;

  constructor(ctx: TwinContext) {
    super('virtualmachines', ctx);
    this.vms = ctx.informers.for<VirtualMachineObject>(Kinds.VirtualMachine);
    this.vmis = ctx.informers.for<VirtualMachineInstanceObject>(Kinds.VirtualMachineInstance);
  }

  setup(): void {
    this.vms.onChange((type, vm, old) => {
      const key = `${vm.metadata.namespace}/${vm.metadata.name}`;
      if (type === 'MODIFIED' && old) {
        const from = runStrategyOf(old);
        const to = runStrategyOf(vm);
        if (from !== to) this.ctx.events.record({ type: 'vm.runstrategy', object: key, by: this.ctx.attribution.take(`vm:${key}`), detail: `${from} → ${to}`, data: { from, to } });
      }
      if (type !== 'DELETED') this.queue.add(key);
    });
    this.vmis.onChange((_t, vmi) => this.queue.add(`${vmi.metadata.namespace}/${vmi.metadata.name}`));
  }

  resync(): void {
    this.queue.addAll(this.vms.keys());
  }

  protected async reconcile(key: string): Promise<void> {
    const vm = this.vms.get(key);
    if (!vm) return;
    let vmi = this.vmis.get(key);
    if (vmi && !vmi.metadata.ownerReferences?.some((r) => r.uid === vm.metadata.uid)) vmi = undefined; // not ours
    const status = (vm.status ?? {}) as VmStatus;
    const requests = status.stateChangeRequests ?? [];
    const first = requests[0];
    const stopRequested = Boolean(vmi && first?.action === 'Stop' && first.uid === vmi.metadata.uid);
    const startRequested = first?.action === 'Start';
    const strategy = runStrategyOf(vm);
    const deleting = Boolean(vmi?.metadata.deletionTimestamp);

    let stop = false;
    let start = false;
    switch (strategy) {
      case 'Always':
        if (vmi) stop = !deleting && (stopRequested || isFinal(vmi));
        else start = true;
        break;
      case 'RerunOnFailure':
        if (vmi) stop = !deleting && (stopRequested || isFinal(vmi));
        else start = startRequested || status.runStrategy !== strategy;
        break;
      case 'Manual':
        if (vmi) stop = !deleting && stopRequested;
        else start = startRequested;
        break;
      case 'Halted':
        if (vmi) stop = !deleting;
        break;
      case 'Once':
        if (!vmi) start = status.runStrategy !== strategy || startRequested;
        break;
    }
    // Harvester remembers the last running strategy, so its start action can restore it.
    if (strategy !== 'Halted' && vm.metadata.annotations?.[Annotations.vmRunStrategy] !== strategy) {
      await this.ctx.api.patch(Kinds.VirtualMachine, vm.metadata.namespace, vm.metadata.name, { metadata: { annotations: { [Annotations.vmRunStrategy]: strategy } } });
    }
    let pending = requests;
    if (stop && vmi) {
      // RerunOnFailure: a failed VMI is replaced, via a start request as virt-controller does.
      if (strategy === 'RerunOnFailure' && vmi.status?.phase === 'Failed' && !stopRequested) pending = [...requests, { action: 'Start' }];
      await this.ctx.api.delete(Kinds.VirtualMachineInstance, vmi.metadata.namespace, vmi.metadata.name, { preconditions: { uid: vmi.metadata.uid! } });
      vmi = this.vmis.get(key);
    } else if (start && !this.vmis.get(key)) {
      vmi = await this.createVmi(vm);
    }
    await this.writeStatus(vm, vmi, strategy, pending);
  }

  private async createVmi(vm: VirtualMachineObject): Promise<VirtualMachineInstanceObject> {
    const tpl = vm.spec?.template;
    const spec = { ...structuredClone(tpl?.spec ?? {}) } as Record<string, unknown>;
    spec.terminationGracePeriodSeconds ??= 180;
    const vmi = await this.ctx.api.create<VirtualMachineInstanceObject>({
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachineInstance',
      metadata: {
        name: vm.metadata.name,
        namespace: vm.metadata.namespace!,
        labels: { ...(tpl?.metadata?.labels ?? {}), 'kubevirt.io/vm': vm.metadata.name },
        annotations: { 'kubevirt.io/vm-generation': String(vm.metadata.generation ?? 1) },
        ownerReferences: [ownerRef(vm)],
        finalizers: [...VmiFinalizers],
      },
      spec,
      status: { phase: 'Pending' },
    });
    this.ctx.events.record({ type: 'vmi.created', object: `${vm.metadata.namespace}/${vm.metadata.name}` });
    return vmi;
  }

  private async writeStatus(vm: VirtualMachineObject, vmi: VirtualMachineInstanceObject | undefined, strategy: RunStrategy, requests: StateChangeRequest[]): Promise<void> {
    // Processed requests go: a Stop once its VMI is gone, a Start once a VMI runs.
    const pending = [...requests];
    if (pending[0]?.action === 'Stop' && (!vmi || vmi.metadata.uid !== pending[0].uid)) pending.shift();
    if (pending[0]?.action === 'Start' && vmi && !vmi.metadata.deletionTimestamp) pending.shift();
    const vmiReady = findCondition(vmi?.status?.conditions, 'Ready')?.status === 'True';
    const now = isoTime(this.ctx.clock);
    const ready = vmi && !vmi.metadata.deletionTimestamp && vmiReady;
    const cur = (vm.status ?? {}) as VmStatus;
    const readyCond = ready
      ? { type: 'Ready', status: 'True' as const }
      : { type: 'Ready', status: 'False' as const, reason: vmi ? 'PodNotReady' : 'VMINotExists', message: vmi ? 'Pod is not ready' : 'VMI does not exist' };
    const next: VmStatus = {
      ...cur,
      printableStatus: printableStatus(vmi, strategy),
      ready: Boolean(ready),
      created: Boolean(vmi),
      runStrategy: strategy,
      conditions: withCondition(cur.conditions, readyCond, now),
    };
    if (pending.length) next.stateChangeRequests = pending;
    else delete next.stateChangeRequests;
    if (sameJson(strip(cur), strip(next))) return;
    await this.ctx.api.update({ ...vm, status: next }, { subresource: 'status' });
  }
}

function strip(s: VmStatus): unknown {
  return { ...s, conditions: s.conditions?.map(({ lastTransitionTime: _t, ...c }) => c) };
}

export function printableStatus(vmi: VirtualMachineInstanceObject | undefined, strategy: RunStrategy): string {
  if (!vmi) return 'Stopped';
  if (vmi.metadata.deletionTimestamp) return 'Stopping';
  const phase = vmi.status?.phase ?? 'Pending';
  if (phase === 'Succeeded' || phase === 'Failed') return strategy === 'Always' || (strategy === 'RerunOnFailure' && phase === 'Failed') ? 'Starting' : 'Stopped';
  if (phase === 'Running') return 'Running';
  if (phase === 'Unknown') return 'Unknown';
  if (findCondition(vmi.status?.conditions, 'PodScheduled')?.status === 'False') return 'ErrorUnschedulable';
  return 'Starting';
}
