// `npm run bench`: fallow against the critical-path bound and a naive script, on the twin
// in virtual time. Runs the default and witness scenarios (fallow and the naive operator
// side by side) and full cycles on generated 20-node clusters of 100 (with the naive
// operator too) and 1,000 VMs; on a 5,000-VM / 1,000-volume twin it measures `fallow
// plan` in a child process (wall time, peak RSS). Prints the five groups of figures and
// writes them to bench/results.json.
//
//   npm run bench                                  # the default set (a few minutes)
//   npm run bench -- --sizes 100,1000,5000         # add the 5,000-VM full cycle (long:
//                                                  # fallow's VM pools cost O(VMs²) CPU)
//   npm run bench -- --no-naive --out /tmp/r.json
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { scenarioFigures, type ScenarioFigures } from './figures.js';
import { runFallowCycle } from './fallow-run.js';
import { runNaiveCycle } from './naive-run.js';
import { renderReport, Targets, type BenchResults } from './report.js';
import { journalCost, measureCli, type ChildFigures } from './scale.js';
import { largeScenario } from './scenarios.js';
import { startTwin, type Twin } from '../src/twin/runtime.js';

const program = new Command('bench')
  .option('--sizes <list>', 'VM counts of the generated 20-node scenarios run as full cycles', '100,1000')
  .option('--plan-size <n>', 'VM count of the twin `fallow plan` is measured on (1,000 volumes at most)', '5000')
  .option('--scenarios <list>', 'built-in scenarios to run with the naive baseline', 'default,witness')
  .option('--naive-sizes <list>', 'generated scenarios that also get the naive baseline', '100')
  .option('--no-naive', 'skip the naive baseline')
  .option('--out <file>', 'where to write the figures', 'bench/results.json')
  .parse(process.argv);
const opts = program.opts<{ sizes: string; planSize: string; naiveSizes: string; scenarios: string; naive: boolean; out: string }>();

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
const volumesFor = (vms: number) => Math.min(vms, 1000, Math.max(1, Math.round(vms / 5)));
const planSize = Number(opts.planSize);
let plan: ChildFigures | undefined;
const measurePlan = async (twin: Twin) => void (plan = await measureCli(['plan', '--kubeconfig', twin.kubeconfigPath, '-o', 'json']));
for (const vms of sizes) {
  log(`large-${vms}: building the twin and running fallow`);
  const scenario = largeScenario({ vms, volumes: volumesFor(vms) });
  const c = await runFallowCycle({ scenario, progress: (l) => log(`large-${vms}: ${l}`), ...(vms === planSize ? { before: measurePlan } : {}) });
  const naive = opts.naive && list(opts.naiveSizes).map(Number).includes(vms);
  if (naive) log(`large-${vms}: naive operator`);
  figures.push(scenarioFigures(c, naive ? await runNaiveCycle({ scenario }) : undefined));
  sampleRss();
}
if (planSize > 0 && !sizes.includes(planSize)) {
  log(`large-${planSize}: building the twin and measuring fallow plan`);
  const twin = await startTwin({ scenario: largeScenario({ vms: planSize, volumes: volumesFor(planSize) }), scale: 1 });
  try {
    await measurePlan(twin);
  } finally {
    await twin.stop();
  }
  sampleRss();
}
const largest = planSize > 0 ? planSize : Math.max(0, ...sizes);
clearInterval(rssTimer);

log('fallow --version (start-up floor) and journal append cost');
const startup = await measureCli(['--version']);
const journal = journalCost();

const targets: BenchResults['targets'] = [];
for (const f of figures.filter((x) => ['default', 'witness', `large-${Math.max(0, ...sizes)}`].includes(x.scenario))) {
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
  scale: { scenario: `large-${largest}`, ...(plan ? { plan } : {}), startup, journal, benchRssMb: Math.round(peakRss / 1048576) },
  targets,
};
writeFileSync(opts.out, JSON.stringify(results, null, 2) + '\n');
process.stdout.write(renderReport(results) + '\n');
log(`wrote ${opts.out}`);
