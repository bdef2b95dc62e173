// Node power: the state machine of a twin node's hardware and OS, behind TwinNodePower
// (what the SSH, IPMI and Redfish fronts drive). on → shutting-down (the OS stops its
// services, then powers off after the modelled shutdown time) → off; off → booting (the
// node's modelled boot time) → on. Faults: an OS shutdown that hangs, a boot that never
// finishes. Nothing here touches the API; Kubelets and etcd react to the changes.
import type { EventLog } from '../events.js';
import type { TwinFaults } from '../faults.js';
import type { TwinNodePower, TwinPowerState } from '../power.js';
import type { Rng } from '../scenario/rng.js';
import type { Timers } from './timers.js';

export interface PowerNodeSpec {
  name: string;
  /** Modelled seconds [min, max] from power-on to a running OS with kubelet. */
  bootSeconds: readonly [number, number];
  /** Modelled seconds [min, max] of an OS shutdown. */
  shutdownSeconds: readonly [number, number];
  initial?: TwinPowerState;
}

export class NodePowerModel implements TwinNodePower {
  private readonly states = new Map<string, TwinPowerState>();
  private readonly specs = new Map<string, PowerNodeSpec>();
  private readonly pendingTimer = new Map<string, () => void>();
  private readonly boots = new Map<string, number>();
  private readonly listeners = new Set<(node: string, state: TwinPowerState) => void>();

  constructor(
    specs: PowerNodeSpec[],
    private readonly deps: { timers: Timers; rng: Rng; events: EventLog; faults: TwinFaults },
  ) {
    for (const s of specs) {
      this.specs.set(s.name, s);
      this.states.set(s.name, s.initial ?? 'on');
      this.boots.set(s.name, 0);
    }
  }

  nodes(): string[] {
    return [...this.states.keys()];
  }

  state(node: string): TwinPowerState {
    const s = this.states.get(node);
    if (!s) throw new Error(`no twin node named ${node}`);
    return s;
  }

  /** How many times the node finished booting since the twin started. */
  bootCount(node: string): number {
    return this.boots.get(node) ?? 0;
  }

  requestShutdown(node: string): void {
    if (this.state(node) !== 'on') return;
    this.set(node, 'shutting-down', 'OS shutdown requested');
    if (this.deps.faults.has('nodeWontPowerOff', node)) {
      this.deps.events.record({ type: 'fault', node, detail: 'nodeWontPowerOff: the OS shutdown hangs' });
      return;
    }
    const ms = this.deps.rng.seconds(this.spec(node).shutdownSeconds);
    this.arm(node, ms, () => this.set(node, 'off', 'OS powered off'));
  }

  powerOn(node: string): void {
    if (this.state(node) !== 'off') return;
    this.set(node, 'booting', 'powered on');
    if (this.deps.faults.has('nodeWontBoot', node)) {
      this.deps.events.record({ type: 'fault', node, detail: 'nodeWontBoot: the OS never comes up' });
      return;
    }
    const ms = this.deps.rng.seconds(this.spec(node).bootSeconds);
    this.arm(node, ms, () => {
      this.boots.set(node, this.bootCount(node) + 1);
      this.set(node, 'on', 'booted');
    });
  }

  forceOff(node: string): void {
    if (this.state(node) === 'off') return;
    this.pendingTimer.get(node)?.();
    this.pendingTimer.delete(node);
    this.set(node, 'off', 'forced off');
  }

  onChange(listener: (node: string, state: TwinPowerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private spec(node: string): PowerNodeSpec {
    const s = this.specs.get(node);
    if (!s) throw new Error(`no twin node named ${node}`);
    return s;
  }

  private arm(node: string, ms: number, fn: () => void): void {
    this.pendingTimer.get(node)?.();
    const cancel = this.deps.timers.after(ms, () => {
      this.pendingTimer.delete(node);
      fn();
    });
    this.pendingTimer.set(node, cancel);
  }

  private set(node: string, state: TwinPowerState, why: string): void {
    this.states.set(node, state);
    this.deps.events.record({ type: 'node.power', node, detail: state, data: { why } });
    for (const l of [...this.listeners]) l(node, state);
  }
}
