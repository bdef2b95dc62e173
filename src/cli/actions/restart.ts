// The body of `fallow restart` (../commands/restart.ts declares its flags): loaded only
// when the command runs, with the runbooks, the engine and the Kubernetes client.
import type { Command } from 'commander';
import { parentFacts } from '../../engine/facts.js';
import { clusterDirOf } from '../../journal/paths.js';
import { Facts, readFact } from '../../runbook/facts.js';
import { partialRestartRunbook, restartRunbook } from '../../runbook/index.js';
import type { CliContext } from '../context.js';
import { buildRunbookEnv } from '../run/env.js';
import type { SessionFlags } from '../run/flags.js';
import { shutdownToRestore } from '../run/find-runs.js';
import { lazyCluster } from '../run/lazy-connect.js';
import { runSession } from '../run/session.js';

export interface RestartFlags extends SessionFlags {
  run?: string;
}

export async function restartAction(ctx: CliContext, c: Command, flags: RestartFlags): Promise<void> {
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
    const runbook = flags.fromPartial && shutdown.state !== 'completed' ? partialRestartRunbook(facts) : restartRunbook;
    await runSession(ctx, g, flags, {
      runbook,
      identity,
      parentRunId: shutdown.runId,
      makeEnv: (run, operator) => buildRunbookEnv({ cluster, clock: ctx.clock, operator, flags, runDir: run.runDir, addresses }),
    });
  } finally {
    cluster.close();
  }
}
