// The twin's own node power model (NodePowerModel) on its own, for the power tests: fixed
// shutdown and boot times, the twin's TwinFaults (nodeWontPowerOff, nodeWontBoot), and a
// history of state changes to prove what did (not) happen. startTwin() builds the same
// model inside a whole cluster; these tests need only its power.
import type { Clock } from '../../../src/common/clock.js';
import { NodePowerModel } from '../../../src/twin/controllers/power.js';
import { Timers } from '../../../src/twin/controllers/timers.js';
import { EventLog } from '../../../src/twin/events.js';
import { TwinFaults } from '../../../src/twin/faults.js';
import type { TwinPowerState } from '../../../src/twin/power.js';
import { Rng } from '../../../src/twin/scenario/rng.js';

export interface TestPowerOptions {
  /** Modelled ms of an OS shutdown (default 2000). */
  shutdownMs?: number;
  /** Modelled ms of a boot (default 3000). */
  bootMs?: number;
  initial?: TwinPowerState;
}

export class TestNodePower extends NodePowerModel {
  readonly faults: TwinFaults;
  readonly history: { node: string; state: TwinPowerState }[] = [];
  private readonly timers: Timers;

  constructor(names: string[], clock: Clock, opts: TestPowerOptions = {}) {
    const timers = new Timers(clock);
    const faults = new TwinFaults();
    const s = (opts.shutdownMs ?? 2000) / 1000;
    const b = (opts.bootMs ?? 3000) / 1000;
    super(
      names.map((name) => ({ name, shutdownSeconds: [s, s] as const, bootSeconds: [b, b] as const, initial: opts.initial ?? 'on' })),
      { timers, rng: new Rng(1), events: new EventLog(clock), faults },
    );
    this.timers = timers;
    this.faults = faults;
    this.onChange((node, state) => this.history.push({ node, state }));
  }

  /** Cancels pending transitions (end of a test). */
  dispose(): void {
    this.timers.stop();
  }
}
