// What this cluster's earlier completed shutdowns took, per step, from their journals: the
// ShutdownHistory the estimator (src/runbook/estimate.ts) learns from. Times are the
// journal's (modelled) step-start → step-done; a step that spans a resume, or that found
// its work already done, teaches nothing and is left out.
import { join } from 'node:path';
import { formatError } from '../../common/errors.js';
import { JOURNAL_FILE } from '../../journal/paths.js';
import { readJournal } from '../../journal/reader.js';
import type { JournalRecord } from '../../journal/records.js';
import { replay } from '../../journal/replay.js';
import { listRuns } from '../../journal/runs.js';
import { defaultRunOptions } from '../../runbook/env.js';
import type { PastShutdown, ShutdownHistory } from '../../runbook/estimate.js';
import { Facts, readFact } from '../../runbook/facts.js';

/** How many recent completed shutdowns count (the slowest of them wins, per step). */
export const LEARN_FROM_RUNS = 3;

export function pastShutdown(records: readonly JournalRecord[]): PastShutdown | undefined {
  const start = records[0];
  if (!start || start.type !== 'run-start' || start.runbook !== 'shutdown') return undefined;
  const begun = new Map<string, number>();
  const stepMs: Record<string, number> = {};
  for (const r of records) {
    if (r.type === 'resume') begun.clear();
    else if (r.type === 'step-start') begun.set(r.step, r.t);
    else if (r.type === 'step-done') {
      const t0 = begun.get(r.step);
      if (t0 !== undefined && !r.alreadyDone) stepMs[r.step] = r.t - t0;
    }
  }
  const opts = (start.options ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  const facts = replay([...records]).facts;
  const vms = (readFact(facts, Facts.vms) ?? []).filter((v) => v.vmiRan);
  const grace = num(opts.guestGrace);
  const etcdNodes = readFact(facts, Facts.network)?.nodes.filter((n) => n.etcd).length;
  return {
    runId: start.runId,
    stepMs,
    stopConcurrency: num(opts.stopConcurrency) ?? defaultRunOptions.stopConcurrency,
    ...(grace !== undefined ? { guestGraceSeconds: grace } : {}),
    runningVms: { traditional: vms.filter((v) => !v.downstream).length, downstream: vms.filter((v) => v.downstream).length },
    ...(etcdNodes !== undefined ? { etcdNodes } : {}),
  };
}

/** The newest completed shutdowns of the cluster; unreadable journals are passed over (`skipped`). */
export function shutdownHistory(stateRoot: string, clusterUid: string, max = LEARN_FROM_RUNS): ShutdownHistory & { skipped: string[] } {
  const done = listRuns(stateRoot, clusterUid).filter((r) => r.runbook === 'shutdown' && r.state === 'completed');
  const runs: PastShutdown[] = [];
  const skipped: string[] = [];
  for (const r of done.slice(-max).reverse()) {
    try {
      const past = pastShutdown(readJournal(join(r.runDir, JOURNAL_FILE)).records);
      if (past) runs.push(past);
    } catch (err) {
      skipped.push(`${r.runId}: ${formatError(err)}`);
    }
  }
  return { runs, skipped };
}
