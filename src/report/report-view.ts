// The report's tables as neutral data (caption, columns, rows of cells with a tone), built
// once here so Markdown and HTML show the same content and differ only in markup.
import { capList } from '../common/list.js';
import type { Json } from '../engine/types.js';
import type { Report, ReportRun } from './report.js';
import type { ClusterSnapshot } from './snapshot-types.js';
import { formatDuration, formatTime, type StepOutcome } from './timeline.js';
import type { Difference } from './verify.js';

export type Tone = 'ok' | 'warn' | 'bad' | 'muted';
export type Cell = string | { text: string; tone: Tone };

export interface Table {
  /** Stable id for anchors and tests ("steps-shutdown", "nodes"). */
  id: string;
  caption: string;
  columns: string[];
  rows: Cell[][];
  /** Shown instead of an empty table. */
  empty?: string;
  /** Column indexes that must not wrap (numbers, times, durations). */
  nowrap?: number[];
}

export function cellText(c: Cell): string {
  return typeof c === 'string' ? c : c.text;
}

const outcomeTone: Record<StepOutcome, Tone> = {
  done: 'ok',
  'already-done': 'ok',
  skipped: 'muted',
  'dry-run': 'muted',
  pending: 'muted',
  failed: 'bad',
  stopped: 'warn',
};

export function runTitle(run: ReportRun): string {
  return `${run.runbook.charAt(0).toUpperCase()}${run.runbook.slice(1)}`;
}

export function runSummary(run: ReportRun): string {
  return `Run ${run.runId}: ${run.status}. Started ${formatTime(run.startedAt)}, ended ${formatTime(run.endedAt)}, took ${formatDuration(run.durationMs)}.`;
}

export function stepsTable(run: ReportRun): Table {
  return {
    id: `steps-${run.runbook}`,
    caption: `${runTitle(run)} steps`,
    columns: ['#', 'Seed', 'Step', 'Started', 'Took', 'Outcome', 'Waited for', 'Detail'],
    nowrap: [0, 1, 3, 4, 5],
    rows: run.steps.map((s, i) => [
      String(i + 1),
      s.seed,
      s.title,
      formatTime(s.startedAt),
      formatDuration(s.durationMs),
      { text: s.outcome, tone: outcomeTone[s.outcome] },
      s.waitedFor ?? '',
      s.detail ?? '',
    ]),
  };
}

const yes = (b: boolean, good = true): Cell => ({ text: b ? 'yes' : 'no', tone: b === good ? 'ok' : 'bad' });

/** What the snapshot taken before the shutdown recorded, one table per concern. */
export function recordedTables(s: ClusterSnapshot): Table[] {
  const enabled = s.addons.filter((a) => a.enabled);
  const problems = s.systemPods.flatMap((n) => n.problems.map((p) => `${n.namespace}/${p.name} ${p.status}`));
  return [
    {
      id: 'nodes', caption: 'Nodes', columns: ['Node', 'Roles', 'InternalIP', 'Ready'],
      rows: s.nodes.map((n) => [n.name, n.roles.join(', ') || 'worker', n.internalIP ?? '—', yes(n.ready)]),
    },
    {
      id: 'vip', caption: 'VIP', columns: ['Configured (harvester-system/vip)', 'Mode', 'Served (ingress-expose EXTERNAL-IP)'],
      rows: [[s.vip.configuredIp ?? '—', s.vip.mode ?? '—', s.vip.ingressIp ?? '—']],
    },
    {
      id: 'settings', caption: 'Settings (secrets masked)', columns: ['Setting', 'Value', 'Default?'],
      rows: Object.entries(s.settings).map(([k, v]) => [k, v.value ?? '(absent)', v.isDefault ? 'default' : 'set']),
    },
    {
      id: 'addons', caption: `Addons (${enabled.length} enabled: re-enabled after the restart)`, columns: ['Addon', 'Enabled', 'Status'],
      rows: s.addons.map((a) => [`${a.namespace}/${a.name}`, a.enabled ? 'yes' : 'no', a.failure ? { text: `${a.status} (${a.failure})`, tone: 'bad' } : a.status || '—']),
    },
    {
      id: 'rancher', caption: 'Rancher connection', columns: ['Deployment', 'scale-available', 'Replicas', 'Ready'],
      rows: ([['rancher', s.rancher.rancher], ['cattle-cluster-agent', s.rancher.agent]] as const).map(([name, d]) =>
        d ? [`cattle-system/${name}`, d.scaleAvailable ?? '(none)', String(d.replicas), String(d.readyReplicas)] : [`cattle-system/${name}`, '(absent)', '—', '—']),
    },
    {
      id: 'vms', caption: `Virtual machines (${s.vms.filter((v) => v.runningNow).length} of ${s.vms.length} running)`,
      columns: ['VM', 'Kind', 'runStrategy', 'Running', 'Node'],
      rows: s.vms.map((v) => [
        `${v.namespace}/${v.name}`,
        v.kind === 'downstream' ? `downstream (${v.guestCluster ?? 'unknown cluster'})` : 'traditional',
        v.runStrategy ?? (v.running === null ? '—' : `running: ${String(v.running)}`),
        { text: v.runningNow ? 'yes' : 'no', tone: v.runningNow ? 'ok' : 'muted' },
        v.node ?? '—',
      ]),
    },
    {
      id: 'volumes', caption: 'Longhorn volumes', columns: ['Volume', 'PVC', 'State', 'Robustness', 'Node'],
      rows: s.volumes.map((v) => [v.name, v.pvc ?? '—', v.state ?? '—', robustnessCell(v.robustness), v.node ?? '—']),
    },
    {
      id: 'etcd', caption: `etcd (leader: ${s.etcd?.leader ?? 'unknown'})`, columns: ['Member', 'Node', 'Endpoint', 'Leader'],
      rows: (s.etcd?.members ?? []).map((m) => [m.id, m.node ?? '—', m.endpoint, m.isLeader ? 'leader' : '']),
      empty: s.etcd ? 'No members reported.' : 'etcd could not be read.',
    },
    {
      id: 'system-pods', caption: `System pods${problems.length ? ` (not ready: ${capList(problems, 3)})` : ''}`,
      columns: ['Namespace', 'Ready', 'Completed', 'Not ready'],
      rows: s.systemPods.map((n) => [
        n.namespace,
        { text: `${n.ready}/${n.total}`, tone: n.ready === n.total ? 'ok' : 'bad' },
        String(n.completed),
        n.problems.map((p) => `${p.name} (${p.status})`).join(', ') || '—',
      ]),
    },
  ];
}

function robustnessCell(r: string | null): Cell {
  if (r === 'healthy') return { text: r, tone: 'ok' };
  if (r === 'degraded') return { text: r, tone: 'warn' };
  if (r === 'faulted') return { text: r, tone: 'bad' };
  return r ?? '—';
}

/** Long structured facts (network, etcd order) are shown shortened; -o json has them whole. */
const FactTextMax = 240;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters in the JSON report)`;
}

export function factsTable(facts: Record<string, Json>): Table {
  return {
    id: 'facts', caption: 'Facts journaled by the runs', columns: ['Fact', 'Value'],
    rows: Object.entries(facts).map(([k, v]) => [k, shorten(typeof v === 'string' ? v : JSON.stringify(v), FactTextMax)]),
    empty: 'No facts were handed to the report.',
  };
}

export function diffTable(diff: readonly Difference[]): Table {
  return {
    id: 'diff', caption: 'Differences', columns: ['Severity', 'What', 'Before', 'After', 'Explanation'],
    nowrap: [0],
    rows: diff.map((d) => [{ text: d.severity, tone: d.severity === 'error' ? 'bad' : 'warn' }, d.path, showJson(d.before), showJson(d.after), d.explanation]),
  };
}

function showJson(v: Json): string {
  if (v === null) return '—';
  if (v === '') return '""';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function resultTone(report: Report): Tone {
  if (report.result.verdict === 'verified') return 'ok';
  if (report.result.ok || report.result.verdict === 'shut-down' || report.result.verdict === 'not-verified') return 'warn';
  return 'bad';
}
