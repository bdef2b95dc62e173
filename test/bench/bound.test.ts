// The critical-path bound is pure arithmetic over drawn durations: pin it on hand-made
// inputs so a change to how sections combine shows up here, not as a drifting figure.
import { describe, expect, it } from 'vitest';
import { batchBound, dependencyBound, seedOrderBound, total, type Realized } from '../../bench/bound.js';

const vm = (ms: number, tier = 0, key = `ns/vm-${ms}-${tier}`) => ({ key, ms, tier });

describe('batchBound', () => {
  it('is the longest job when everything fits at once', () => {
    expect(batchBound([vm(30_000), vm(90_000), vm(60_000)], 10)).toBe(90_000);
  });
  it('is the work spread over the slots when that is longer than any job', () => {
    const jobs = Array.from({ length: 100 }, (_, i) => vm(100_000, 0, `ns/vm-${i}`));
    expect(batchBound(jobs, 10)).toBe(1_000_000);
  });
  it('runs tiers one after another', () => {
    expect(batchBound([vm(50_000, 0), vm(70_000, 1), vm(20_000, 1)], 10)).toBe(120_000);
  });
  it('treats a limit below one as one slot', () => {
    expect(batchBound([vm(10_000), vm(20_000)], 0)).toBe(30_000);
  });
});

const realized: Realized = {
  shutdown: {
    bundleMs: 90_000,
    backupMs: [],
    traditionalStops: [vm(100_000), vm(150_000)],
    rancherPodsGoneMs: 5_000,
    agentPodsGoneMs: 4_000,
    downstreamStops: [vm(120_000)],
    addonDisableMs: [40_000, 70_000],
    lastDetachMs: [3_000, 5_000],
    workerShutdownMs: [30_000, 35_000],
    followerShutdownMs: [25_000, 28_000],
    leaderShutdownMs: 33_000,
  },
  restart: {
    leaderBootMs: 200_000,
    otherEtcdBootMs: [250_000, 260_000],
    controlPlaneLagMs: 2_000,
    vipLagMs: 0,
    workerBootMs: [280_000],
    workersLagMs: 1_000,
    healthLagMs: 60_000,
    addonEnableMs: [100_000, 140_000],
    rancherMs: 60_000,
    traditionalStarts: [vm(30_000), vm(50_000), vm(40_000)],
    downstreamBackMs: 45_000,
    bundleMs: 110_000,
  },
  limits: { stopConcurrency: 10, waveSize: 2 },
};

describe('seedOrderBound', () => {
  const segs = seedOrderBound(realized);
  const ms = (id: string) => segs.find((s) => s.id === id)!.ms;

  it('lays the seed sections end to end, parallel only inside a section', () => {
    expect(ms('3.1 traditional VMs')).toBe(150_000);
    expect(ms('3.2 disconnect Rancher')).toBe(9_000);
    expect(ms('4.2 etcd followers off')).toBe(53_000); // one by one
    expect(ms('5.1 quorum')).toBe(262_000);
    expect(ms('5.5 VMs')).toBe(60_000); // waves of 2: 120 s of boots over 2 slots, > the longest boot
    const shutdown = 90 + 150 + 9 + 120 + 70 + 5 + 35 + 53 + 33;
    const restart = 200 + 262 + 0 + 281 + 60 + 140 + 60 + 60 + 110;
    expect(total(segs)).toBe((shutdown + restart) * 1000);
  });

  it('never exceeds itself when independent waits overlap (the dependency bound is lower)', () => {
    const dep = dependencyBound(realized);
    expect(dep.shutdownMs + dep.restartMs).toBeLessThan(total(segs));
    // Shutdown: Rancher branch (9 + 120) overlaps the traditional stops (150): 150 + detach 5.
    expect(dep.shutdownMs).toBe((90 + 150 + 5 + 35 + 53 + 33) * 1000);
  });
});
