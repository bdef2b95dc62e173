// KubeVirt's VM subresources (start, stop, restart) for the fidelity bed, the way
// virt-api decides them: read the VM's runStrategy and its VMI, answer 409 where virt-api
// does, else JSON-patch the VM (spec.runStrategy, or status.stateChangeRequests) with a
// `test` op so a concurrent change answers 409 too. The twin's KubeVirt controller then
// acts on the patched VM exactly as virt-controller would. Served to kube-apiserver as the
// aggregated API v1.subresources.kubevirt.io (see virt-api-server.ts).
import type { KubeHttpClient } from '../../../src/twin/http-client.js';
import { StatusError } from '../../../src/twin/store/errors.js';

export type VmAction = 'start' | 'stop' | 'restart';

interface Vm {
  metadata: { name: string; namespace: string };
  spec?: { runStrategy?: string; running?: boolean };
  status?: { stateChangeRequests?: unknown[]; startFailure?: unknown; [k: string]: unknown };
}

interface Vmi {
  metadata: { uid: string };
  spec?: { terminationGracePeriodSeconds?: number };
  status?: { phase?: string };
}

type JsonPatchOp = { op: 'test' | 'add' | 'replace' | 'remove'; path: string; value?: unknown };

const vmConflict = (name: string, why: string): StatusError =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on virtualmachine.kubevirt.io "${name}": ${why}`, {
    name,
    group: 'kubevirt.io',
    kind: 'virtualmachine',
  });

function runStrategyOf(vm: Vm): string {
  if (vm.spec?.runStrategy) return vm.spec.runStrategy;
  return vm.spec?.running ? 'Always' : 'Halted';
}

const isFinal = (vmi: Vmi | undefined): boolean => vmi?.status?.phase === 'Succeeded' || vmi?.status?.phase === 'Failed';

function runningPatch(vm: Vm, running: boolean): JsonPatchOp[] {
  if (vm.spec?.runStrategy !== undefined) {
    return [
      { op: 'test', path: '/spec/runStrategy', value: vm.spec.runStrategy },
      { op: 'replace', path: '/spec/runStrategy', value: running ? 'Always' : 'Halted' },
    ];
  }
  return [
    { op: 'test', path: '/spec/running', value: vm.spec?.running ?? null },
    { op: 'replace', path: '/spec/running', value: running },
  ];
}

function changeRequestPatch(vm: Vm, changes: Record<string, unknown>[]): JsonPatchOp[] {
  const status = vm.status ?? {};
  if (Object.keys(status).length === 0) return [{ op: 'add', path: '/status', value: { stateChangeRequests: changes } }];
  const current = status.stateChangeRequests ?? [];
  const ops: JsonPatchOp[] = [{ op: 'test', path: '/status/stateChangeRequests', value: status.stateChangeRequests ?? null }];
  if (current.length === 0) ops.push({ op: 'add', path: '/status/stateChangeRequests', value: changes });
  else if (changes.length === 1 && changes[0]!.action === 'Stop') ops.push({ op: 'replace', path: '/status/stateChangeRequests', value: changes });
  else throw new StatusError(500, 'InternalError', 'Internal error occurred: unable to complete request: stop/start already underway');
  if (status.startFailure !== undefined) ops.push({ op: 'remove', path: '/status/startFailure' });
  return ops;
}

/** Runs one VM action against the API as virt-api would; throws StatusError like virt-api answers. */
export async function vmSubresource(api: KubeHttpClient, action: VmAction, namespace: string, name: string, body: unknown): Promise<void> {
  const base = `/apis/kubevirt.io/v1/namespaces/${encodeURIComponent(namespace)}`;
  const vmRes = await api.request('GET', `${base}/virtualmachines/${encodeURIComponent(name)}`);
  // virt-api answers in its own words (singular resource), not the apiserver's.
  if (vmRes.status === 404) throw new StatusError(404, 'NotFound', `virtualmachine.kubevirt.io "${name}" not found`, { name, group: 'kubevirt.io', kind: 'virtualmachine' });
  if (vmRes.status !== 200) throw new StatusError(500, 'InternalError', `Internal error occurred: ${vmRes.text.slice(0, 300)}`);
  const vm = vmRes.body as Vm;
  const vmiRes = await api.request('GET', `${base}/virtualmachineinstances/${encodeURIComponent(name)}`);
  const vmi = vmiRes.status === 200 ? (vmiRes.body as Vmi) : undefined;
  const strategy = runStrategyOf(vm);
  const opts = (body ?? {}) as { gracePeriod?: number; gracePeriodSeconds?: number };
  let patch: JsonPatchOp[];
  let sub = '';

  if (action === 'start') {
    const phase = vmi?.status?.phase;
    if (vmi && !isFinal(vmi) && phase && phase !== 'Unknown') throw vmConflict(name, 'VM is already running');
    if (strategy === 'Always' || strategy === 'Once') throw vmConflict(name, `${strategy} does not support manual start requests`);
    if (strategy === 'Halted') patch = runningPatch(vm, true);
    else {
      if (strategy === 'RerunOnFailure' && phase === 'Failed') throw vmConflict(name, 'RerunOnFailure does not support starting VM from failed state');
      const restart = (strategy === 'RerunOnFailure' && phase === 'Succeeded') || (strategy === 'Manual' && isFinal(vmi));
      patch = changeRequestPatch(vm, restart ? [{ action: 'Stop', uid: vmi!.metadata.uid }, { action: 'Start' }] : [{ action: 'Start' }]);
      sub = '/status';
    }
  } else if (action === 'stop') {
    const running = vmi !== undefined && !isFinal(vmi);
    if (running && opts.gracePeriod !== undefined) {
      const old = vmi.spec?.terminationGracePeriodSeconds;
      await api.json('PATCH', `${base}/virtualmachineinstances/${encodeURIComponent(name)}`, {
        contentType: 'application/json-patch+json',
        body: [
          { op: 'test', path: '/spec/terminationGracePeriodSeconds', value: old ?? null },
          { op: 'replace', path: '/spec/terminationGracePeriodSeconds', value: opts.gracePeriod },
        ],
      });
    }
    if (strategy === 'Always' || strategy === 'Once') patch = runningPatch(vm, false);
    else {
      if (!running) throw vmConflict(name, 'VM is not running');
      if (strategy === 'Halted') {
        const old = vmi.spec?.terminationGracePeriodSeconds;
        if (opts.gracePeriod === undefined || (old !== undefined && opts.gracePeriod >= old)) {
          throw vmConflict(name, 'Halted only supports manual stop requests with a shorter graceperiod');
        }
      }
      patch = changeRequestPatch(vm, [{ action: 'Stop', uid: vmi.metadata.uid }]);
      sub = '/status';
    }
  } else {
    if (opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds !== 0) {
      throw new StatusError(400, 'BadRequest', 'For force restart, only gracePeriod=0 is supported for now');
    }
    if (strategy === 'Halted' || strategy === 'Once') throw vmConflict(name, `RunStategy ${strategy} does not support manual restart requests`);
    if (!vmi) throw vmConflict(name, 'VM is not running: Halted');
    patch = changeRequestPatch(vm, [{ action: 'Stop', uid: vmi.metadata.uid }, { action: 'Start' }]);
    sub = '/status';
  }

  const res = await api.request('PATCH', `${base}/virtualmachines/${encodeURIComponent(name)}${sub}`, {
    contentType: 'application/json-patch+json',
    body: patch,
  });
  if (res.status >= 200 && res.status < 300) return;
  const msg = (res.body as { message?: string } | undefined)?.message ?? res.text;
  // A failed `test` op means someone changed the VM meanwhile: virt-api answers 409.
  if (res.status === 422 && /test/i.test(msg)) throw vmConflict(name, msg);
  throw new StatusError(500, 'InternalError', `Internal error occurred: ${msg}`);
}
