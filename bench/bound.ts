// The critical-path lower bound of a full shutdown + restart: the modelled waits the seed
// makes unavoidable, laid end to end in the seed's section order, each at the length the
// twin actually drew for it (Realized, from truth.ts), with acts taking no time. Inside a
// section everything that can run at once does, up to the configured limits (guest stops
// at --stop-concurrency, boots in waves of --wave-size, priority tiers one after another);
// across sections nothing overlaps, because the article orders them. Pure: no twin, no
// clock — so tests can pin it on hand-made inputs.
//
// A second figure, the dependency bound, keeps only the orderings that safety needs
// (Rancher gone before its VMs stop, every volume detached before a node goes down,
// workers before etcd members, leader last and first, storage healthy before anything
// that needs it) and overlaps the rest: what more parallelism could still buy.

export interface VmDuration {
  key: string;
  ms: number;
  /** Priority tier index in the order fallow runs them (tiers run one after another). */
  tier: number;
}

export interface Realized {
  shutdown: {
    bundleMs: number;
    backupMs: number[];
    traditionalStops: VmDuration[];
    /** Rancher imported: scale to 0 → pods gone, for rancher then the agent. */
    rancherPodsGoneMs: number;
    agentPodsGoneMs: number;
    downstreamStops: VmDuration[];
    addonDisableMs: number[];
    /** Volumes released by the last section that released any: their detach times. */
    lastDetachMs: number[];
    workerShutdownMs: number[];
    /** etcd followers in the order they went down ("one by one", seed 4.2). */
    followerShutdownMs: number[];
    leaderShutdownMs: number;
  };
  restart: {
    leaderBootMs: number;
    otherEtcdBootMs: number[];
    /** Last etcd node on → quorum and every etcd node Ready. */
    controlPlaneLagMs: number;
    /** Control plane Ready → VIP on ingress-expose (0 if it came first). */
    vipLagMs: number;
    workerBootMs: number[];
    /** Last worker on → every node Ready. */
    workersLagMs: number;
    /** Every node Ready → every system pod Running and Ready. */
    healthLagMs: number;
    addonEnableMs: number[];
    /** rancher scaled up → rancher Ready → cattle-cluster-agent Ready. */
    rancherMs: number;
    traditionalStarts: VmDuration[];
    /** Agent Ready → the last downstream VM Running (Rancher Manager starts them). */
    downstreamBackMs: number;
    bundleMs: number;
  };
  limits: { stopConcurrency: number; waveSize: number };
}

export interface Segment {
  /** Seed section and what is waited for: "3.1 traditional VMs stop". */
  id: SegmentId;
  ms: number;
  /** How the figure was made, for the report. */
  how: string;
}

export const shutdownSegments = ['1.1 support bundle', '1.2 record', '2 backups', '3.1 traditional VMs', '3.2 disconnect Rancher', '3.2 downstream VMs', '3.3 addons', '3.4 other workloads', '3.5 volumes detached', '4.1 workers off', '4.2 etcd followers off', '4.3 etcd leader off'] as const;
export const restartSegments = ['5.1 leader boot', '5.1 quorum', '5.1 VIP', '5.2 workers', '5.2 health', '5.3 addons', '5.4 Rancher', '5.5 VMs', '5.6 bundle and verify'] as const;
export type SegmentId = (typeof shutdownSegments)[number] | (typeof restartSegments)[number];

const max = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), 0);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * Lower bound on running jobs with at most `limit` at once, tier after tier: each tier
 * takes at least its longest job and at least its total work spread over `limit` slots.
 */
export function batchBound(jobs: VmDuration[], limit: number): number {
  const tiers = new Map<number, number[]>();
  for (const j of jobs) tiers.set(j.tier, [...(tiers.get(j.tier) ?? []), j.ms]);
  const slots = Math.max(1, limit);
  return sum([...tiers.values()].map((ms) => Math.max(max(ms), sum(ms) / slots)));
}

export function seedOrderBound(r: Realized): Segment[] {
  const s = r.shutdown;
  const x = r.restart;
  const { stopConcurrency: c, waveSize: w } = r.limits;
  const seg = (id: SegmentId, ms: number, how: string): Segment => ({ id, ms: Math.max(0, ms), how });
  return [
    seg('1.1 support bundle', s.bundleMs, 'bundle generation'),
    seg('1.2 record', 0, 'reads only'),
    seg('2 backups', max(s.backupMs), 'slowest backup'),
    seg('3.1 traditional VMs', batchBound(s.traditionalStops, c), `guest shutdowns, ${c} at once, by tier`),
    seg('3.2 disconnect Rancher', s.rancherPodsGoneMs + s.agentPodsGoneMs, 'rancher pods gone, then agent pods gone'),
    seg('3.2 downstream VMs', batchBound(s.downstreamStops, c), `guest shutdowns, ${c} at once`),
    seg('3.3 addons', max(s.addonDisableMs), 'slowest addon disable'),
    seg('3.4 other workloads', 0, 'scale only'),
    seg('3.5 volumes detached', max(s.lastDetachMs), 'detach of the last released volumes'),
    seg('4.1 workers off', max(s.workerShutdownMs), 'slowest worker OS shutdown'),
    seg('4.2 etcd followers off', sum(s.followerShutdownMs), 'followers one by one'),
    seg('4.3 etcd leader off', s.leaderShutdownMs, 'leader OS shutdown'),
    seg('5.1 leader boot', x.leaderBootMs, 'leader boot'),
    seg('5.1 quorum', max(x.otherEtcdBootMs) + x.controlPlaneLagMs, 'slowest other etcd boot + quorum and Ready'),
    seg('5.1 VIP', x.vipLagMs, 'VIP after the control plane'),
    seg('5.2 workers', max(x.workerBootMs) + x.workersLagMs, 'slowest worker boot + Ready'),
    seg('5.2 health', x.healthLagMs, 'system pods Ready after the nodes'),
    seg('5.3 addons', max(x.addonEnableMs), 'slowest addon deploy'),
    seg('5.4 Rancher', x.rancherMs, 'rancher Ready, agent Ready'),
    seg('5.5 VMs', Math.max(batchBound(x.traditionalStarts, w), x.downstreamBackMs), `VM boots in waves of ${w}, by tier; downstream VMs back`),
    seg('5.6 bundle and verify', x.bundleMs, 'bundle generation'),
  ];
}

/** Only the safety orderings; independent waits overlap. */
export function dependencyBound(r: Realized): { shutdownMs: number; restartMs: number } {
  const s = r.shutdown;
  const x = r.restart;
  const { stopConcurrency: c, waveSize: w } = r.limits;
  // Traditional VMs and the Rancher branch share the stop slots: bound them together.
  const vmsAndRancher = Math.max(
    batchBound([...s.traditionalStops, ...s.downstreamStops], c),
    s.rancherPodsGoneMs + s.agentPodsGoneMs + batchBound(s.downstreamStops, c),
  );
  const released = Math.max(vmsAndRancher, max(s.addonDisableMs)) + max(s.lastDetachMs);
  const shutdownMs = s.bundleMs + max(s.backupMs) + released + max(s.workerShutdownMs) + sum(s.followerShutdownMs) + s.leaderShutdownMs;
  const nodesUp = x.leaderBootMs + max(x.otherEtcdBootMs) + x.controlPlaneLagMs + max(x.workerBootMs) + x.workersLagMs + x.healthLagMs;
  const after = Math.max(max(x.addonEnableMs), x.rancherMs + x.downstreamBackMs, batchBound(x.traditionalStarts, w));
  return { shutdownMs, restartMs: nodesUp + after + x.bundleMs };
}

export function total(segments: Segment[]): number {
  return sum(segments.map((s) => s.ms));
}
