// The HTML report in a real headless Chromium (Debian's /usr/bin/chromium), opened from
// disk as an operator would open the attachment: what a person sees (title, result line,
// step rows, one visible bar per step), that the page asks the network for nothing, and a
// screenshot. FALLOW_SCREENSHOT_DIR keeps the PNG for a human look; else a temp dir.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report/report.js';
import { renderHtml } from '../../../src/report/render-html.js';
import { captureSnapshot } from '../../../src/report/snapshot.js';
import { newStore, seedCluster, storeReader } from '../../report/fixture-cluster.js';
import { restartRun, shutdownDefs, restartDefs, shutdownRun } from '../../report/fixture-runs.js';

let dir: string;
let context: BrowserContext;
let page: Page;
const offPage: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fallow-report-'));
  const store = newStore();
  const etcd = seedCluster(store);
  const before = await captureSnapshot(storeReader(store, async () => etcd), { now: () => Date.parse('2025-01-10T07:59:00Z') });
  const after = { ...structuredClone(before), takenAt: '2025-01-13T07:56:00.000Z' };
  const report = buildReport({
    shutdown: shutdownRun(), restart: restartRun(), before, after, clusterName: 'lab-a', generatedAt: '2025-01-13T08:00:00Z',
    facts: { 'rancher.scaleAvailable': '3', 'cattle-cluster-agent.scaleAvailable': '2', 'etcd.lastLeader': 'harv42' },
    warnings: ['Backups were not requested (--backup not set).'],
  });
  const file = join(dir, 'report.html');
  await writeFile(file, renderHtml(report));

  context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    viewport: { width: 1100, height: 900 },
  });
  // Self-contained means the page loads nothing but itself.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    offPage.push(url);
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(pathToFileURL(file).href);
});

afterAll(async () => {
  await context?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HTML report in Chromium', () => {
  it('has the title and the result line a person reads first', async () => {
    expect(await page.title()).toBe('fallow report: lab-a — Verification: 0 differences');
    const result = page.locator('#result');
    await expect.poll(() => result.isVisible()).toBe(true);
    expect(await result.innerText()).toBe('Verification: 0 differences');
    expect(await page.locator('#no-differences').innerText()).toContain('0 differences: the cluster came back as it was');
  });

  it('shows every step of both runs as a visible table row', async () => {
    for (const [run, defs] of [['shutdown', shutdownDefs], ['restart', restartDefs]] as const) {
      const rows = page.locator(`#steps-${run} tbody tr`);
      expect(await rows.count()).toBe(defs.length);
      for (let i = 0; i < defs.length; i++) {
        const row = rows.nth(i);
        expect(await row.isVisible()).toBe(true);
        expect(await row.locator('td').nth(2).innerText()).toBe(defs[i]![1]);
      }
    }
  });

  it('draws one bar per step with a non-zero width in each timeline', async () => {
    for (const [run, defs] of [['shutdown', shutdownDefs], ['restart', restartDefs]] as const) {
      const svg = page.locator(`svg.gantt[data-run="${run}"]`);
      expect(await svg.isVisible()).toBe(true);
      const widths = await svg.locator('rect.bar').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
      expect(widths).toHaveLength(defs.length);
      for (const w of widths) expect(w).toBeGreaterThan(0);
      // The longest step draws the widest bar.
      const longest = defs.reduce((m, d, i) => (d[3] > defs[m]![3] ? i : m), 0);
      expect(Math.max(...widths)).toBe(widths[longest]);
    }
  });

  it('asked the network for nothing', () => {
    expect(offPage).toEqual([]);
  });

  it('renders to a readable screenshot', async () => {
    const out = join(process.env.FALLOW_SCREENSHOT_DIR ?? dir, 'report.png');
    await page.screenshot({ path: out, fullPage: true });
    const png = await readFile(out);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(50_000);
    if (process.env.FALLOW_SCREENSHOT_DIR) console.log(`screenshot: ${out}`);
  });
});
