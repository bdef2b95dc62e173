// The narrow edge between the tool and a node's power: one interface that SSH, IPMI,
// Redfish and "ask the operator" all implement, so the runbook never knows which is used.

export type PowerState = 'on' | 'off' | 'unknown';

export type DriverKind = 'ssh' | 'ipmi' | 'redfish' | 'manual';

/** What a read-only check found: auth works, status readable. */
export interface CheckReport {
  node: string;
  driver: DriverKind;
  ok: boolean;
  /** One line: what was checked and what came back (never a secret). */
  detail: string;
  /** Power state, when the driver could read it. */
  state?: PowerState;
}

export interface PowerDriver {
  readonly kind: DriverKind;
  status(node: string): Promise<PowerState>;
  /** Graceful: the OS shuts down (SSH) or ACPI soft-off (BMC). Returns once requested. */
  shutdown(node: string): Promise<void>;
  powerOn(node: string): Promise<void>;
  /** Cuts the power. Only called when the operator asked for force. */
  forceOff(node: string): Promise<void>;
  /** Read-only: authenticates and reads what it can; changes nothing. */
  check(node: string): Promise<CheckReport>;
  /** Releases sessions and connections held across calls. */
  close?(): Promise<void>;
}

/** Kubernetes' view of a node: its Ready condition, and the kubelet's boot id when known. */
export interface NodeView {
  ready: boolean;
  /** status.nodeInfo.bootID: the kernel's boot id, new on every boot (kubelet reports it). */
  bootId?: string;
}

/** Kubernetes' view of a node, given by the caller: Ready alone, or with the boot id. */
export type NodeReadyProbe = (node: string) => Promise<boolean | NodeView>;

/** A line for the operator or the log; never carries a secret. */
export type PowerLog = (event: { node: string; driver: DriverKind | 'controller'; message: string }) => void;
