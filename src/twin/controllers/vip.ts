// kube-vip and the VIP: Service kube-system/ingress-expose (type LoadBalancer) gets
// status.loadBalancer.ingress[0].ip = the VIP a few modelled seconds after the API works
// with a control-plane node up, and loses it when every control-plane node is down (nothing
// holds the address). Fault: after a restart the VIP does not come back (EXTERNAL-IP stays
// <pending>), which the runbook's 5.1 check must catch. This controller is not gated: the
// clearing happens while the API is down, unobservable until it returns, as in reality.
import { Kinds, Vip } from '../../common/harvester.js';
import type { ServiceObject } from '../../common/harvester-types.js';
import type { Reachability } from './apireach.js';
import type { Controller, TwinContext } from './context.js';
import type { Informer } from './informer.js';
import { WorkQueue } from './queue.js';

export class VipController implements Controller {
  readonly name = 'kube-vip';
  private readonly services: Informer<ServiceObject>;
  private readonly queue: WorkQueue;
  private setAt: number | undefined;
  private clearedOnce = false;

  constructor(
    private readonly ctx: TwinContext,
    private readonly reachability: () => Reachability,
  ) {
    this.services = ctx.informers.for<ServiceObject>(Kinds.Service);
    this.queue = new WorkQueue(this.name, () => this.reconcile(), ctx.timers);
  }

  setup(): void {
    this.services.onChange((_t, s) => {
      if (s.metadata.namespace === Vip.service.namespace && s.metadata.name === Vip.service.name) this.queue.add('vip');
    });
    this.ctx.gate.onChange(() => this.queue.add('vip'));
    this.ctx.power.onChange(() => this.queue.add('vip'));
  }

  resync(): void {
    this.queue.add('vip');
  }

  stop(): void {
    this.queue.stop();
  }

  idle(): boolean {
    return this.queue.idle();
  }

  private async reconcile(): Promise<void> {
    const svc = this.services.getBy(Vip.service.namespace, Vip.service.name);
    if (!svc) return;
    const current = svc.status?.loadBalancer?.ingress?.[0]?.ip;
    const state = this.reachability();
    if (state === 'refused') {
      this.setAt = undefined;
      if (!current) return;
      this.clearedOnce = true;
      await this.write({ loadBalancer: {} });
      this.ctx.events.record({ type: 'vip.cleared', object: `${Vip.service.namespace}/${Vip.service.name}`, detail: current });
      return;
    }
    if (state !== 'up' || current === this.ctx.cluster.vip) return;
    if (this.clearedOnce && this.ctx.faults.current.vipDoesNotReturn) return;
    const now = this.ctx.clock.now();
    this.setAt ??= now + this.ctx.rng.seconds(this.ctx.timing.vipDelaySeconds);
    if (now < this.setAt) return this.queue.addAfter('vip', this.setAt - now);
    this.setAt = undefined;
    await this.write({ loadBalancer: { ingress: [{ ip: this.ctx.cluster.vip }] } });
    this.ctx.events.record({ type: 'vip.set', object: `${Vip.service.namespace}/${Vip.service.name}`, detail: this.ctx.cluster.vip });
  }

  private async write(status: ServiceObject['status']): Promise<void> {
    await this.ctx.api.patch(Kinds.Service, Vip.service.namespace, Vip.service.name, { status: { loadBalancer: null } }, { subresource: 'status' });
    await this.ctx.api.patch(Kinds.Service, Vip.service.namespace, Vip.service.name, { status }, { subresource: 'status' });
  }
}
