// The power layer seen from the runbook: PowerPort over the PowerController. Shutdown and
// power-on return once the controller has seen the node off / booted (BMC PowerState, or
// NotReady with the SSH port closed / the OS answering), within the given budgets.
import type { Clock } from '../common/clock.js';
import type { NodeTarget, PowerPort, PowerState } from '../runbook/ports.js';
import type { PowerController } from './controller.js';

export interface PowerPortOptions {
  /** Cut the power of a node that does not go down by itself (--force-off). */
  forceOff: boolean;
  /** Modelled ms a node may take to power off after its shutdown. */
  offTimeoutMs?: number;
  /** Modelled ms a node may take to boot after power-on. */
  bootTimeoutMs?: number;
}

export class ControllerPowerPort implements PowerPort {
  constructor(
    private readonly controller: PowerController,
    private readonly clock: Clock,
    private readonly opts: PowerPortOptions,
  ) {}

  async shutdown(node: NodeTarget): Promise<void> {
    await this.controller.shutdown(node.name, { deadline: this.clock.now() + (this.opts.offTimeoutMs ?? 10 * 60_000), force: this.opts.forceOff });
  }

  async powerOn(node: NodeTarget): Promise<void> {
    await this.controller.powerOn(node.name, { deadline: this.clock.now() + (this.opts.bootTimeoutMs ?? 15 * 60_000) });
  }

  async forceOff(node: NodeTarget): Promise<void> {
    await this.controller.confirmOff(node.name, this.clock.now(), { force: true });
  }

  status(node: NodeTarget): Promise<PowerState> {
    return this.controller.status(node.name);
  }

  async osUp(node: NodeTarget): Promise<boolean> {
    const o = await this.controller.observe(node.name);
    return o.state === 'on' && o.booted;
  }
}
