// The body of `fallow status` (../commands/status.ts declares it): runs and their state
// from the journals alone; loaded only when the command runs.
import type { Command } from 'commander';
import { UsageError } from '../../common/errors.js';
import { runStatus, type RunStatusView } from '../../engine/status.js';
import { listRuns, type RunSummary } from '../../journal/runs.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { type Colors, type OutputFormat, render, table } from '../output.js';
import { clusterUids, findRunById, runsForServer } from '../run/find-runs.js';

export interface StatusData {
  apiVersion: 'fallow.status/v1';
  kind: 'Status';
  stateDir: string;
  /** The server runs were matched by; absent with --all or a run id. */
  server?: string;
  runs: RunSummary[];
  /** The run shown in detail: the one asked for, else the newest. */
  run?: RunStatusView;
}

function allRuns(root: string): RunSummary[] {
  return clusterUids(root).flatMap((uid) => listRuns(root, uid)).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
}

export async function gatherStatus(ctx: CliContext, g: GlobalOptions, runId: string | undefined, all: boolean): Promise<StatusData> {
  const root = ctx.stateRoot(g);
  if (runId) {
    const run = findRunById(root, runId);
    if (!run) throw new UsageError(`no run ${runId} under ${root}`, 'List the runs with `fallow status --all` (and check --state-dir)');
    return { apiVersion: 'fallow.status/v1', kind: 'Status', stateDir: root, runs: [run], ...(run.state !== 'corrupt' && run.state !== 'empty' ? { run: runStatus(run.runDir) } : {}) };
  }
  let server: string | undefined;
  let runs: RunSummary[];
  if (all) runs = allRuns(root);
  else {
    // Loaded on use: it brings the Kubernetes client, which status otherwise never needs.
    const { loadKubeconfig } = await import('../../cluster/kubeconfig.js');
    server = loadKubeconfig({ ...(g.kubeconfig ? { kubeconfig: g.kubeconfig } : {}), ...(g.context ? { context: g.context } : {}), env: ctx.io.env }).server;
    runs = runsForServer(root, server).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
  }
  const latest = runs.filter((r) => r.state !== 'corrupt' && r.state !== 'empty').at(-1);
  return { apiVersion: 'fallow.status/v1', kind: 'Status', stateDir: root, ...(server ? { server } : {}), runs, ...(latest ? { run: runStatus(latest.runDir) } : {}) };
}

const when = (t: number | undefined) => (t === undefined ? '' : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z'));

function stepMark(c: Colors, s: string): string {
  if (s === 'done') return c.green('done');
  if (s === 'skipped') return c.dim('skipped');
  if (s === 'failed') return c.red('failed');
  if (s === 'in-flight') return c.yellow('in-flight');
  return 'pending';
}

export function renderStatus(d: StatusData, c: Colors, name: string): string {
  if (d.runs.length === 0) return `No fallow runs${d.server ? ` for ${d.server}` : ''} under ${d.stateDir}.\n`;
  let out = table(
    ['RUN', 'RUNBOOK', 'STATE', 'STARTED', 'LAST', 'MESSAGE'],
    d.runs.map((r) => [r.runId, r.runbook ?? '?', r.state, when(r.startedAt), when(r.lastAt), r.message ?? '']),
  );
  const r = d.run;
  if (!r) return out;
  out += `\n${c.bold(`Run ${r.runId}`)} (${r.runbook}, ${r.state}${r.sessions > 1 ? `, ${r.sessions} sessions` : ''})\n`;
  out += `  cluster ${r.cluster.server} (kube-system ${r.cluster.uid}); fallow ${r.version}; journal ${r.runDir}\n`;
  if (r.parentRunId) out += `  restores shutdown ${r.parentRunId}\n`;
  out += `  steps: ${Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ')}\n\n`;
  out += table(
    ['STEP', 'STATUS', 'DETAIL'],
    r.steps.map((s) => [
      s.id,
      stepMark(c, s.status),
      [s.detail ?? '', ...s.waits.map((w) => `waiting: ${w.name} (deadline ${when(w.deadline)})`)].filter(Boolean).join('; '),
    ]),
  );
  if (Object.keys(r.facts).length) out += `\n  recorded facts: ${Object.keys(r.facts).sort().join(', ')} (-o json shows them)\n`;
  if (r.lastWarning) out += `  last warning: ${r.lastWarning.message}\n`;
  if (r.torn) out += `  ${c.yellow('note')}: the journal's last line was torn (a crash mid-write) and is ignored\n`;
  if (r.end) out += `  ended: ${r.state}${r.end.reason ? ` (${r.end.reason})` : ''}${r.end.message ? `: ${r.end.message}` : ''}\n`;
  if (r.state === 'stopped' || r.state === 'interrupted') out += `  next: ${name} resume${d.runs.length > 1 ? ` ${r.runId}` : ''}\n`;
  return out;
}

export async function statusAction(ctx: CliContext, c: Command, runId: string | undefined, opts: { all?: boolean; output: OutputFormat }): Promise<void> {
  const g = ctx.globals(c);
  const data = await gatherStatus(ctx, g, runId, opts.all ?? false);
  ctx.io.stdout.write(render(opts.output, data, (d) => renderStatus(d, ctx.colors(g), ctx.name)));
}
