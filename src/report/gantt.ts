// The timeline chart: one Gantt per run, a row per step, a bar from its start to its end
// on a time axis relative to the run's start. Layout is computed as data first (tested
// without a browser), then drawn as inline SVG with no external fonts or assets.
import { html, type Html } from './html.js';
import type { ReportRun } from './report.js';
import { formatDuration, type StepOutcome } from './timeline.js';

export interface GanttRow {
  stepId: string;
  label: string;
  /** Full text for the tooltip: title, seed, duration, outcome, wait. */
  tooltip: string;
  y: number;
  outcome: StepOutcome;
  /** Absent for a step not reached. */
  bar?: { x: number; width: number; durationText: string };
}

export interface GanttLayout {
  width: number;
  height: number;
  chartX: number;
  chartWidth: number;
  rowHeight: number;
  rows: GanttRow[];
  ticks: { x: number; label: string }[];
}

const Width = 980;
const LabelWidth = 330;
const RightMargin = 70;
const RowHeight = 22;
const AxisHeight = 24;
/** Instant steps (check found it done, skipped) still get a visible mark. */
export const MinBarWidth = 3;

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;
const day = 24 * hour;
const niceSteps = [
  1, 2, 5, 10, 15, 30].map((n) => n * second).concat(
  [1, 2, 5, 10, 15, 30].map((n) => n * minute),
  [1, 2, 3, 6, 12].map((n) => n * hour),
  [1, 2, 7, 14].map((n) => n * day),
);

export const OutcomeColor: Record<StepOutcome, string> = {
  done: '#2e7d32',
  'already-done': '#00897b',
  skipped: '#9e9e9e',
  'dry-run': '#1e88e5',
  pending: '#bdbdbd',
  failed: '#c62828',
  stopped: '#ef6c00',
};

export function layoutGantt(run: ReportRun): GanttLayout {
  const t0 = Date.parse(run.startedAt);
  const ends = run.steps.map((s) => (s.endedAt ? Date.parse(s.endedAt) : NaN)).filter(Number.isFinite);
  const runEnd = run.endedAt ? Date.parse(run.endedAt) : NaN;
  const t1 = Math.max(t0, ...ends, Number.isFinite(runEnd) ? runEnd : t0);
  const span = Math.max(t1 - t0, second);
  const chartX = LabelWidth + 10;
  const chartWidth = Width - chartX - RightMargin;
  const scale = (t: number) => chartX + ((t - t0) / span) * chartWidth;

  const rows = run.steps.map((s, i): GanttRow => {
    const y = AxisHeight + i * RowHeight;
    const label = truncate(`${s.seed}  ${s.title}`, 46);
    const took = formatDuration(s.durationMs);
    const tooltip = [`${s.title} (seed ${s.seed})`, `${s.outcome}, ${took}`, s.waitedFor ? `waited for ${s.waitedFor}` : ''].filter(Boolean).join(' — ');
    const start = s.startedAt ? Date.parse(s.startedAt) : NaN;
    if (!Number.isFinite(start)) return { stepId: s.id, label, tooltip, y, outcome: s.outcome };
    const end = s.endedAt && Number.isFinite(Date.parse(s.endedAt)) ? Date.parse(s.endedAt) : t1;
    const x = Math.min(scale(start), chartX + chartWidth - MinBarWidth);
    const width = Math.max(MinBarWidth, scale(end) - scale(start));
    return { stepId: s.id, label, tooltip, y, outcome: s.outcome, bar: { x, width, durationText: took } };
  });

  const tickStep = niceSteps.find((n) => span / n <= 8) ?? 30 * day;
  const ticks: GanttLayout['ticks'] = [];
  for (let t = 0; t <= span; t += tickStep) ticks.push({ x: scale(t0 + t), label: tickLabel(t) });
  return { width: Width, height: AxisHeight + rows.length * RowHeight + 6, chartX, chartWidth, rowHeight: RowHeight, rows, ticks };
}

function tickLabel(ms: number): string {
  if (ms === 0) return '0';
  if (ms % day === 0) return `${ms / day}d`;
  if (ms % hour === 0) return `${ms / hour}h`;
  if (ms % minute === 0) return `${ms / minute}m`;
  return `${ms / second}s`;
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

const f = (n: number) => n.toFixed(1);

export function renderGantt(run: ReportRun): Html {
  const g = layoutGantt(run);
  const bottom = g.height - 6;
  return html`<svg class="gantt" role="img" viewBox="0 0 ${g.width} ${g.height}" width="${g.width}" height="${g.height}" data-run="${run.runbook}"
 aria-label="${`${run.runbook} timeline: ${g.rows.length} steps`}" font-family="system-ui, sans-serif" font-size="12">
${g.rows.map((r, i) => html`<rect x="0" y="${r.y}" width="${g.width}" height="${g.rowHeight}" fill="${i % 2 ? '#ffffff' : '#f5f7fa'}"/>
`)}${g.ticks.map((t) => html`<line x1="${f(t.x)}" y1="${AxisHeight - 4}" x2="${f(t.x)}" y2="${bottom}" stroke="#d0d7de" stroke-width="1"/>
<text x="${f(t.x)}" y="${AxisHeight - 8}" text-anchor="middle" fill="#57606a">${t.label}</text>
`)}${g.rows.map((r) => html`<g class="row" data-step="${r.stepId}"><title>${r.tooltip}</title>
<text x="6" y="${r.y + 15}" fill="${r.bar ? '#1f2328' : '#8c959f'}">${r.label}</text>
${r.bar
    ? html`<rect class="bar" data-step="${r.stepId}" data-outcome="${r.outcome}" x="${f(r.bar.x)}" y="${r.y + 4}" width="${f(r.bar.width)}" height="${g.rowHeight - 8}" rx="2" fill="${OutcomeColor[r.outcome]}"/>
<text x="${f(r.bar.x + r.bar.width + 4)}" y="${r.y + 15}" fill="#57606a">${r.bar.durationText}</text>`
    : html`<text x="${g.chartX}" y="${r.y + 15}" fill="#8c959f" font-style="italic">not reached</text>`}
</g>
`)}</svg>`;
}
