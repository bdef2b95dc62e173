// Node power as the twin models it: what a BMC and the node's OS can do to a twin node.
// The power fronts (SSH daemon, IPMI, Redfish endpoints) and `fallow twin` drive these;
// the node controller turns them into kubelet presence, pod and etcd state over time.

export type TwinPowerState = 'on' | 'off' | 'shutting-down' | 'booting';

export interface TwinNodePower {
  /** Names of the twin's nodes. */
  nodes(): string[];
  state(node: string): TwinPowerState;
  /** The OS shuts down cleanly (what `shutdown -h now` over SSH or ACPI soft-off does). */
  requestShutdown(node: string): void;
  /** Power button / BMC power on. Booting takes the node's modelled boot time. */
  powerOn(node: string): void;
  /** Cut the power now (BMC ForceOff / `chassis power off`). */
  forceOff(node: string): void;
  /** Called on every state change (for BMC PowerState and tests). */
  onChange(listener: (node: string, state: TwinPowerState) => void): () => void;
}
