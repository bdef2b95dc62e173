// `npm run bench`: fallow against the critical-path bound and a naive script, on the twin
// in virtual time. Runs the default and witness scenarios (fallow and the naive operator
// side by side) and generated 20-node clusters of 100, 1,000 and 5,000 VMs (fallow, with
// `fallow plan` measured in a child process on the largest), prints the five groups of
// figures and writes them to bench/results.json.
//
//   npm run bench                       # everything (a few minutes)
//   npm run bench -- --sizes 100,1000   # smaller large scenarios
//   npm run bench -- --no-naive --out /tmp/r.json
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { scenarioFigures, type ScenarioFigures } from './figures.js';
import { runFallowCycle } from './fallow-run.js';
import { runNaiveCycle } from './naive-run.js';
import { renderReport, Targets, type BenchResults } from './report.js';
import { journalCost, measureCli, type ChildFigures } from './scale.js';
import { largeScenario } from './scenarios.js';

const program = new Command('bench')
  .option('--sizes <list>', 'VM counts of the generated 20-node scenarios', '100,1000,5000')
  .option('--scenarios <list>', 'built-in scenarios to run with the naive baseline', 'default,witness')
  .option('--no-naive', 'skip the naive baseline')
  .option('--out <file>', 'where to write the figures', 'bench/results.json')
  .parse(process.argv);
const opts = program.opts<{ sizes: string; scenarios: string; naive: boolean; out: string }>();

const wall0 = Date.now();
const log = (m: string) => process.stderr.write(`[bench +${((Date.now() - wall0) / 1000).toFixed(0)}s] ${m}\n`);
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const figures: ScenarioFigures[] = [];
let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const rssTimer = setInterval(sampleRss, 500);

for (const name of list(opts.scenarios)) {
  log(`${name}: fallow shutdown + restart`);
  const c = await runFallowCycle({ scenarioPath: name });
  log(`${name}: naive operator`);
  const n = opts.naive ? await runNaiveCycle({ scenarioPath: name }) : undefined;
  figures.push(scenarioFigures(c, n));
}

const sizes = list(opts.sizes).map(Number).filter((n) => n > 0);
const largest = Math.max(0, ...sizes);
let plan: ChildFigures | undefined;
for (const vms of sizes) {
  log(`large-${vms}: building the twin and running fallow`);
  const volumes = Math.min(vms, 1000, Math.max(1, Math.round(vms / 5)));
  const c = await runFallowCycle({
    scenario: largeScenario({ vms, volumes }),
    ...(vms === largest ? { before: async (twin) => void (plan = await measureCli(['plan', '--kubeconfig', twin.kubeconfigPath, '-o', 'json'])) } : {}),
  });
  figures.push(scenarioFigures(c));
  sampleRss();
}
clearInterval(rssTimer);

log('journal append cost');
const journal = journalCost();

const targets: BenchResults['targets'] = [];
for (const f of figures.filter((x) => ['default', 'witness', `large-${largest}`].includes(x.scenario))) {
  targets.push({ name: `critical-path ratio, ${f.scenario}`, value: f.ratio, target: `≤ ${Targets.ratio}`, ok: f.ok && f.ratio <= Targets.ratio });
}
for (const f of figures.filter((x) => x.naive)) targets.push({ name: `fallow ÷ naive, ${f.scenario}`, value: f.naive!.fallowOverNaive, target: `≤ ${Targets.naive}`, ok: f.naive!.fallowOverNaive <= Targets.naive });
for (const f of figures) targets.push({ name: `peak requests/s while the control plane restarts, ${f.scenario}`, value: f.load.peakPerSecondControlPlane, target: `≤ ${f.load.limit.qps}`, ok: f.load.peakPerSecondControlPlane <= f.load.limit.qps });
for (const f of figures) targets.push({ name: `VMs booting at once, ${f.scenario}`, value: f.storm.peakTraditional, target: `≤ wave ${f.storm.waveSize}`, ok: f.storm.peakTraditional <= f.storm.waveSize });
if (plan) {
  targets.push({ name: 'fallow plan wall time (s)', value: plan.wallMs / 1000, target: `< ${Targets.planS}`, ok: plan.exitCode === 0 && plan.wallMs / 1000 < Targets.planS });
  targets.push({ name: 'fallow plan peak RSS (MB)', value: plan.maxRssMb, target: `< ${Targets.rssMb}`, ok: plan.maxRssMb < Targets.rssMb });
}


const results: BenchResults = {
  schema: 'fallow.bench/v1',
  startedAt: new Date(wall0).toISOString(),
  wallS: Math.round((Date.now() - wall0) / 1000),
  node: process.version,
  clock: 'virtual: modelled time advances only while the process is idle',
  scenarios: figures,
  scale: { scenario: `large-${largest}`, ...(plan ? { plan } : {}), journal, benchRssMb: Math.round(peakRss / 1048576) },
  targets,
};
writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
process.stdout.write(renderReport(results) + '\n');
log(`wrote ${opts.out}`);
