// `fallow shutdown`: seed sections 1–4 against the cluster of the kubeconfig, journaled.
import { Command } from 'commander';
import { clusterIdentity } from '../../cluster/discovery.js';
import type { Cluster } from '../../cluster/client.js';
import { PreflightError } from '../../common/errors.js';
import { capList } from '../../common/list.js';
import { restartRunbook, shutdownRunbook } from '../../runbook/index.js';
import { rbacByScope } from '../../runbook/rbac.js';
import type { CliContext } from '../context.js';
import { buildRunbookEnv, liveAddresses } from '../run/env.js';
import { addRunFlags, runSession, type SessionFlags } from '../run/session.js';
import type { CommandModule } from './index.js';

/** Every verb the shutdown and its restart need, checked before the first act (not at step 4.2). */
async function assertAccess(cluster: Cluster): Promise<void> {
  // Namespaced rules are asked in their namespace, as `fallow rbac` grants them (Roles there).
  const { clusterWide, namespaced } = rbacByScope([shutdownRunbook, restartRunbook], []);
  const missing = (await cluster.accessReview([...clusterWide, ...namespaced])).filter((a) => !a.allowed);
  if (missing.length === 0) return;
  const what = missing.map((m) => `${m.verb} ${m.group ? `${m.resource}.${m.group}` : m.resource}${m.namespace ? ` in ${m.namespace}` : ''}`);
  throw new PreflightError(`the kubeconfig's user may not ${capList(what, 6)}`, 'Grant the role `fallow rbac` prints, then run the shutdown again (nothing was changed)');
}

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
        if (!flags.dryRun) await assertAccess(conn.cluster);
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
