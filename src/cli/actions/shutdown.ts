// The body of `fallow shutdown` (../commands/shutdown.ts declares its flags): loaded only
// when the command runs, with the runbooks, the engine and the Kubernetes client.
import type { Command } from 'commander';
import { clusterIdentity } from '../../cluster/discovery.js';
import type { Cluster } from '../../cluster/client.js';
import { PreflightError } from '../../common/errors.js';
import { capList } from '../../common/list.js';
import { restartRunbook, shutdownRunbook } from '../../runbook/index.js';
import { rbacByScope } from '../../runbook/rbac.js';
import type { CliContext } from '../context.js';
import { buildRunbookEnv, liveAddresses } from '../run/env.js';
import type { SessionFlags } from '../run/flags.js';
import { runSession } from '../run/session.js';

/** Every verb the shutdown and its restart need, checked before the first act (not at step 4.2). */
async function assertAccess(cluster: Cluster): Promise<void> {
  // Namespaced rules are asked in their namespace, as `fallow rbac` grants them (Roles there).
  const { clusterWide, namespaced } = rbacByScope([shutdownRunbook, restartRunbook], []);
  const missing = (await cluster.accessReview([...clusterWide, ...namespaced])).filter((a) => !a.allowed);
  if (missing.length === 0) return;
  const what = missing.map((m) => `${m.verb} ${m.group ? `${m.resource}.${m.group}` : m.resource}${m.namespace ? ` in ${m.namespace}` : ''}`);
  throw new PreflightError(`the kubeconfig's user may not ${capList(what, 6)}`, 'Grant the role `fallow rbac` prints, then run the shutdown again (nothing was changed)');
}

export async function shutdownAction(ctx: CliContext, c: Command, flags: SessionFlags): Promise<void> {
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
}
