// `fallow restart`: seed section 5 from the shutdown's journal — the last etcd leader
// first, quorum, VIP, workers, health gates, addons, Rancher, VMs in waves, a new bundle.
// Flags and help only; the work is ../actions/restart.ts, loaded when the command runs.
import { Command } from 'commander';
import type { RestartFlags } from '../actions/restart.js';
import type { CliContext } from '../context.js';
import { addRunFlags } from '../run/flags.js';
import type { CommandModule } from './index.js';

export const restartCommand: CommandModule = {
  name: 'restart',
  register(program: Command, ctx: CliContext) {
    const cmd = new Command('restart')
      .description('bring the cluster back from its shutdown journal (seed section 5) and verify it')
      .option('--run <id>', 'the shutdown run to restore (default: the latest for this cluster)')
      .option('--from-partial', 'restore exactly what an incomplete shutdown recorded, and nothing else')
      .option('--wave-size <n>', 'at most this many VMs booting at once (default: sized to the cluster)')
      .option('--health-timeout <duration>', 'how long the health gates (seed 5.2) may wait for system pods and Longhorn before stopping, e.g. 20m or 1h (a bare number is minutes)', '15m');
    addRunFlags(cmd).action(async (flags: RestartFlags, c: Command) => {
      const { restartAction } = await import('../actions/restart.js');
      await restartAction(ctx, c, flags);
    });
    program.addCommand(cmd);
  },
};
