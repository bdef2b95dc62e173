// The work of `fallow resume` (see commands/resume.ts): pick the run, rebuild its flags
// and environment, check the cluster's identity when the API answers, and hand the run
// directory to the engine.
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { FatalError, UsageError } from '../../common/errors.js';
import { clusterIdentity } from '../../cluster/discovery.js';
import { parentFacts } from '../../engine/facts.js';
import { runStatus } from '../../engine/status.js';
import type { Runbook } from '../../engine/types.js';
import { JOURNAL_FILE } from '../../journal/paths.js';
import { readJournal } from '../../journal/reader.js';
import type { ClusterIdentity } from '../../journal/records.js';
import { replay } from '../../journal/replay.js';
import { resumableRuns, type RunSummary } from '../../journal/runs.js';
import { Facts, readFact } from '../../runbook/facts.js';
import { restartRunbook, shutdownRunbook, type RunbookEnv } from '../../runbook/index.js';
import type { CliContext } from '../context.js';
import { buildRunbookEnv, liveAddresses } from './env.js';
import { findRunById, runsForServer } from './find-runs.js';
import { lazyCluster } from './lazy-connect.js';
import { runSession, type SessionFlags } from './session.js';

const runbooks: Record<string, Runbook<RunbookEnv>> = { shutdown: shutdownRunbook, restart: restartRunbook };

export interface ResumeFlags extends SessionFlags {
  allowServerChange?: boolean;
}

/** The run to resume: the one named, else the newest stopped/incomplete one for this server. */
export function runToResume(root: string, server: string, runId: string | undefined): RunSummary {
  if (runId) {
    const run = findRunById(root, runId);
    if (!run) throw new UsageError(`no run ${runId} under ${root}`, 'See `fallow status --all` (and check --state-dir)');
    if (run.state === 'completed') throw new UsageError(`run ${runId} has already completed`, 'Nothing to resume; see `fallow status`');
    if (run.state === 'corrupt' || run.state === 'empty') throw new FatalError(`the journal of run ${runId} is ${run.state}${run.message ? `: ${run.message}` : ''}`, `Inspect ${run.runDir}; nothing was changed`);
    return run;
  }
  const open = resumableRuns(runsForServer(root, server).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0)));
  const run = open.at(-1);
  if (!run) throw new UsageError(`no stopped or interrupted run for ${server} under ${root}`, 'See `fallow status` (or pass --state-dir / a run id)');
  return run;
}

export async function resume(ctx: CliContext, c: Command, runId: string | undefined, given: ResumeFlags): Promise<void> {
  const g = ctx.globals(c);
  const { cluster, kubeconfig } = lazyCluster(ctx, g);
  try {
    const root = ctx.stateRoot(g);
    const summary = runToResume(root, kubeconfig.server, runId);
    const runbook = runbooks[summary.runbook ?? ''];
    if (!runbook) throw new UsageError(`run ${summary.runId} is a "${summary.runbook}" run, which \`resume\` does not know`, 'Resume it with the command that started it');
    const status = runStatus(summary.runDir);
    const stored: ResumeFlags = startOptions(summary.runDir);
    const explicit = Object.fromEntries(Object.entries(given).filter(([k]) => c.getOptionValueSource(k) === 'cli'));
    const flags: ResumeFlags = { ...stored, ...explicit, ...(given.output ? { output: given.output } : {}) };

    let identity: ClusterIdentity;
    if (await cluster.reachable()) {
      const live = await clusterIdentity(cluster);
      identity = { uid: live.uid, server: live.server };
    } else {
      // The engine still refuses a journal whose server differs (unless --allow-server-change).
      ctx.io.stderr.write(`${ctx.name}: the API at ${kubeconfig.server} does not answer (expected while nodes are down): resuming by the journal's identity\n`);
      identity = { uid: status.cluster.uid, server: kubeconfig.server };
    }
    // A restart's node addresses were recorded by its shutdown (the API may still be down).
    const facts = new Map(Object.entries(status.facts));
    if (status.parentRunId) for (const [k, v] of parentFacts(dirname(summary.runDir), status.parentRunId, status.cluster.uid)) if (!facts.has(k)) facts.set(k, v);
    const recorded = readFact(facts, Facts.network)?.nodes;
    const addresses = recorded ? new Map(recorded.map((n) => [n.name, n.ip])) : await liveAddresses(cluster);
    await runSession(ctx, g, flags, {
      runbook,
      identity,
      resumeDir: summary.runDir,
      ...(flags.allowServerChange ? { allowServerChange: true } : {}),
      makeEnv: (run, operator) => buildRunbookEnv({ cluster, clock: ctx.clock, operator, flags, runDir: run.runDir, addresses }),
    });
  } finally {
    cluster.close();
  }
}

/** The flags the run was started with (stored by the session: strings and booleans, never secrets). */
function startOptions(runDir: string): Record<string, string | boolean> {
  const start = replay(readJournal(join(runDir, JOURNAL_FILE)).records).start;
  const out: Record<string, string | boolean> = {};
  const opts = start.options;
  if (opts && typeof opts === 'object' && !Array.isArray(opts)) {
    for (const [k, v] of Object.entries(opts)) if (typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}
