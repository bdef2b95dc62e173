import { beforeAll, describe, expect, it } from 'vitest';
import { layoutGantt, MinBarWidth } from '../../src/report/gantt.js';
import { escapeHtml, html } from '../../src/report/html.js';
import { buildReport, type Report } from '../../src/report/report.js';
import { renderHtml } from '../../src/report/render-html.js';
import { renderJson } from '../../src/report/render-json.js';
import { mdText, renderMarkdown } from '../../src/report/render-markdown.js';
import { captureSnapshot } from '../../src/report/snapshot.js';
import type { ClusterSnapshot } from '../../src/report/snapshot-types.js';
import { newStore, secrets, seedCluster, storeReader } from './fixture-cluster.js';
import { restartRun, shutdownRun } from './fixture-runs.js';

let before: ClusterSnapshot;
let verified: Report;

beforeAll(async () => {
  const store = newStore();
  const etcd = seedCluster(store);
  before = await captureSnapshot(storeReader(store, async () => etcd), { now: () => Date.parse('2025-01-10T07:59:00Z') });
  const after = { ...structuredClone(before), takenAt: '2025-01-13T08:00:00.000Z' };
  verified = buildReport({
    shutdown: shutdownRun(), restart: restartRun(), before, after, clusterName: 'lab-a', generatedAt: '2025-01-13T08:01:00Z',
    facts: { 'rancher.scaleAvailable': '3', 'addons.enabled': ['cattle-monitoring-system/rancher-monitoring'] },
  });
});

function withDifferences(): Report {
  const after = structuredClone(before);
  after.vip.ingressIp = null;
  after.volumes[1]!.robustness = 'degraded';
  return buildReport({ shutdown: shutdownRun(), restart: restartRun(), before, after, clusterName: 'lab-a' });
}

describe('renderJson', () => {
  it('is the report, as parseable JSON', () => {
    const text = renderJson(verified);
    expect(JSON.parse(text)).toEqual(verified);
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('renderMarkdown', () => {
  it('shows header, result, both timelines, what was recorded and 0 differences', () => {
    const md = renderMarkdown(verified);
    expect(md).toMatch(/^# fallow report: lab-a\n/);
    expect(md).toContain('**Verification: 0 differences**. Shut down in 14m 34s, restarted in 24m 54s');
    expect(md).toContain('### Shutdown');
    expect(md).toContain('### Restart');
    expect(md).toContain('| 4 | 3.1 | Stop traditional VMs | 2025-01-10 08:03:35 UTC | 3m 06s | done | VMIs gone (web, legacy) | stopped 2 VMs in 1 wave |');
    expect(md).toContain('| harv41 | control-plane, etcd, master | 127.0.1.41 | yes |');
    expect(md).toContain('| cattle-system/rancher | 3 | 3 | 3 |');
    expect(md).toContain('The cluster came back as it was before the shutdown.');
    expect(md).toContain('| rancher.scaleAvailable | 3 |');
    for (const s of Object.values(secrets)) expect(md).not.toContain(s);
  });

  it('lists differences with severity and explanation', () => {
    const md = renderMarkdown(withDifferences());
    expect(md).toContain('**Verification: 2 differences (1 error, 1 warning)**');
    expect(md).toMatch(/\| error \| vip/);
    expect(md).toMatch(/\| warning \| volumes\/pvc-394713a4\/robustness \| healthy \| degraded \|/);
  });

  it('says when the cluster has not been restarted', () => {
    const md = renderMarkdown(buildReport({ shutdown: shutdownRun(), before }));
    expect(md).toContain('Verification: pending (not restarted yet)');
    expect(md).toContain('_The cluster has not been restarted yet._');
    expect(md).not.toContain('### Restart');
  });

  it('escapes Markdown and HTML in cluster data', () => {
    expect(mdText('a|b *c* <script>x</script> [l](u) `t`')).toBe('a\\|b \\*c\\* &lt;script&gt;x&lt;/script&gt; \\[l\\](u) \\`t\\`');
    const evil = structuredClone(before);
    evil.vms[0]!.name = 'x|y<img src=x onerror=alert(1)>';
    const md = renderMarkdown(buildReport({ shutdown: shutdownRun(), before: evil }));
    expect(md).toContain('x\\|y&lt;img src=x onerror=alert(1)&gt;');
    expect(md).not.toContain('<img');
  });
});

describe('html builder', () => {
  it('escapes interpolations, keeps nested html and drops null/false', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"q" & \'s\''}">${inner}${null}${false}${[1, html`<br>`]}</p>`.value)
      .toBe('<p title="&quot;q&quot; &amp; &#39;s&#39;"><b>&lt;i&gt;</b>1<br></p>');
    expect(escapeHtml('<&>"\'')).toBe('&lt;&amp;&gt;&quot;&#39;');
  });
});

describe('layoutGantt', () => {
  it('one bar per reached step, in time order, within the chart', () => {
    const g = layoutGantt(verified.runs[0]!);
    expect(g.rows).toHaveLength(11);
    const bars = g.rows.map((r) => r.bar!);
    for (const b of bars) {
      expect(b.width).toBeGreaterThanOrEqual(MinBarWidth);
      expect(b.x).toBeGreaterThanOrEqual(g.chartX);
      expect(b.x + b.width).toBeLessThanOrEqual(g.chartX + g.chartWidth + 0.001);
    }
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.x).toBeGreaterThan(bars[i - 1]!.x);
    // Widths are proportional to durations (212 s vs 186 s); a 2 s step and a skipped one are marks.
    expect(bars[0]!.width / bars[3]!.width).toBeCloseTo(212 / 186, 2);
    expect(bars[1]!.width).toBe(MinBarWidth);
    expect(bars[2]!.width).toBe(MinBarWidth);
    expect(g.ticks[0]).toEqual({ x: g.chartX, label: '0' });
    expect(g.ticks.map((t) => t.label)).toContain('10m');
    expect(g.ticks.length).toBeLessThanOrEqual(9);
  });

  it('no bar for a step not reached', () => {
    const run = shutdownRun({ status: 'stopped', endedAt: null });
    run.steps[10] = { ...run.steps[10]!, startedAt: null, endedAt: null, outcome: 'pending' };
    const r = buildReport({ shutdown: run, before });
    const g = layoutGantt(r.runs[0]!);
    expect(g.rows[10]?.bar).toBeUndefined();
    expect(g.rows.filter((x) => x.bar)).toHaveLength(10);
  });
});

describe('renderHtml', () => {
  it('is one well-formed, self-contained page', () => {
    const page = renderHtml(verified);
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
    expect(page).toContain('<title>fallow report: lab-a — Verification: 0 differences</title>');
    // No assets from anywhere: no script, no link, no external src/href/url().
    expect(page).not.toMatch(/<script|<link|<iframe|<img|@import/i);
    expect(page).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(page).not.toMatch(/url\(/i);
    // Balanced elements (a cheap well-formedness check on the tags we emit).
    for (const tag of ['html', 'head', 'body', 'main', 'section', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'svg', 'g', 'title', 'p', 'ul', 'li', 'details', 'article', 'dl']) {
      const open = page.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length ?? 0;
      const close = page.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect(`${tag}: ${open}`).toBe(`${tag}: ${close}`);
    }
  });

  it('shows the result, both timelines with a bar per step, the records and 0 differences', () => {
    const page = renderHtml(verified);
    expect(page).toMatch(/<p id="result" class="tone-ok" data-verdict="verified">Verification: 0 differences<\/p>/);
    expect(page.match(/<svg class="gantt"/g)).toHaveLength(2);
    expect(page.match(/<rect class="bar"/g)).toHaveLength(21);
    expect(page).toContain('<table id="steps-shutdown">');
    expect(page).toContain('<table id="steps-restart">');
    expect(page).toContain('<strong>0 differences</strong>');
    expect(page).toContain('<td>cattle-system/rancher</td><td>3</td>');
    for (const s of Object.values(secrets)) expect(page).not.toContain(s);
  });

  it('escapes everything that comes from the cluster or the runs', () => {
    const evil = structuredClone(before);
    const payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    evil.vms[0]!.name = payload;
    evil.nodes[0]!.name = payload;
    evil.addons[0]!.failure = payload;
    const run = shutdownRun({ runId: payload });
    run.steps[0] = { ...run.steps[0]!, title: payload, detail: payload, waitedFor: payload, id: payload };
    run.events = [{ at: run.startedAt, level: 'error', message: payload }];
    const after = structuredClone(evil);
    after.vip.ingressIp = payload;
    const page = renderHtml(buildReport({
      shutdown: { ...run, runbook: payload }, restart: restartRun(), before: evil, after, clusterName: payload,
      facts: { [payload]: payload }, warnings: [payload],
    }));
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('"><script');
    expect(page).toContain('data-step="&quot;&gt;&lt;script&gt;');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('shows differences in a table, and the shut-down-only state', () => {
    const page = renderHtml(withDifferences());
    expect(page).toMatch(/<p id="result" class="tone-bad" data-verdict="differences">Verification: 2 differences \(1 error, 1 warning\)<\/p>/);
    expect(page).toContain('<table id="diff">');
    const only = renderHtml(buildReport({ shutdown: shutdownRun(), before }));
    expect(only).toContain('The cluster has not been restarted yet.');
    expect(only.match(/<svg class="gantt"/g)).toHaveLength(1);
  });
});
