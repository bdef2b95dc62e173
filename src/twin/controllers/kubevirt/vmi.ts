// The VMI lifecycle, as virt-controller and virt-handler run it: a new VMI gets a
// virt-launcher-<vmi>-xxxxx pod (Scheduling), is Scheduled when the pod is bound, and once
// the pod runs (its Longhorn volumes attached) the guest boots for its modelled time before
// the VMI is Running and Ready. A deleted VMI is shut down by ACPI: the guest powers off
// after its modelled shutdown time, or — if it ignores ACPI (fault) — is killed when its
// grace period (spec.terminationGracePeriodSeconds, 180 s by default) ends; then the
// launcher pod goes and the finalizers are removed. A node that powers off takes its guests
// with it (recorded as guest.lost); the VMI keeps its stale status until the node's
// virt-handler returns and reports the domain gone (Failed).
import { StatusError } from '../../store/errors.js';
import { Kinds } from '../../../common/harvester.js';
import type { PodObject, VirtualMachineInstanceObject } from '../../../common/harvester-types.js';
import { QueueController } from '../base.js';
import type { TwinContext } from '../context.js';
import type { Informer } from '../informer.js';
import { podIp } from '../kubelet.js';
import { findCondition, isoTime, ownerIndex, ownerRef, podReady, podSpec, withCondition } from '../util.js';

export interface GuestProfile {
  bootSeconds?: readonly [number, number];
  shutdownSeconds?: readonly [number, number];
}

interface Guest {
  node: string;
  boot: number; // the node's boot the domain runs in
  state: 'booting' | 'running' | 'stopping' | 'lost';
  readyAt: number;
  offAt?: number;
  /** Modelled ms the VMI's deletion was first seen (the ACPI request). */
  askedAt?: number;
  poweredOff?: boolean;
  killed?: boolean;
  shutdownMs?: number;
}

interface VmiSpec {
  terminationGracePeriodSeconds?: number;
  nodeSelector?: Record<string, string>;
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
}

export class VmiController extends QueueController {
  private readonly vmis: Informer<VirtualMachineInstanceObject>;
  private readonly pods: Informer<PodObject>;
  private readonly guests = new Map<string, Guest>(); // vmi uid →

  constructor(
    ctx: TwinContext,
    private readonly profiles: Map<string, GuestProfile>,
  ) {
    super('virtualmachineinstances', ctx);
    this.vmis = ctx.informers.for<VirtualMachineInstanceObject>(Kinds.VirtualMachineInstance);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
  }

  setup(): void {
    this.pods.addIndex('owner', ownerIndex);
    this.vmis.addIndex('node', (v) => (v.status?.nodeName ? [v.status.nodeName] : []));
    this.vmis.onChange((type, vmi) => {
      const key = `${vmi.metadata.namespace}/${vmi.metadata.name}`;
      if (type === 'DELETED') {
        this.guests.delete(vmi.metadata.uid ?? '');
        this.ctx.events.record({ type: 'vmi.deleted', object: key, ...(vmi.status?.nodeName ? { node: vmi.status.nodeName } : {}) });
        return;
      }
      this.queue.add(key);
    });
    this.pods.onChange((_t, p) => {
      if (p.metadata.labels?.['kubevirt.io'] !== 'virt-launcher') return;
      const vmiName = p.metadata.ownerReferences?.find((r) => r.kind === 'VirtualMachineInstance')?.name;
      if (vmiName) this.queue.add(`${p.metadata.namespace}/${vmiName}`);
    });
    this.ctx.power.onChange((node, state) => {
      if (state === 'shutting-down' || state === 'off') this.loseGuests(node, state);
    });
    this.ctx.kubelets.onChange((node, running) => {
      if (running) for (const v of this.vmis.byIndex('node', node)) this.queue.add(`${v.metadata.namespace}/${v.metadata.name}`);
    });
  }

  resync(): void {
    // Guests of VMIs that are Running when the twin starts are up in the node's current boot.
    for (const vmi of this.vmis.list()) {
      const node = vmi.status?.nodeName;
      if (vmi.status?.phase === 'Running' && node && vmi.metadata.uid && this.ctx.kubelets.running(node)) {
        this.guests.set(vmi.metadata.uid, { node, boot: this.ctx.kubelets.bootSeq(node), state: 'running', readyAt: 0 });
      }
    }
    this.queue.addAll(this.vmis.keys());
  }

  /** The guests a node takes down with it when its OS shuts down or it loses power. */
  private loseGuests(node: string, state: string): void {
    for (const vmi of this.vmis.byIndex('node', node)) {
      const g = this.guests.get(vmi.metadata.uid ?? '');
      if (!g || g.state === 'lost' || g.node !== node) continue;
      const key = `${vmi.metadata.namespace}/${vmi.metadata.name}`;
      this.ctx.events.record({ type: 'guest.lost', object: key, node, detail: `node ${state} while the guest was ${g.state}` });
      g.state = 'lost';
    }
  }

  protected async reconcile(key: string): Promise<void> {
    const vmi = this.vmis.get(key);
    if (!vmi?.metadata.uid) return;
    const pod = this.launcherPod(vmi);
    if (vmi.metadata.deletionTimestamp) return this.stopping(key, vmi, pod);
    const phase = vmi.status?.phase ?? 'Pending';
    if (phase === 'Succeeded' || phase === 'Failed') return;
    if (phase === 'Pending' && !pod) return this.createLauncher(vmi);
    if (!pod) return this.fail(key, vmi, 'the virt-launcher pod is gone');
    const node = podSpec(pod).nodeName;
    if (!node) return this.setSchedulingStatus(vmi, pod);
    if (phase === 'Pending' || phase === 'Scheduling') {
      await this.patchStatus(vmi, { phase: 'Scheduled', nodeName: node });
      this.ctx.events.record({ type: 'vmi.scheduled', object: key, node });
      return;
    }
    if (!this.ctx.kubelets.running(node)) return; // nothing reports from a dead node
    const boot = this.ctx.kubelets.bootSeq(node);
    const guest = this.guests.get(vmi.metadata.uid);
    if (pod.status?.phase === 'Failed' || (phase === 'Running' && (!guest || guest.boot !== boot || guest.state === 'lost'))) {
      return this.fail(key, vmi, 'virt-handler detected the domain is gone');
    }
    if (phase === 'Scheduled') {
      if (pod.status?.phase !== 'Running') return;
      const now = this.ctx.clock.now();
      if (!guest || guest.boot !== boot) {
        const ms = this.ctx.rng.seconds(this.profile(key).bootSeconds ?? this.ctx.timing.vmBootSeconds);
        this.guests.set(vmi.metadata.uid, { node, boot, state: 'booting', readyAt: now + ms });
        return this.queue.addAfter(key, ms);
      }
      if (now < guest.readyAt) return this.queue.addAfter(key, guest.readyAt - now);
      guest.state = 'running';
      const ip = pod.status?.podIP ?? podIp(pod.metadata.uid ?? key);
      await this.patchStatus(vmi, {
        phase: 'Running',
        nodeName: node,
        interfaces: [{ name: 'default', ipAddress: ip, ipAddresses: [ip], mac: macOf(key), infoSource: 'domain, guest-agent' }],
        conditionsReady: podReady(pod),
      });
      this.ctx.events.record({ type: 'vmi.running', object: key, node });
      return;
    }
    // Running: the Ready condition follows the launcher pod's (false on a NotReady node).
    const ready = podReady(pod);
    if ((findCondition(vmi.status?.conditions, 'Ready')?.status === 'True') !== ready) await this.patchStatus(vmi, { conditionsReady: ready });
  }

  private async stopping(key: string, vmi: VirtualMachineInstanceObject, pod: PodObject | undefined): Promise<void> {
    const node = vmi.status?.nodeName;
    const guest = this.guests.get(vmi.metadata.uid!);
    if (node && !this.ctx.kubelets.running(node)) return; // wait for the node's virt-handler
    const now = this.ctx.clock.now();
    if (!node || !guest || guest.boot !== this.ctx.kubelets.bootSeq(node) || guest.state === 'lost') return this.finalize(key, vmi, pod);
    const graceMs = ((vmi.spec as VmiSpec | undefined)?.terminationGracePeriodSeconds ?? 180) * 1000;
    // When this controller first saw the deletion, on the modelled clock: a real apiserver
    // stamps deletionTimestamp on its own (wall) clock, which the models do not run on.
    guest.askedAt ??= now;
    const askedAt = guest.askedAt;
    const deadline = askedAt + graceMs;
    if (guest.state !== 'stopping') {
      // virt-handler sends ACPI when the VMI is deleted; the guest's clock starts then.
      guest.state = 'stopping';
      guest.shutdownMs = this.ctx.rng.seconds(this.profile(key).shutdownSeconds ?? this.ctx.timing.guestShutdownSeconds);
      const ignores = this.ctx.faults.has('vmIgnoresAcpi', key);
      guest.offAt = ignores ? Infinity : askedAt + guest.shutdownMs;
    }
    // The grace may have been shortened since (stop with a gracePeriod): the kill comes sooner.
    const offAt = Math.min(guest.offAt ?? Infinity, deadline);
    guest.killed = offAt === deadline && (guest.offAt ?? Infinity) > deadline;
    if (now < offAt) return this.queue.addAfter(key, offAt - now);
    // Finalizing can take more than one pass (over a real apiserver the cache still shows
    // the VMI and its pod for a moment): the guest powered off once.
    if (guest.poweredOff) return this.finalize(key, vmi, pod);
    guest.poweredOff = true;
    this.ctx.events.record(
      guest.killed
        ? { type: 'guest.killed', object: key, node, detail: `ignored ACPI for the whole grace period (${graceMs / 1000}s)` }
        : { type: 'guest.acpi-shutdown', object: key, node, detail: `powered off after ${Math.round((guest.shutdownMs ?? 0) / 1000)}s` },
    );
    return this.finalize(key, vmi, pod);
  }

  private async finalize(key: string, vmi: VirtualMachineInstanceObject, pod: PodObject | undefined): Promise<void> {
    if (pod) {
      const podKey = `${pod.metadata.namespace}/${pod.metadata.name}`;
      this.ctx.attribution.claim(`pod:${podKey}`, 'virt-handler');
      await this.ctx.api.delete(Kinds.Pod, pod.metadata.namespace, pod.metadata.name, { gracePeriodSeconds: 0 }).catch((err: unknown) => {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      });
    }
    const phase = vmi.status?.phase;
    if (phase !== 'Failed' && phase !== 'Succeeded') await this.patchStatus(vmi, { phase: 'Succeeded', conditionsReady: false });
    const fresh = this.vmis.get(key);
    if (fresh?.metadata.finalizers?.length) await this.ctx.api.patch(Kinds.VirtualMachineInstance, fresh.metadata.namespace, fresh.metadata.name, { metadata: { finalizers: null } });
  }

  private async fail(key: string, vmi: VirtualMachineInstanceObject, why: string): Promise<void> {
    await this.patchStatus(vmi, { phase: 'Failed', reason: why, conditionsReady: false });
    this.ctx.events.record({ type: 'vmi.failed', object: key, ...(vmi.status?.nodeName ? { node: vmi.status.nodeName } : {}), detail: why });
    const pod = this.launcherPod(vmi);
    if (pod && !pod.metadata.deletionTimestamp) await this.ctx.api.delete(Kinds.Pod, pod.metadata.namespace, pod.metadata.name);
  }

  private async createLauncher(vmi: VirtualMachineInstanceObject): Promise<void> {
    const spec = (vmi.spec ?? {}) as VmiSpec;
    const vmName = vmi.metadata.ownerReferences?.find((r) => r.kind === 'VirtualMachine')?.name ?? vmi.metadata.name;
    const volumes = (spec.volumes ?? []).filter((v) => v.persistentVolumeClaim);
    await this.ctx.api.create<PodObject>({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `virt-launcher-${vmi.metadata.name}-${this.ctx.rng.suffix()}`,
        namespace: vmi.metadata.namespace!,
        labels: { 'kubevirt.io': 'virt-launcher', 'kubevirt.io/created-by': vmi.metadata.uid!, 'vm.kubevirt.io/name': vmName, 'harvesterhci.io/vmName': vmName },
        annotations: { 'kubevirt.io/domain': vmi.metadata.name, 'kubectl.kubernetes.io/default-container': 'compute' },
        ownerReferences: [ownerRef(vmi)],
      },
      spec: {
        containers: [{ name: 'compute', image: 'registry.suse.com/suse/sles/15.6/virt-launcher:1.3.1' }],
        nodeSelector: { ...(spec.nodeSelector ?? {}), 'kubevirt.io/schedulable': 'true' },
        volumes: volumes.map((v) => ({ name: v.name, persistentVolumeClaim: { claimName: v.persistentVolumeClaim!.claimName } })),
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: (spec.terminationGracePeriodSeconds ?? 180) + 30,
      } as PodObject['spec'],
      status: { phase: 'Pending' },
    });
    await this.patchStatus(vmi, { phase: 'Scheduling' });
  }

  private async setSchedulingStatus(vmi: VirtualMachineInstanceObject, pod: PodObject): Promise<void> {
    const sched = findCondition(pod.status?.conditions, 'PodScheduled');
    if (!sched || sched.status !== 'False') return;
    if (findCondition(vmi.status?.conditions, 'PodScheduled')?.message === sched.message) return;
    const conditions = withCondition(vmi.status?.conditions, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', ...(sched.message ? { message: sched.message } : {}) }, isoTime(this.ctx.clock));
    await this.ctx.api.patch(Kinds.VirtualMachineInstance, vmi.metadata.namespace, vmi.metadata.name, { status: { conditions } }, { subresource: 'status' });
  }

  private async patchStatus(vmi: VirtualMachineInstanceObject, s: { phase?: string; nodeName?: string; reason?: string; interfaces?: unknown[]; conditionsReady?: boolean }): Promise<void> {
    const now = isoTime(this.ctx.clock);
    const { conditionsReady, ...rest } = s;
    let conditions = vmi.status?.conditions;
    if (conditionsReady !== undefined) {
      conditions = withCondition(conditions, conditionsReady ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', reason: 'PodNotReady' }, now);
    }
    if (s.phase === 'Scheduled' || s.phase === 'Running') conditions = (conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    const phaseTransitions = s.phase ? [...(((vmi.status ?? {}) as { phaseTransitionTimestamps?: unknown[] }).phaseTransitionTimestamps ?? []), { phase: s.phase, phaseTransitionTimestamp: now }] : undefined;
    await this.ctx.api.patch(
      Kinds.VirtualMachineInstance,
      vmi.metadata.namespace,
      vmi.metadata.name,
      { status: { ...rest, ...(conditions ? { conditions } : {}), ...(phaseTransitions ? { phaseTransitionTimestamps: phaseTransitions } : {}) } },
      { subresource: 'status' },
    );
  }

  private launcherPod(vmi: VirtualMachineInstanceObject): PodObject | undefined {
    const pods = this.pods.byIndex('owner', vmi.metadata.uid ?? '');
    return pods.find((p) => !p.metadata.deletionTimestamp) ?? pods[0];
  }

  private profile(key: string): GuestProfile {
    return this.profiles.get(key) ?? {};
  }
}

function macOf(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) >>> 0;
  const b = [0x52, 0x54, 0x00, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}
