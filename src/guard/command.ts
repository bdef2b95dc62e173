// The `fallow guard` command group. Today: `guard check --config <file>`, which verifies a
// configuration against the live upsd. `guard run` joins once the runbook's shutdown and
// restart are connected as GuardActions (runGuard in guard.ts is the loop it will call).
import { Command } from 'commander';
import { ExitCode } from '../common/errors.js';
import type { CommandModule } from '../cli/commands/index.js';
import { outputOption, render, type OutputFormat } from '../cli/output.js';
import { checkGuard, renderGuardCheck } from './check.js';
import { loadGuardConfig } from './config.js';

export const guardCommand: CommandModule = {
  name: 'guard',
  register(program, ctx) {
    const guard = new Command('guard').summary('power-outage guard over Network UPS Tools (see docs/guard.md)');
    guard
      .command('check')
      .summary('check a guard config: password, upsd reachable, login accepted, what the UPS reports')
      .description(
        'Reads the GuardConfig file, logs in to upsd as its user and prints the UPS status, runtime and charge, ' +
          'and what the policy cannot do with this UPS. Changes nothing.\n\n' +
          'Exit codes: 0 ok, 2 bad config or credentials (or unknown UPS), 4 upsd unreachable.',
      )
      .requiredOption('--config <file>', 'GuardConfig YAML file')
      .addOption(outputOption())
      .action(async (opts: { config: string; output: OutputFormat }) => {
        const cfg = await loadGuardConfig(opts.config);
        const result = await checkGuard(cfg, ctx.clock, ctx.io.env);
        ctx.io.stdout.write(render(opts.output, result, renderGuardCheck));
        ctx.exitCode = ExitCode.ok;
      });
    program.addCommand(guard);
  },
};
