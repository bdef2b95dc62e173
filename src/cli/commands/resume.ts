// `fallow resume [run-id]`: goes on with a run that stopped or was cut off (Ctrl-C, a
// crash, a dead laptop). Picks the newest resumable run of the kubeconfig's cluster (or
// the one named), rebuilds it with the flags it was started with (flags given now win),
// and lets the engine replay the journal: done steps are skipped, the in-flight step is
// checked before anything is repeated. The API may be down mid-shutdown, so nothing is
// asked of it up front; when it answers, the cluster's identity is checked against the
// journal's.
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { ResumeFlags } from '../run/resume.js';
import { addRunFlags } from '../run/flags.js';
import type { CommandModule } from './index.js';

export const resumeCommand: CommandModule = {
  name: 'resume',
  register(program, ctx: CliContext) {
    const cmd = new Command('resume')
      .summary('go on with a stopped or interrupted run')
      .description(
        'Goes on with the newest stopped or interrupted run of the kubeconfig\'s cluster (or the run named): steps ' +
          'already done are skipped, the step that was in flight is checked before anything is repeated. It uses ' +
          'the flags the run was started with; flags given now override them.',
      )
      .argument('[run-id]', 'the run to resume (see `fallow status`)')
      .option('--allow-server-change', 'the cluster\'s API address changed since the run started (same kube-system UID)');
    addRunFlags(cmd).action(async (runId: string | undefined, given: ResumeFlags, c: Command) => {
      const { resume } = await import('../run/resume.js');
      await resume(ctx, c, runId, given);
    });
    program.addCommand(cmd);
  },
};
