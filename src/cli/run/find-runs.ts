// Finding the shutdown a restart restores. The API is down at restart, so the cluster's
// UID cannot be asked: runs are found in the state root by the kubeconfig's server URL
// (or by --run id), and the journal's recorded identity is checked again once the API
// answers.
import { readdirSync } from 'node:fs';
import { FatalError, UsageError } from '../../common/errors.js';
import { normalizeServer } from '../../journal/identity.js';
import { listRuns, type RunSummary } from '../../journal/runs.js';

/** Cluster directories under the state root (other files there are not runs). */
export function clusterUids(stateRoot: string): string[] {
  try {
    return readdirSync(stateRoot, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

export function runsForServer(stateRoot: string, server: string): RunSummary[] {
  const uids = clusterUids(stateRoot);
  const want = normalizeServer(server);
  return uids.flatMap((uid) => listRuns(stateRoot, uid)).filter((r) => r.cluster && normalizeServer(r.cluster.server) === want);
}

export function findRunById(stateRoot: string, runId: string): RunSummary | undefined {
  return clusterUids(stateRoot).flatMap((uid) => listRuns(stateRoot, uid)).find((r) => r.runId === runId);
}

/** The shutdown to restore: --run, else the latest shutdown for this server. Refuses partial ones unless allowed. */
export function shutdownToRestore(stateRoot: string, server: string, o: { runId?: string; fromPartial: boolean }): RunSummary {
  const run = o.runId ? findRunById(stateRoot, o.runId) : runsForServer(stateRoot, server).filter((r) => r.runbook === 'shutdown').sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))[0];
  if (!run) {
    throw new UsageError(
      o.runId ? `no run ${o.runId} under ${stateRoot}` : `no shutdown journal for ${server} under ${stateRoot}`,
      'Point --state-dir at the folder the shutdown wrote, or pass --run <id> (see `fallow status`)',
    );
  }
  if (run.runbook !== 'shutdown') throw new UsageError(`run ${run.runId} is a ${run.runbook}, not a shutdown`, 'Pass the id of a shutdown run');
  if (run.state === 'corrupt') throw new FatalError(`the journal of shutdown ${run.runId} is damaged`, `Inspect ${run.runDir}; nothing was changed`);
  if (run.state !== 'completed' && !o.fromPartial) {
    throw new FatalError(
      `shutdown ${run.runId} did not complete (${run.state}${run.message ? `: ${run.message}` : ''})`,
      'Finish it with `fallow resume` first, or restore exactly what it recorded with `fallow restart --from-partial`',
    );
  }
  return run;
}
