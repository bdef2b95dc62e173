// `fallow status [run-id]`: where runs stand, from the journals alone (no cluster needed,
// so it works while the cluster is off). Without an id it shows the runs of the
// kubeconfig's cluster (matched by server URL, not asked) and the latest one in detail;
// with --all, every run under the state directory.
// Flags and help only; the work is ../actions/status.ts, loaded when the command runs.
import { Command } from 'commander';
import { type OutputFormat, outputOption } from '../output.js';
import type { CommandModule } from './index.js';

export const statusCommand: CommandModule = {
  name: 'status',
  register(program, ctx) {
    const cmd = new Command('status')
      .summary('where runs stand, from their journals (no cluster needed)')
      .description(
        'Shows the runs recorded for the kubeconfig\'s cluster (matched by server URL; the cluster is not contacted) ' +
          'and the newest in detail: each step done, skipped, in flight, failed or pending, open waits with their ' +
          'deadlines, recorded facts, the last warning, how it ended and what to do next.',
      )
      .argument('[run-id]', 'show this run (see the RUN column)')
      .option('--all', 'every run under the state directory, for any cluster')
      .addOption(outputOption())
      .action(async (runId: string | undefined, opts: { all?: boolean; output: OutputFormat }, c: Command) => {
        const { statusAction } = await import('../actions/status.js');
        await statusAction(ctx, c, runId, opts);
      });
    program.addCommand(cmd);
  },
};
