// buildReport: the before/after report as plain data. It decides the verdict and the one
// line that says it, computes durations, and strips anything secret-looking from facts,
// warnings and step details, so every renderer can print what it gets.
import type { Json } from '../engine/types.js';
import { isSecretKey, Masked, redactJson, redactStrings, redactText } from '../common/redact.js';
import type { ClusterSnapshot } from './snapshot-types.js';
import type { OutageTimeline } from './outage.js';
import { durationMs, formatDuration, type RunTimeline, type TimelineEvent, type TimelineStep } from './timeline.js';
import { defaultRules, diffSnapshots, summarizeDiff, type Difference, type DiffSummary, type VerifyRule } from './verify.js';

export const ReportSchema = 'fallow.harvesterhci.io/report/v1' as const;

export interface ReportInput {
  shutdown: RunTimeline;
  restart?: RunTimeline;
  before: ClusterSnapshot;
  after?: ClusterSnapshot;
  /** The verification; computed with `rules` when omitted and `after` is given. */
  diff?: Difference[];
  /** The rules the diff was (or is to be) computed with; default: every rule. */
  rules?: readonly VerifyRule[];
  warnings?: readonly string[];
  /** Facts the runs journaled (scale-available, enabled addons, etcd order…). */
  facts?: ReadonlyMap<string, Json> | Readonly<Record<string, Json>>;
  /** How the operator names the cluster (kubeconfig context); the UID is always shown too. */
  clusterName?: string;
  /** ISO time; defaults to now. */
  generatedAt?: string;
  /** The power outage that made the guard run these (guard-triggered runs only). */
  outage?: OutageTimeline;
}

/**
 * verified: restarted and no difference; verified-with-warnings: only warnings;
 * differences: at least one error; not-verified: restarted without an after snapshot;
 * shut-down: no restart yet; incomplete: a run stopped or is running; failed: a run failed.
 */
export type Verdict = 'verified' | 'verified-with-warnings' | 'differences' | 'not-verified' | 'shut-down' | 'incomplete' | 'failed';

export interface ReportStep extends TimelineStep {
  durationMs: number | null;
}

export interface ReportRun extends Omit<RunTimeline, 'steps'> {
  durationMs: number | null;
  steps: ReportStep[];
}

export interface Report {
  schema: typeof ReportSchema;
  generatedAt: string;
  cluster: {
    /** What to call it: the given name, else the start of its UID. */
    label: string;
    name: string | null;
    id: string | null;
    harvesterVersion: string | null;
    vip: string | null;
    nodes: string[];
  };
  result: {
    verdict: Verdict;
    /** True for verified and verified-with-warnings. */
    ok: boolean;
    /** "Verification: 0 differences", "Verification: 3 differences (1 error, 2 warnings)", or why there is none. */
    line: string;
    /** One sentence on what happened. */
    headline: string;
    summary: DiffSummary | null;
  };
  runs: ReportRun[];
  before: ClusterSnapshot;
  after: ClusterSnapshot | null;
  /** null: not verified (no restart or no after snapshot). */
  diff: Difference[] | null;
  /** Titles of the rules the verification applied (empty when not verified). */
  checks: string[];
  facts: Record<string, Json>;
  warnings: string[];
  /** Present when the guard ran the shutdown because of a power outage. */
  outage?: OutageTimeline;
}

export function buildReport(input: ReportInput): Report {
  const runs = [input.shutdown, ...(input.restart ? [input.restart] : [])].map(toReportRun);
  const rules = input.rules ?? defaultRules;
  const diff = input.after ? (input.diff ?? diffSnapshots(input.before, input.after, rules)).map(cleanDifference) : null;
  const summary = diff ? summarizeDiff(diff) : null;
  const { verdict, headline } = decide(runs, input.restart !== undefined, summary, input.outage);
  const id = input.before.cluster.id;
  const name = input.clusterName ?? null;
  return {
    schema: ReportSchema,
    generatedAt: input.generatedAt ?? new Date().toISOString(),
    cluster: {
      label: name ?? (id ? `cluster ${id.slice(0, 8)}` : 'unnamed cluster'),
      name,
      id,
      harvesterVersion: input.before.cluster.harvesterVersion,
      vip: input.before.vip.configuredIp ?? input.before.vip.ingressIp,
      nodes: input.before.nodes.map((n) => n.name),
    },
    result: { verdict, ok: verdict === 'verified' || verdict === 'verified-with-warnings', line: resultLine(summary, verdict), headline, summary },
    runs,
    // Snapshots from captureSnapshot are clean already; this guards hand-made ones.
    before: redactStrings(input.before),
    after: input.after ? redactStrings(input.after) : null,
    diff,
    checks: diff ? rules.map((r) => r.title) : [],
    facts: cleanFacts(input.facts),
    warnings: collectWarnings(input),
    ...(input.outage ? { outage: input.outage } : {}),
  };
}

function toReportRun(run: RunTimeline): ReportRun {
  return {
    ...run,
    durationMs: durationMs(run.startedAt, run.endedAt),
    steps: run.steps.map((s) => ({
      ...s,
      ...(s.detail !== undefined ? { detail: redactText(s.detail) } : {}),
      ...(s.waitedFor !== undefined ? { waitedFor: redactText(s.waitedFor) } : {}),
      durationMs: durationMs(s.startedAt, s.endedAt),
    })),
    ...(run.events ? { events: run.events.map((e): TimelineEvent => ({ ...e, message: redactText(e.message) })) } : {}),
  };
}

function decide(runs: ReportRun[], restarted: boolean, summary: DiffSummary | null, outage?: OutageTimeline): { verdict: Verdict; headline: string } {
  // Power came back mid-shutdown: the guard stopped it on purpose and the restart undid it.
  const stoppedOnPurpose = restarted && outage?.shutdownStopped === true;
  for (const [i, run] of runs.entries()) {
    if (i === 0 && stoppedOnPurpose) continue;
    const name = capitalize(run.runbook);
    const at = (['failed', 'stopped', 'pending'] as const).map((o) => run.steps.find((s) => s.outcome === o)).find((s) => s !== undefined);
    const where = at ? ` at step "${at.title}" (seed ${at.seed})${at.detail ? `: ${at.detail}` : ''}` : '';
    if (run.status === 'failed') return { verdict: 'failed', headline: `${name} failed${where}. Fix the cause, then run fallow resume.` };
    if (run.status === 'stopped') return { verdict: 'incomplete', headline: `${name} stopped${where}. Run fallow resume to go on.` };
    if (run.status === 'running') return { verdict: 'incomplete', headline: `${name} is still running${where}.` };
  }
  const took = (r: ReportRun | undefined) => (r ? formatDuration(r.durationMs) : '');
  if (!restarted) return { verdict: 'shut-down', headline: `The cluster was shut down in ${took(runs[0])}; it has not been restarted yet.` };
  const cycle = stoppedOnPurpose
    ? `Power came back during the shutdown: the guard stopped it after ${took(runs[0])} and restarted in ${took(runs[1])}`
    : `Shut down in ${took(runs[0])}, restarted in ${took(runs[1])}`;
  if (!summary) return { verdict: 'not-verified', headline: `${cycle}; no snapshot was taken after the restart, so nothing was verified.` };
  if (summary.errors > 0) return { verdict: 'differences', headline: `${cycle}; the cluster did not come back as it was. See the differences below.` };
  if (summary.warnings > 0) return { verdict: 'verified-with-warnings', headline: `${cycle}; it came back as it was, with warnings to check.` };
  return { verdict: 'verified', headline: `${cycle}; the cluster came back exactly as it was.` };
}

function resultLine(summary: DiffSummary | null, verdict: Verdict): string {
  if (!summary) return verdict === 'shut-down' ? 'Verification: pending (not restarted yet)' : 'Verification: not done';
  if (summary.total === 0) return 'Verification: 0 differences';
  const parts = [plural(summary.errors, 'error'), plural(summary.warnings, 'warning')].filter((p) => !p.startsWith('0 '));
  return `Verification: ${plural(summary.total, 'difference')} (${parts.join(', ')})`;
}

function cleanDifference(d: Difference): Difference {
  return { ...d, before: redactJson(d.before), after: redactJson(d.after), explanation: redactText(d.explanation) };
}

function cleanFacts(facts: ReportInput['facts']): Record<string, Json> {
  const entries = facts instanceof Map ? [...facts.entries()] : Object.entries(facts ?? {});
  const out: Record<string, Json> = {};
  for (const [k, v] of entries.sort(([a], [b]) => a.localeCompare(b))) out[k] = isSecretKey(k) ? Masked : redactJson(v);
  return out;
}

function collectWarnings(input: ReportInput): string[] {
  const all = [
    ...(input.warnings ?? []),
    ...input.before.unreadable.map((u) => `Before the shutdown, could not read ${u}`),
    ...(input.after?.unreadable ?? []).map((u) => `After the restart, could not read ${u}`),
  ];
  return [...new Set(all.map((t) => redactText(t)))];
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
