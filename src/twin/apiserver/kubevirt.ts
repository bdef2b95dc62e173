// KubeVirt's VM lifecycle subresources, PUT /apis/subresources.kubevirt.io/v1/namespaces/
// {ns}/virtualmachines/{name}/{start|stop|restart}, answering as virt-api does (202 with
// no body, 404, or 409 naming the reason), from KubeVirt's documented behaviour:
// - start: Halted → runStrategy Always (spec.running=true for VMs using spec.running);
//   Manual/RerunOnFailure → a Start state-change request in status; Always/Once → 409.
// - stop: a body {"gracePeriod": N} first sets the running VMI's
//   spec.terminationGracePeriodSeconds; Always/Once → runStrategy Halted (running=false);
//   Manual/RerunOnFailure → a Stop state-change request; no VMI (or Halted) → 409.
// - restart: Halted/Once → 409; no VMI → 409; otherwise the VMI is deleted and the VM
//   controller (twin/controllers) starts a new one.
import { StatusError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { KObject, ResourceType } from '../store/types.js';
import type { SubresourceHandler, SubresourceRequest, SubresourceResponse } from './types.js';

type RunStrategy = 'Always' | 'Halted' | 'Manual' | 'RerunOnFailure' | 'Once';

interface VmSpec {
  runStrategy?: RunStrategy;
  running?: boolean;
}

interface StateChangeRequest {
  action: 'Start' | 'Stop';
  uid?: string;
}

const accepted: SubresourceResponse = { status: 202 };

function vmConflict(name: string, message: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on virtualmachine.kubevirt.io "${name}": ${message}`, {
    name,
    group: 'kubevirt.io',
    kind: 'virtualmachine',
  });
}

function types(store: Store): { vm: ResourceType; vmi: ResourceType } {
  const vm = store.typeFor('kubevirt.io', 'v1', 'virtualmachines');
  const vmi = store.typeFor('kubevirt.io', 'v1', 'virtualmachineinstances');
  if (!vm || !vmi) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource (kubevirt.io/v1 is not served)');
  return { vm, vmi };
}

function runStrategyOf(vm: KObject): RunStrategy {
  const spec = (vm.spec ?? {}) as VmSpec;
  if (spec.running !== undefined && spec.runStrategy !== undefined) {
    throw new StatusError(500, 'InternalError', 'Internal error occurred: running and runstrategy are mutually exclusive');
  }
  if (spec.runStrategy) return spec.runStrategy;
  return spec.running ? 'Always' : 'Halted';
}

function isFinal(vmi: KObject): boolean {
  const phase = (vmi.status as { phase?: string } | undefined)?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function phaseOf(vmi: KObject): string {
  return (vmi.status as { phase?: string } | undefined)?.phase ?? '';
}

interface Ctx {
  store: Store;
  vmType: ResourceType;
  vmiType: ResourceType;
  vm: KObject;
  vmi: KObject | undefined;
  name: string;
  dryRun: boolean;
}

function load(req: SubresourceRequest): Ctx {
  const { vm: vmType, vmi: vmiType } = types(req.store);
  const vm = req.store.tryGet(vmType, req.namespace, req.name);
  if (!vm) throw new StatusError(404, 'NotFound', `virtualmachine.kubevirt.io "${req.name}" not found`, { name: req.name, group: 'kubevirt.io', kind: 'virtualmachine' });
  const body = (req.body ?? {}) as { dryRun?: string[] };
  return { store: req.store, vmType, vmiType, vm, vmi: req.store.tryGet(vmiType, req.namespace, req.name), name: req.name, dryRun: body.dryRun?.includes('All') ?? false };
}

function setRunning(c: Ctx, running: boolean): void {
  if (c.dryRun) return;
  const next = structuredClone(c.vm);
  const spec = { ...((next.spec ?? {}) as VmSpec) };
  if (spec.runStrategy !== undefined) spec.runStrategy = running ? 'Always' : 'Halted';
  else spec.running = running;
  next.spec = spec;
  c.store.update(c.vmType, next);
}

function requestStateChange(c: Ctx, changes: StateChangeRequest[]): void {
  const status = (c.vm.status ?? {}) as { stateChangeRequests?: StateChangeRequest[] };
  const pending = status.stateChangeRequests ?? [];
  const replaceable = pending.length === 0 || (changes.length === 1 && changes[0]!.action === 'Stop');
  if (!replaceable) throw new StatusError(500, 'InternalError', 'Internal error occurred: unable to complete request: stop/start already underway');
  if (c.dryRun) return;
  const next = structuredClone(c.vm);
  next.status = { ...status, stateChangeRequests: changes };
  c.store.update(c.vmType, next, { subresource: 'status' });
}

export const startVm: SubresourceHandler = (req) => {
  const c = load(req);
  const vmi = c.vmi;
  if (vmi && !isFinal(vmi) && phaseOf(vmi) !== 'Unknown' && phaseOf(vmi) !== '') throw vmConflict(c.name, 'VM is already running');
  const rs = runStrategyOf(c.vm);
  switch (rs) {
    case 'Halted':
      setRunning(c, true);
      break;
    case 'RerunOnFailure':
    case 'Manual': {
      if (rs === 'RerunOnFailure' && vmi && phaseOf(vmi) === 'Failed') throw vmConflict(c.name, 'RerunOnFailure does not support starting VM from failed state');
      const restart = vmi && (rs === 'Manual' ? isFinal(vmi) : phaseOf(vmi) === 'Succeeded');
      requestStateChange(c, restart ? [{ action: 'Stop', uid: vmi.metadata.uid }, { action: 'Start' }] : [{ action: 'Start' }]);
      break;
    }
    case 'Always':
    case 'Once':
      throw vmConflict(c.name, `${rs} does not support manual start requests`);
  }
  return accepted;
};

export const stopVm: SubresourceHandler = (req) => {
  const c = load(req);
  const grace = (req.body as { gracePeriod?: number } | undefined)?.gracePeriod;
  const vmi = c.vmi;
  const running = vmi !== undefined && !isFinal(vmi);
  const oldGrace = (vmi?.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds;
  if (running && typeof grace === 'number' && !c.dryRun) {
    const next = structuredClone(vmi);
    next.spec = { ...(next.spec as object), terminationGracePeriodSeconds: grace };
    c.store.update(c.vmiType, next);
  }
  const rs = runStrategyOf(c.vm);
  switch (rs) {
    case 'Halted':
      if (!running) throw vmConflict(c.name, 'VM is not running');
      if (typeof grace !== 'number' || (oldGrace !== undefined && grace >= oldGrace)) {
        throw vmConflict(c.name, 'Halted only supports manual stop requests with a shorter graceperiod');
      }
      requestStateChange(c, [{ action: 'Stop', uid: vmi.metadata.uid }]);
      break;
    case 'RerunOnFailure':
    case 'Manual':
      if (!running) throw vmConflict(c.name, 'VM is not running');
      requestStateChange(c, [{ action: 'Stop', uid: vmi.metadata.uid }]);
      break;
    case 'Always':
    case 'Once':
      setRunning(c, false);
      break;
  }
  return accepted;
};

export const restartVm: SubresourceHandler = (req) => {
  const grace = (req.body as { gracePeriodSeconds?: number } | undefined)?.gracePeriodSeconds;
  if (typeof grace === 'number' && grace > 0) throw new StatusError(400, 'BadRequest', 'For force restart, only gracePeriod=0 is supported for now');
  if (typeof grace === 'number' && grace < 0) throw new StatusError(400, 'BadRequest', 'gracePeriod has to be greater or equal to 0');
  const c = load(req);
  const rs = runStrategyOf(c.vm);
  if (rs === 'Halted' || rs === 'Once') throw vmConflict(c.name, `RunStategy ${rs} does not support manual restart requests`);
  if (!c.vmi) throw vmConflict(c.name, 'VM is not running: Halted');
  if (!c.dryRun) {
    try {
      c.store.delete(c.vmiType, req.namespace, c.name, typeof grace === 'number' ? { gracePeriodSeconds: grace } : {});
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
  return accepted;
};

export const kubevirtSubresources = { start: startVm, stop: stopVm, restart: restartVm } as const;
