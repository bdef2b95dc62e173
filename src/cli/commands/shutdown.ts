// `fallow shutdown`: seed sections 1–4 against the cluster of the kubeconfig, journaled.
import { Command } from 'commander';
import { clusterIdentity } from '../../cluster/discovery.js';
import { shutdownRunbook } from '../../runbook/index.js';
import type { CliContext } from '../context.js';
import { buildRunbookEnv, liveAddresses } from '../run/env.js';
import { addRunFlags, runSession, type SessionFlags } from '../run/session.js';
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
      const g = ctx.globals(c);
      const conn = await ctx.connect(g);
      try {
        const identity = await clusterIdentity(conn.cluster);
        const addresses = await liveAddresses(conn.cluster);
        await runSession(ctx, g, flags, {
          runbook: shutdownRunbook,
          identity: { uid: identity.uid, server: identity.server },
          makeEnv: (run, operator) => buildRunbookEnv({ cluster: conn.cluster, clock: ctx.clock, operator, flags, runDir: run.runDir, addresses }),
        });
      } finally {
        conn.cluster.close();
      }
    });
    program.addCommand(cmd);
  },
};
