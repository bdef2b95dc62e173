// The `fallow guard` command group: `guard check --config <file>` verifies a configuration
// against the live upsd; `guard run --config <file>` is the service (wiring/service.ts):
// it watches the UPS and runs the shutdown and restart runbooks on an outage. SIGTERM or
// Ctrl-C stop it; a shutdown or restart under way stops after its current act.
import { Command } from 'commander';
import { ExitCode } from '../common/errors.js';
import type { CommandModule } from '../cli/commands/index.js';
import { outputOption, render, type OutputFormat } from '../cli/output.js';

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
        // Loaded when the command runs: `fallow --help` stays fast.
        const [{ checkGuard, renderGuardCheck }, { loadGuardConfig }] = await Promise.all([import('./check.js'), import('./config.js')]);
        const cfg = await loadGuardConfig(opts.config);
        const result = await checkGuard(cfg, ctx.clock, ctx.io.env);
        ctx.io.stdout.write(render(opts.output, result, renderGuardCheck));
        ctx.exitCode = ExitCode.ok;
      });
    guard
      .command('run')
      .summary('watch the UPS; on a power outage shut the cluster down in time, and restart it when power is back')
      .description(
        'The guard service (contrib/systemd/fallow-guard.service). Polls upsd; when the battery would no longer ' +
          'cover the shutdown, runs it with a plan that fits (docs/guard.md), journaled like `fallow shutdown`; when ' +
          'power and charge hold, runs the restart. The cluster comes from --kubeconfig / KUBECONFIG, the journals go ' +
          'to the state dir (the guard\'s own to <state>/<cluster-uid>/guard.jsonl). Runs until SIGTERM or Ctrl-C.\n\n' +
          'Exit codes: 0 stopped, 2 bad config or credentials (or unknown UPS), 4 upsd or the cluster unreachable at ' +
          'start, 5 stopped after a failed shutdown or restart (finish it with `fallow resume`).',
      )
      .requiredOption('--config <file>', 'GuardConfig YAML file')
      .action(async (opts: { config: string }, c: Command) => {
        const g = ctx.globals(c);
        const ac = new AbortController();
        const stop = () => {
          if (ac.signal.aborted) return;
          ctx.io.stderr.write(`${ctx.name}: guard stopping (a shutdown or restart under way stops after its current act)\n`);
          ac.abort(new Error('the guard was asked to stop'));
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
        try {
          const { runGuardService } = await import('./wiring/service.js');
          const r = await runGuardService(ctx, g, { config: opts.config }, ac.signal);
          ctx.exitCode = r.phase === 'needs-operator' ? ExitCode.needsOperator : ExitCode.ok;
        } finally {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
        }
      });
    program.addCommand(guard);
  },
};
