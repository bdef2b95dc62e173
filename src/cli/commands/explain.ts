// `fallow explain [step]`: the runbooks step by step — seed section, what each step
// records, waits for, what can go wrong and (for the steps asked about) the permissions
// it needs. The data is the runbook's own (explainRunbooks()); ../actions/explain.ts,
// loaded when the command runs, selects and renders it. `-o md` is docs/runbook.md, kept
// fresh by test/cli/explain.test.ts.
import { Command } from 'commander';
import { outputOption } from '../output.js';
import type { CommandModule } from './index.js';

export const explainCommand: CommandModule = {
  name: 'explain',
  register(program, ctx) {
    const cmd = new Command('explain')
      .summary('the runbook step by step: seed section, records, waits, what can go wrong')
      .description(
        'Prints the shutdown and restart runbooks in the order they run, generated from the step tables themselves: ' +
          'for each step the seed article section it implements, whether it destroys something (and so asks first), ' +
          'what it records in the journal before acting, what it waits for, what can go wrong, and — for the steps ' +
          'you name — the permissions it needs. Needs no cluster.\n\n' +
          'A step is named by its id (shutdown.workers), its id without the runbook (workers), a runbook ' +
          '(shutdown, restart) or a seed section (3.2; 4 for 4.1–4.3). `-o md` prints docs/runbook.md.',
      )
      .argument('[step]', 'step id, runbook name or seed section')
      .addOption(outputOption(['table', 'json', 'yaml', 'md']))
      .action(async (step: string | undefined, opts: { output: string }, c: Command) => {
        const { explainAction } = await import('../actions/explain.js');
        explainAction(ctx, c, step, opts);
      });
    program.addCommand(cmd);
  },
};
