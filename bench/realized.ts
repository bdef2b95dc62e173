// Turns what the twin recorded (truth.ts) into the Realized durations the bound is built
// from: which VMs ran and how long each guest took to stop and to boot, how long each
// node took to shut down and to boot, and the twin's own lags between gates. Only the
// twin's records are read, within the modelled windows of the shutdown and the restart.
import { Labels, NodeDriverCreator } from '../src/common/harvester.js';
import type { Scenario } from '../src/twin/scenario/schema.js';
import type { Realized, VmDuration } from './bound.js';
import type { TwinTruth } from './truth.js';

export interface Windows {
  shutdown: [number, number];
  restart: [number, number];
}

const DEFAULT_PRIORITY = 100;

interface VmInfo {
  downstream: boolean;
  priority: number;
}

function vmInfo(s: Scenario): Map<string, VmInfo> {
  const m = new Map<string, VmInfo>();
  for (const v of s.vms) {
    const raw = Number(v.labels[Labels.priority]);
    const downstream = Boolean(v.guestCluster) || v.labels[Labels.vmCreator] === NodeDriverCreator;
    m.set(`${v.namespace}/${v.name}`, { downstream, priority: Number.isInteger(raw) ? raw : DEFAULT_PRIORITY });
  }
  return m;
}

/** Tier index in run order: stops go least important (highest number) first, starts the reverse. */
function withTiers(spans: { key: string; ms: number }[], info: Map<string, VmInfo>, order: 'stop' | 'start'): VmDuration[] {
  const prios = [...new Set(spans.map((s) => info.get(s.key)?.priority ?? DEFAULT_PRIORITY))].sort((a, b) => (order === 'start' ? a - b : b - a));
  return spans.map((s) => ({ key: s.key, ms: s.ms, tier: prios.indexOf(info.get(s.key)?.priority ?? DEFAULT_PRIORITY) }));
}

const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);

export function realize(truth: TwinTruth, scenario: Scenario, w: Windows, limits: Realized['limits']): Realized {
  const info = vmInfo(scenario);
  const [s0, s1] = w.shutdown;
  const [r0, r1] = w.restart;
  const etcdNodes = scenario.nodes.filter((n) => n.role !== 'worker').map((n) => n.name);
  const workers = scenario.nodes.filter((n) => n.role === 'worker').map((n) => n.name);

  const stops = truth.vmiStop.within(s0, s1).filter((x) => info.has(x.key));
  const addonOff = truth.addonDisable.within(s0, s1);
  const lastRelease = addonOff.length ? max(addonOff.map((a) => a.end)) : max(stops.map((v) => v.end));
  const offs = truth.nodeShutdown.within(s0, s1).sort((a, b) => a.start - b.start);
  const etcdOffs = offs.filter((o) => etcdNodes.includes(o.key));
  const gone = (app: string) => truth.podsGone.within(s0, s1).find((g) => g.key === `cattle-system/${app}`)?.ms ?? 0;

  // A shutdown that stopped has no restart: its window is empty and every restart figure 0.
  const boots = truth.nodeBoot.within(r0, r1).sort((a, b) => a.start - b.start);
  const etcdBoots = boots.filter((b) => etcdNodes.includes(b.key));
  const workerBoots = boots.filter((b) => workers.includes(b.key));
  const readyAt = (node: string, from: number) => truth.marks.find((m) => m.what === 'node-ready' && m.key === node && m.t >= from)?.t;
  const lastEtcdOn = Math.max(r0, ...etcdBoots.map((b) => b.end));
  const apiUp = truth.firstMark('api-up', r0, r1) ?? lastEtcdOn;
  const cpReady = Math.max(apiUp, ...etcdNodes.map((n) => readyAt(n, r0) ?? lastEtcdOn));
  const vipAt = truth.firstMark('vip-set', r0, r1) ?? cpReady;
  const lastWorkerOn = Math.max(r0, ...workerBoots.map((b) => b.end));
  const allReady = Math.max(cpReady, ...workers.map((n) => readyAt(n, Math.max(r0, lastWorkerOn)) ?? lastWorkerOn));
  const systemReady = truth.firstMark('system-ready', allReady, r1) ?? allReady;

  const rancherUp = truth.deployReady.within(r0, r1).find((d) => d.key === 'cattle-system/rancher');
  const agentUp = truth.deployReady.within(r0, r1).find((d) => d.key === 'cattle-system/cattle-cluster-agent');
  const starts = truth.vmiStart.within(r0, r1).filter((x) => info.has(x.key));
  const downstreamStarts = starts.filter((x) => info.get(x.key)!.downstream);
  const bundles = (a: number, b: number) => truth.bundle.within(a, b)[0]?.ms ?? 0;

  return {
    shutdown: {
      bundleMs: bundles(s0, s1),
      backupMs: [],
      traditionalStops: withTiers(stops.filter((x) => !info.get(x.key)!.downstream), info, 'stop'),
      rancherPodsGoneMs: gone('rancher'),
      agentPodsGoneMs: gone('cattle-cluster-agent'),
      downstreamStops: withTiers(stops.filter((x) => info.get(x.key)!.downstream), info, 'stop'),
      addonDisableMs: addonOff.map((a) => a.ms),
      lastDetachMs: truth.volumeDetach.within(lastRelease, s1).map((v) => v.ms),
      workerShutdownMs: offs.filter((o) => workers.includes(o.key)).map((o) => o.ms),
      followerShutdownMs: etcdOffs.slice(0, -1).map((o) => o.ms),
      leaderShutdownMs: etcdOffs.at(-1)?.ms ?? 0,
    },
    restart: {
      leaderBootMs: etcdBoots[0]?.ms ?? 0,
      otherEtcdBootMs: etcdBoots.slice(1).map((b) => b.ms),
      controlPlaneLagMs: Math.max(0, cpReady - lastEtcdOn),
      vipLagMs: Math.max(0, vipAt - cpReady),
      workerBootMs: workerBoots.map((b) => b.ms),
      workersLagMs: workerBoots.length ? Math.max(0, allReady - lastWorkerOn) : 0,
      healthLagMs: Math.max(0, systemReady - allReady),
      addonEnableMs: truth.addonEnable.within(r0, r1).map((a) => a.ms),
      rancherMs: rancherUp && agentUp ? Math.max(rancherUp.ms, agentUp.end - rancherUp.start) : (rancherUp?.ms ?? 0),
      traditionalStarts: withTiers(starts.filter((x) => !info.get(x.key)!.downstream), info, 'start'),
      downstreamBackMs: agentUp && downstreamStarts.length ? Math.max(0, max(downstreamStarts.map((x) => x.end)) - agentUp.end) : 0,
      bundleMs: bundles(r0, r1),
    },
    limits,
  };
}
