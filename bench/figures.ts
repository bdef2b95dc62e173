// From one measured fallow cycle (and, where run, the naive baseline on the same scenario)
// to the plain figures the report prints and results.json keeps: the critical-path ratio
// with the sections where fallow lost time, fallow ÷ naive, API load, boot storm.
import { dependencyBound, seedOrderBound, total, type SegmentId } from './bound.js';
import type { CycleResult } from './fallow-run.js';
import { loadFigures, type LoadFigures } from './load.js';
import type { NaiveCycle } from './naive-run.js';
import { runTime, segmentTimes } from './segments.js';
import { stormFigures, type StormFigures } from './storm.js';

export interface SectionLoss {
  section: SegmentId;
  boundS: number;
  fallowS: number;
  lostS: number;
  how: string;
}

export interface ScenarioFigures {
  scenario: string;
  nodes: number;
  vms: number;
  volumes: number;
  ok: boolean;
  message: string;
  fallowS: { shutdown: number; restart: number; total: number };
  boundS: { seedOrder: number; dependency: number };
  ratio: number;
  ratioToDependencyBound: number;
  losses: SectionLoss[];
  naive?: { shutdownS: number; restartS: number; totalS: number; commands: number; requests: number; fallowOverNaive: number };
  load: LoadFigures & { requestsPerVm: number; writesPerVm: number };
  storm: StormFigures;
  journal: { runs: number; bytes: number; records: number; bytesPerRecord: number };
  wallS: { fallow: number; naive?: number };
}

const s = (ms: number) => Math.round(ms / 100) / 10;

export function scenarioFigures(c: CycleResult, naive?: NaiveCycle): ScenarioFigures {
  const bound = seedOrderBound(c.realized);
  const dep = dependencyBound(c.realized);
  const fallowBy = segmentTimes(c.events);
  const fallowTotal = runTime(c.events);
  const shutdownMs = c.windows.shutdown[1] - c.windows.shutdown[0];
  const losses = bound
    .map((b) => ({ section: b.id, boundS: s(b.ms), fallowS: s(fallowBy.get(b.id) ?? 0), lostS: s((fallowBy.get(b.id) ?? 0) - b.ms), how: b.how }))
    .filter((l) => l.boundS > 0 || l.fallowS > 0);
  const downstream = new Set(c.scenario.vms.filter((v) => v.guestCluster).map((v) => `${v.namespace}/${v.name}`));
  const load = loadFigures(c.requests, c.events);
  const vms = c.scenario.vms.length;
  const journal = c.journals.reduce((a, j) => ({ bytes: a.bytes + j.bytes, records: a.records + j.records }), { bytes: 0, records: 0 });
  const totalBound = total(bound);
  return {
    scenario: c.scenario.metadata.name,
    nodes: c.scenario.nodes.length,
    vms,
    volumes: c.scenario.vms.reduce((a, v) => a + v.disks.length, 0),
    ok: c.ok,
    message: c.message,
    fallowS: { shutdown: s(shutdownMs), restart: s(fallowTotal - shutdownMs), total: s(fallowTotal) },
    boundS: { seedOrder: s(totalBound), dependency: s(dep.shutdownMs + dep.restartMs) },
    // A run that stopped half-way has no meaningful ratio.
    ratio: c.ok ? round3(fallowTotal / totalBound) : NaN,
    ratioToDependencyBound: c.ok ? round3(fallowTotal / (dep.shutdownMs + dep.restartMs)) : NaN,
    losses,
    ...(naive
      ? {
          naive: {
            shutdownS: s(naive.shutdownMs),
            restartS: s(naive.restartMs),
            totalS: s(naive.shutdownMs + naive.restartMs),
            commands: naive.commands.length,
            requests: naive.requests,
            fallowOverNaive: c.ok ? round3(fallowTotal / (naive.shutdownMs + naive.restartMs)) : NaN,
          },
        }
      : {}),
    load: { ...load, requestsPerVm: round3(load.total / Math.max(1, vms)), writesPerVm: round3(load.writes / Math.max(1, vms)) },
    storm: stormFigures({ starts: c.truth.vmiStart.all, window: c.windows.restart, downstream, realized: c.realized, startMs: fallowBy.get('5.5 VMs') ?? 0 }),
    journal: { runs: c.journals.length, ...journal, bytesPerRecord: journal.records ? Math.round(journal.bytes / journal.records) : 0 },
    wallS: { fallow: s(c.wallMs), ...(naive ? { naive: s(naive.wallMs) } : {}) },
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
