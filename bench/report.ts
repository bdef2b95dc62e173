// Renders the benchmark's figures as the five groups of issue 9, plain text tables with
// each target and whether it held. Compute first (figures.ts), render here.
import type { ScenarioFigures } from './figures.js';
import type { ChildFigures, JournalCost } from './scale.js';

export interface BenchResults {
  schema: 'fallow.bench/v1';
  startedAt: string;
  wallS: number;
  node: string;
  clock: string;
  scenarios: ScenarioFigures[];
  scale: { scenario: string; plan?: ChildFigures; startup?: ChildFigures; journal: JournalCost; benchRssMb: number };
  targets: { name: string; value: number; target: string; ok: boolean }[];
}

export const Targets = { ratio: 1.05, naive: 0.5, planS: 3, rssMb: 250 };

function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');

export function renderReport(r: BenchResults): string {
  const out: string[] = [];
  out.push(`fallow bench — modelled time on the twin (${r.clock}); wall ${r.wallS} s, node ${r.node}`);
  out.push('');
  out.push('1. Critical-path ratio (fallow ÷ seed-order bound; target ≤ 1.05)');
  out.push(
    table(
      ['scenario', 'VMs', 'fallow s', 'bound s', 'ratio', 'dep. bound s', 'fallow/dep', 'result'],
      r.scenarios.map((s) => [s.scenario, s.vms, s.fallowS.total, s.boundS.seedOrder, s.ratio.toFixed(3), s.boundS.dependency, s.ratioToDependencyBound.toFixed(3), s.ok ? mark(s.ratio <= Targets.ratio) : `run stopped`]),
    ),
  );
  for (const s of r.scenarios) {
    const lost = s.losses.filter((l) => l.lostS >= 1).sort((a, b) => b.lostS - a.lostS);
    if (!s.ok) out.push(`   ${s.scenario}: ${s.message}`);
    if (lost.length) out.push(`   ${s.scenario}: time beyond the bound — ${lost.map((l) => `${l.section} +${l.lostS} s`).join(', ')}`);
  }
  out.push('');
  out.push('2. Against a naive script following the article line by line (fallow ÷ naive; target ≤ 0.5)');
  out.push(
    table(
      ['scenario', 'fallow s', 'naive s', 'naive shutdown s', 'naive restart s', 'naive commands', 'fallow/naive', 'result'],
      r.scenarios.filter((s) => s.naive).map((s) => [s.scenario, s.fallowS.total, s.naive!.totalS, s.naive!.shutdownS, s.naive!.restartS, s.naive!.commands, s.naive!.fallowOverNaive.toFixed(3), s.ok ? mark(s.naive!.fallowOverNaive <= Targets.naive) : 'run stopped']),
    ),
  );
  out.push('');
  out.push(`3. API load (fallow's requests as the API server logged them; client limit ${r.scenarios[0]?.load.limit.qps ?? '?'} QPS, burst ${r.scenarios[0]?.load.limit.burst ?? '?'})`);
  out.push(
    table(
      ['scenario', 'VMs', 'requests', 'per VM', 'writes', 'per VM', 'etcdctl execs', 'lists', 'watches', 'failed', 'peak/s', 'peak/s CP restart', 'per min booting', 'throttled', 'result'],
      r.scenarios.map((s) => [
        s.scenario,
        s.vms,
        s.load.total,
        s.load.requestsPerVm,
        s.load.writes,
        s.load.writesPerVm,
        s.load.execs,
        s.load.lists,
        s.load.watches,
        s.load.failed,
        s.load.peakPerSecond,
        s.load.peakPerSecondControlPlane,
        s.load.perMinuteWhileBooting.toFixed(1),
        `${s.load.throttled} (${(s.load.throttleDelayMs / 1000).toFixed(1)} s)`,
        mark(s.load.peakPerSecondControlPlane <= s.load.limit.qps),
      ]),
    ),
  );
  for (const s of r.scenarios) {
    const top = Object.entries(s.load.perSegment).sort((a, b) => b[1] - a[1]).slice(0, 5);
    out.push(`   ${s.scenario} by section: ${top.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  out.push('');
  out.push('4. Boot storm (VMs booting at once during the restart vs the wave size; VM start time vs its bound)');
  out.push(
    table(
      ['scenario', 'wave', 'peak fallow-started', 'peak all', 'VMs started', '5.5 s', 'bound s', 'result'],
      r.scenarios.map((s) => [s.scenario, s.storm.waveSize, s.storm.peakTraditional, s.storm.peakAll, s.storm.vmsStarted, (s.storm.startMs / 1000).toFixed(1), (s.storm.boundMs / 1000).toFixed(1), mark(s.storm.peakTraditional <= s.storm.waveSize)]),
    ),
  );
  out.push('');
  out.push(`5. Scale (${r.scale.scenario})`);
  const rows: (string | number)[][] = [];
  for (const c of [r.scale.plan, r.scale.startup]) {
    if (c) rows.push([`${c.command} (${c.via})`, `${(c.wallMs / 1000).toFixed(2)} s`, `${c.maxRssMb} MB`, c.exitCode, c === r.scale.plan ? mark(c.wallMs / 1000 < Targets.planS && c.maxRssMb < Targets.rssMb) : 'start-up floor']);
  }
  out.push(table(['command', 'wall', 'peak RSS', 'exit', 'result (< 3 s, < 250 MB)'], rows));
  const j = r.scale.journal;
  out.push(`   journal: ${j.bytesPerRecord} B/record; durable append ${j.appendMs.toFixed(3)} ms (write + fsync), write alone ${j.writeOnlyMs.toFixed(3)} ms`);
  for (const s of r.scenarios) out.push(`   ${s.scenario}: ${s.journal.runs} journals, ${s.journal.records} records, ${(s.journal.bytes / 1024).toFixed(1)} KiB (${s.journal.bytesPerRecord} B/record)`);
  out.push(`   bench process peak RSS (twin + fallow in one process): ${r.scale.benchRssMb} MB`);
  out.push('');
  out.push('Targets');
  out.push(table(['target', 'value', 'wanted', 'result'], r.targets.map((t) => [t.name, t.value, t.target, mark(t.ok)])));
  return out.join('\n');
}
