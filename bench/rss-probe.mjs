// Preloaded into a measured child (`node --import ./bench/rss-probe.mjs …`): at exit it
// writes the process's peak resident set size and its own wall time, one JSON line, to
// the file named by FALLOW_BENCH_PROBE. Plain JavaScript so it loads before any loader.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import process from 'node:process';

const file = process.env.FALLOW_BENCH_PROBE;
const t0 = performance.timeOrigin;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS, wallMs: Date.now() - t0 }) + '\n');
  });
}
