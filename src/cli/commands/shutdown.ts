// `fallow shutdown`: seed sections 1–4 against the cluster of the kubeconfig, journaled.
// Flags and help only; the work is ../actions/shutdown.ts, loaded when the command runs.
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addRunFlags, type SessionFlags } from '../run/flags.js';
import type { CommandModule } from './index.js';

export const shutdownCommand: CommandModule = {
  name: 'shutdown',
  register(program: Command, ctx: CliContext) {
    const cmd = new Command('shutdown')
      .description('shut the cluster down in the seed article\'s order (sections 1–4), recording what the restart needs')
      .option('--backup-vms <vms>', 'back up these VMs first (ns/name,…, or * for every running VM; needs a backup-target)')
      .option('--stop-concurrency <n>', 'how many guests shut down at once', '10')
      .option('--guest-grace <seconds>', 'override each VM\'s ACPI grace period')
      .option('--scale-down-workloads', 'scale other workloads holding Longhorn volumes to 0 without asking (seed 3.4)');
    addRunFlags(cmd).action(async (flags: SessionFlags, c: Command) => {
      const { shutdownAction } = await import('../actions/shutdown.js');
      await shutdownAction(ctx, c, flags);
    });
    program.addCommand(cmd);
  },
};
