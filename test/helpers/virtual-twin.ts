// A twin on its own virtual clock, for tests in this process only: the clock starts with
// the twin and stops once the twin has stopped (its controllers may sleep on it while they
// wind down). A test whose twin clock reaches another process (FALLOW_CLOCK) needs a
// ScaledClock instead: startTwin with a `scale`.
import { startTwin, type StartTwinOptions, type Twin } from '../../src/twin/runtime.js';
import { VirtualClock, type VirtualClockOptions } from './virtual-clock.js';

export async function startVirtualTwin(opts: Omit<StartTwinOptions, 'clock' | 'scale'>, clockOpts: VirtualClockOptions = {}): Promise<Twin> {
  const clock = new VirtualClock(clockOpts);
  clock.start();
  try {
    const twin = await startTwin({ ...opts, clock });
    const stopTwin = twin.stop.bind(twin);
    twin.stop = async () => {
      try {
        await stopTwin();
      } finally {
        clock.stop();
      }
    };
    return twin;
  } catch (e) {
    clock.stop();
    throw e;
  }
}
