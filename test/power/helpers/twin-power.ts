// A small TwinNodePower for the power tests, with the twin model's timing shape: a
// shutdown takes `shutdownMs` (shutting-down → off), a boot `bootMs` (booting → on),
// forceOff is immediate. Faults come from the twin's own TwinFaults (nodeWontPowerOff,
// nodeWontBoot). Swap for `startTwin().power` once the runtime is there.
import type { Clock } from '../../../src/common/clock.js';
import { TwinFaults } from '../../../src/twin/faults.js';
import type { TwinNodePower, TwinPowerState } from '../../../src/twin/power.js';

export interface TestPowerOptions {
  shutdownMs?: number;
  bootMs?: number;
  faults?: TwinFaults;
  initial?: TwinPowerState;
}

export class TestNodePower implements TwinNodePower {
  readonly faults: TwinFaults;
  private readonly states = new Map<string, TwinPowerState>();
  private readonly timers = new Map<string, AbortController>();
  private readonly listeners = new Set<(node: string, state: TwinPowerState) => void>();
  readonly history: { node: string; state: TwinPowerState }[] = [];

  constructor(
    names: string[],
    private readonly clock: Clock,
    private readonly opts: TestPowerOptions = {},
  ) {
    this.faults = opts.faults ?? new TwinFaults();
    for (const n of names) this.states.set(n, opts.initial ?? 'on');
  }

  nodes(): string[] {
    return [...this.states.keys()];
  }

  state(node: string): TwinPowerState {
    const s = this.states.get(node);
    if (!s) throw new Error(`no twin node ${node}`);
    return s;
  }

  requestShutdown(node: string): void {
    if (this.state(node) !== 'on') return;
    this.set(node, 'shutting-down');
    if (!this.faults.has('nodeWontPowerOff', node)) this.later(node, this.opts.shutdownMs ?? 2000, 'off');
  }

  powerOn(node: string): void {
    if (this.state(node) !== 'off') return;
    this.set(node, 'booting');
    if (!this.faults.has('nodeWontBoot', node)) this.later(node, this.opts.bootMs ?? 3000, 'on');
  }

  forceOff(node: string): void {
    this.timers.get(node)?.abort();
    if (this.state(node) !== 'off') this.set(node, 'off');
  }

  onChange(listener: (node: string, state: TwinPowerState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops pending transitions (end of a test). */
  dispose(): void {
    for (const t of this.timers.values()) t.abort();
    this.timers.clear();
  }

  private later(node: string, ms: number, state: TwinPowerState): void {
    this.timers.get(node)?.abort();
    const ac = new AbortController();
    this.timers.set(node, ac);
    this.clock.sleep(ms, ac.signal).then(
      () => {
        this.timers.delete(node);
        this.set(node, state);
      },
      () => undefined,
    );
  }

  private set(node: string, state: TwinPowerState): void {
    this.states.set(node, state);
    this.history.push({ node, state });
    for (const l of this.listeners) l(node, state);
  }
}
