// The report as one self-contained HTML page: inline CSS, inline SVG timelines, no script,
// no fonts, images or styles fetched from anywhere, so it reads the same offline, attached
// to a ticket or printed. All cluster data goes through the escaping `html` template.
import { renderGantt, OutcomeColor } from './gantt.js';
import { html, Html } from './html.js';
import { outageTables } from './outage.js';
import type { Report } from './report.js';
import { cellText, diffTable, factsTable, recordedTables, resultTone, runSummary, runTitle, stepsTable, type Cell, type Table } from './report-view.js';
import { formatTime, type StepOutcome } from './timeline.js';

const css = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0; background: #fff; }
main { max-width: 1040px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
#result { font-size: 18px; font-weight: 600; padding: 10px 14px; border-radius: 6px; margin: 8px 0; }
.tone-ok { color: #1a7f37; } .tone-warn { color: #9a6700; } .tone-bad { color: #cf222e; } .tone-muted { color: #6e7781; }
#result.tone-ok { background: #dafbe1; } #result.tone-warn { background: #fff8c5; } #result.tone-bad { background: #ffebe9; }
dl.identity { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; }
dl.identity dt { color: #57606a; } dl.identity dd { margin: 0; font-family: ui-monospace, monospace; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 14px; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td { word-break: break-word; }
td.nw { white-space: nowrap; word-break: normal; }
nav { margin: 4px 0 0; } nav a { margin-right: 14px; color: #0969da; text-decoration: none; }
svg.gantt { display: block; max-width: 100%; height: auto; border: 1px solid #d0d7de; border-radius: 4px; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; vertical-align: middle; }
footer { color: #6e7781; font-size: 12px; margin-top: 32px; }
@media print { main { max-width: none; } .scroll { overflow: visible; } }
`;

function table(t: Table): Html {
  if (t.rows.length === 0) return html`<p id="${t.id}" class="empty"><strong>${t.caption}:</strong> ${t.empty ?? 'none.'}</p>`;
  return html`<div class="scroll"><table id="${t.id}"><caption>${t.caption}</caption>
<thead><tr>${t.columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
<tbody>
${t.rows.map((r) => html`<tr>${r.map((c, i) => cell(c, t.nowrap?.includes(i) ?? false))}</tr>
`)}</tbody></table></div>`;
}

function cell(c: Cell, nowrap: boolean): Html {
  const classes = [typeof c === 'string' ? '' : `tone-${c.tone}`, nowrap ? 'nw' : ''].filter(Boolean).join(' ');
  return classes ? html`<td class="${classes}">${cellText(c)}</td>` : html`<td>${cellText(c)}</td>`;
}

function legend(): Html {
  const shown: StepOutcome[] = ['done', 'already-done', 'skipped', 'dry-run', 'stopped', 'failed'];
  return html`<p class="legend">${shown.map((o) => html`<span><i style="background:${OutcomeColor[o]}"></i>${o}</span>`)}</p>`;
}

function timeline(report: Report): Html {
  return html`<section id="timeline"><h2>Timeline</h2>
${report.runs.map((run) => html`<article class="run" data-run="${run.runbook}">
<h3>${runTitle(run)}</h3>
<p>${runSummary(run)}</p>
${renderGantt(run)}
${legend()}
${table(stepsTable(run))}
${run.events?.length ? html`<ul class="events">${run.events.map((e) => html`<li class="tone-${e.level === 'info' ? 'muted' : e.level === 'warning' ? 'warn' : 'bad'}">${formatTime(e.at)} ${e.level}: ${e.message}</li>`)}</ul>` : ''}
</article>
`)}${report.runs.length < 2 ? html`<p class="tone-muted">The cluster has not been restarted yet.</p>` : ''}
</section>`;
}

function verification(report: Report): Html {
  if (report.diff === null) return html`<section id="verification"><h2>Verification</h2><p>${report.result.line}.</p></section>`;
  return html`<section id="verification"><h2>Verification</h2>
<p>Compared with the snapshot taken after the restart (${formatTime(report.after?.takenAt)}).</p>
${report.diff.length === 0
    ? html`<p id="no-differences" class="tone-ok"><strong>0 differences</strong>: the cluster came back as it was before the shutdown.</p>`
    : table(diffTable(report.diff))}
<details><summary>What was checked</summary><ul>${report.checks.map((c) => html`<li>${c}</li>`)}</ul></details>
</section>`;
}

export function renderHtml(report: Report): string {
  const c = report.cluster;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="fallow (${report.schema})">
<title>fallow report: ${c.label} — ${report.result.line}</title>
<style>${Html.unsafeRaw(css)}</style>
</head>
<body><main>
<header>
<h1>fallow report: ${c.label}</h1>
<p id="result" class="tone-${resultTone(report)}" data-verdict="${report.result.verdict}">${report.result.line}</p>
<p id="headline">${report.result.headline}</p>
<nav>${report.outage ? html`<a href="#outage-section">Power outage</a>` : ''}<a href="#timeline">Timeline</a><a href="#recorded">Recorded</a><a href="#verification">Verification</a><a href="#warnings">Warnings</a></nav>
<dl class="identity">
<dt>Name</dt><dd>${c.name ?? '—'}</dd>
<dt>kube-system UID</dt><dd>${c.id ?? '—'}</dd>
<dt>Harvester</dt><dd>${c.harvesterVersion ?? '—'}</dd>
<dt>VIP</dt><dd>${c.vip ?? '—'}</dd>
<dt>Nodes</dt><dd>${c.nodes.length}: ${c.nodes.join(', ')}</dd>
</dl>
</header>
${report.outage ? html`<section id="outage-section"><h2>Power outage</h2>
${outageTables(report.outage).map(table)}
</section>` : ''}
${timeline(report)}
<section id="recorded"><h2>Recorded before the shutdown</h2>
<p>Snapshot taken ${formatTime(report.before.takenAt)}.</p>
${recordedTables(report.before).map(table)}
${table(factsTable(report.facts))}
</section>
${verification(report)}
<section id="warnings"><h2>Warnings</h2>
${report.warnings.length ? html`<ul>${report.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : html`<p>None.</p>`}
</section>
<footer>Generated by fallow at ${formatTime(report.generatedAt)} · ${report.schema}</footer>
</main></body>
</html>
`;
  return page.value;
}
