// `fallow plan`: read-only. Identifies the cluster, inventories what the seed needs,
// runs the preflight checks and prints the ordered plan. Exit 0 ok, 3 preflight failed,
// 2 usage error, 4 unreachable. The work is in ../plan/ (loaded when the command runs).
import { type OutputFormat, outputOption } from '../output.js';
import type { CommandModule } from './index.js';

export const planCommand: CommandModule = {
  name: 'plan',
  register(program, ctx) {
    program
      .command('plan')
      .summary('read-only: inventory, preflight checks and the ordered plan')
      .description(
        'Read-only. Identifies the cluster (name, Harvester version, kube-system UID, server), lists what the ' +
          'shutdown article asks you to write down (nodes and roles, etcd members and leader, VIP, settings, addons, ' +
          'Rancher, VMs, Longhorn volumes), runs the preflight checks (nodes Ready, etcd leader, no faulted volume, ' +
          'RBAC for every step, node IPs look static) and prints every step of the shutdown in order with the ' +
          'article section it implements. Makes no change: its only non-GET requests are SelfSubjectAccessReviews.\n\n' +
          'Exit codes: 0 ok, 2 usage error, 3 preflight failed (or not a Harvester cluster), 4 unreachable.',
      )
      .addOption(outputOption())
      .option('--budget <duration>', 'instead: the plan the UPS guard would choose with this much battery time (8m, 450s); exit 1 when none fits')
      .option('--guard-config <file>', 'with --budget: the GuardConfig whose budget limits to use (default: the built-in ones)')
      .action(async (opts: { output: OutputFormat; budget?: string; guardConfig?: string }, cmd) => {
        if (opts.budget !== undefined) {
          const { runBudgetPlan } = await import('../../guard/wiring/budget-plan.js');
          ctx.exitCode = await runBudgetPlan(ctx, ctx.globals(cmd), { budget: opts.budget, ...(opts.guardConfig ? { guardConfig: opts.guardConfig } : {}), output: opts.output });
          return;
        }
        const { runPlan } = await import('../plan/run.js');
        ctx.exitCode = await runPlan(ctx, ctx.globals(cmd), opts.output);
      });
  },
};
