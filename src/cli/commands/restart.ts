// `fallow restart`: seed section 5 from the shutdown's journal — the last etcd leader
// first, quorum, VIP, workers, health gates, addons, Rancher, VMs in waves, a new bundle.
import { Command } from 'commander';
import { parentFacts } from '../../engine/facts.js';
import { clusterDirOf } from '../../journal/paths.js';
import { Facts, readFact } from '../../runbook/facts.js';
import { restartRunbook } from '../../runbook/index.js';
import type { CliContext } from '../context.js';
import { buildRunbookEnv } from '../run/env.js';
import { shutdownToRestore } from '../run/find-runs.js';
import { lazyCluster } from '../run/lazy-connect.js';
import { addRunFlags, runSession, type SessionFlags } from '../run/session.js';
import type { CommandModule } from './index.js';

interface RestartFlags extends SessionFlags {
  run?: string;
}

export const restartCommand: CommandModule = {
  name: 'restart',
  register(program: Command, ctx: CliContext) {
    const cmd = new Command('restart')
      .description('bring the cluster back from its shutdown journal (seed section 5) and verify it')
      .option('--run <id>', 'the shutdown run to restore (default: the latest for this cluster)')
      .option('--from-partial', 'restore exactly what an incomplete shutdown recorded, and nothing else')
      .option('--wave-size <n>', 'at most this many VMs booting at once (default: sized to the cluster)')
      .option('--health-timeout <minutes>', 'how long the health gates may take', '15');
    addRunFlags(cmd).action(async (flags: RestartFlags, c: Command) => {
      const g = ctx.globals(c);
      const { cluster, kubeconfig } = lazyCluster(ctx, g);
      try {
        const root = ctx.stateRoot(g);
        const shutdown = shutdownToRestore(root, kubeconfig.server, { ...(flags.run ? { runId: flags.run } : {}), fromPartial: flags.fromPartial ?? false });
        const identity = shutdown.cluster!;
        const facts = parentFacts(clusterDirOf(root, identity.uid), shutdown.runId, identity.uid);
        const nodes = readFact(facts, Facts.network)?.nodes ?? [];
        const addresses = new Map(nodes.map((n) => [n.name, n.ip]));
        // From a shutdown that stopped early: steps whose records it never wrote are skipped,
        // so exactly what it recorded is restored and nothing else.
        const runbook = flags.fromPartial && shutdown.state !== 'completed' ? (await import('../../guard/wiring/partial.js')).partialRestartRunbook(facts) : restartRunbook;
        await runSession(ctx, g, flags, {
          runbook,
          identity,
          parentRunId: shutdown.runId,
          makeEnv: (run, operator) => buildRunbookEnv({ cluster, clock: ctx.clock, operator, flags, runDir: run.runDir, addresses }),
        });
      } finally {
        cluster.close();
      }
    });
    program.addCommand(cmd);
  },
};
