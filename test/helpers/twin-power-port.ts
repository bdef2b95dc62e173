// A PowerPort straight onto the twin's node power, for runbook tests that are about the
// procedure rather than the protocols (the protocols are tested through real sshd,
// ipmi_sim and Redfish in test/peers/power). It behaves like a BMC: status is the power
// state, shutdown is the OS shutdown, and osUp means booted.
import type { TwinNodePower } from '../../src/twin/power.js';
import type { NodeTarget, PowerPort, PowerState } from '../../src/runbook/ports.js';

export class TwinPowerPort implements PowerPort {
  readonly calls: { t: number; node: string; action: string }[] = [];
  constructor(
    private readonly power: TwinNodePower,
    private readonly now: () => number,
  ) {}

  async shutdown(node: NodeTarget): Promise<void> {
    this.calls.push({ t: this.now(), node: node.name, action: 'shutdown' });
    this.power.requestShutdown(node.name);
  }
  async powerOn(node: NodeTarget): Promise<void> {
    this.calls.push({ t: this.now(), node: node.name, action: 'powerOn' });
    this.power.powerOn(node.name);
  }
  async forceOff(node: NodeTarget): Promise<void> {
    this.calls.push({ t: this.now(), node: node.name, action: 'forceOff' });
    this.power.forceOff(node.name);
  }
  async status(node: NodeTarget): Promise<PowerState> {
    const s = this.power.state(node.name);
    return s === 'off' ? 'off' : 'on';
  }
  async osUp(node: NodeTarget): Promise<boolean> {
    return this.power.state(node.name) === 'on';
  }
}
