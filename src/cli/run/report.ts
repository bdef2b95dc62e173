// Writes the before/after report of a shutdown (and its restart, when there is one) from
// their journals: the snapshots and verification the runbook recorded, the timelines of
// both runs, the warnings. Used by `fallow report` and at the end of `fallow rehearse`.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../../common/errors.js';
import { JOURNAL_FILE } from '../../journal/paths.js';
import { readJournal } from '../../journal/reader.js';
import type { JournalRecord } from '../../journal/records.js';
import { listRuns, type RunSummary } from '../../journal/runs.js';
import { buildReport, factsFromJournal, parseSnapshot, renderHtml, renderJson, renderMarkdown, timelineFromJournal, type Report } from '../../report/index.js';
import { restartRunbook, shutdownRunbook } from '../../runbook/index.js';
import { SnapshotFacts } from '../../runbook/facts.js';
import { guardJournalPath } from '../../guard/wiring/guard-journal.js';
import { outageFromFile } from '../../guard/wiring/outage.js';

export type ReportFormat = 'md' | 'html' | 'json';

function records(run: RunSummary): JournalRecord[] {
  return readJournal(join(run.runDir, JOURNAL_FILE)).records;
}

function warningsOf(recs: JournalRecord[]): string[] {
  return recs.flatMap((r) => (r.type === 'warning' ? [r.message] : []));
}

/** The shutdown/restart pair for a run id (either one), or the latest pair of the cluster. */
export function pairFor(stateRoot: string, uid: string, runId?: string): { shutdown: RunSummary; restart?: RunSummary } {
  const runs = listRuns(stateRoot, uid);
  const byId = runId ? runs.find((r) => r.runId === runId) : undefined;
  if (runId && !byId) throw new UsageError(`no run ${runId} for this cluster`, 'See `fallow status` for the runs');
  const shutdown =
    byId?.runbook === 'restart' ? runs.find((r) => r.runId === byId.parentRunId) : byId ?? runs.filter((r) => r.runbook === 'shutdown').sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))[0];
  if (!shutdown) throw new UsageError('no shutdown run to report on for this cluster', 'Run `fallow shutdown` first (or `fallow rehearse`)');
  const restart = byId?.runbook === 'restart' ? byId : runs.filter((r) => r.runbook === 'restart' && r.parentRunId === shutdown.runId).sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))[0];
  return { shutdown, ...(restart ? { restart } : {}) };
}

export function reportFor(pair: { shutdown: RunSummary; restart?: RunSummary }, clusterName?: string): Report {
  const sRecs = records(pair.shutdown);
  const rRecs = pair.restart ? records(pair.restart) : [];
  const sFacts = factsFromJournal(sRecs);
  const rFacts = factsFromJournal(rRecs);
  const snap = (v: unknown, what: string) => (v === undefined ? undefined : parseSnapshot(JSON.stringify(v), what));
  const before = snap(sFacts[SnapshotFacts.before], 'the recorded snapshot before the shutdown');
  if (!before) throw new UsageError(`shutdown ${pair.shutdown.runId} recorded no snapshot`, 'Resume it past its snapshot step (`fallow resume`)');
  const after = snap(rFacts[SnapshotFacts.after], 'the snapshot after the restart');
  // A shutdown the power-outage guard ran: its outage (the guard journal sits beside the runs).
  const outage = outageFromFile(guardJournalPath(dirname(pair.shutdown.runDir)), pair.shutdown.runId);
  return buildReport({
    shutdown: timelineFromJournal(sRecs, shutdownRunbook.steps),
    ...(pair.restart ? { restart: timelineFromJournal(rRecs, restartRunbook.steps) } : {}),
    before,
    ...(after ? { after } : {}),
    warnings: [...warningsOf(sRecs), ...warningsOf(rRecs)],
    facts: sFacts,
    ...(clusterName ? { clusterName } : {}),
    ...(outage ? { outage } : {}),
  });
}

export function writeReport(report: Report, dir: string, formats: ReportFormat[]): string[] {
  const files: string[] = [];
  for (const f of formats) {
    const file = join(dir, `report.${f}`);
    const text = f === 'html' ? renderHtml(report) : f === 'md' ? renderMarkdown(report) : renderJson(report);
    writeFileSync(file, text, { mode: 0o600 });
    files.push(file);
  }
  return files;
}
