// Shared guard test fixtures: a modelled shutdown estimate (a stand-in for the runbook
// owner's estimator, with the same knobs), budget limits and a policy config, and an
// in-memory UpsSource (the UpsSource seam is where a twin UPS plugs in).
import { UnreachableError } from '../../src/common/errors.js';
import type { BudgetLimits, BudgetOptions, ShutdownEstimate, ShutdownEstimator } from '../../src/guard/budget.js';
import type { UpsSource } from '../../src/guard/monitor.js';
import type { PolicyConfig } from '../../src/guard/policy.js';

export interface ClusterModel {
  vms: number;
  workers: number;
  controlPlanes: number;
}

const s = (sec: number) => sec * 1000;

/**
 * Seconds per step, roughly what the seed's procedure costs: VMs stop in waves of
 * `vmStopParallelism`, each wave lasting the guest grace (or 10 s forced); nodes go down
 * one by one in etcd order (90 s each, 20 s forced).
 */
export function modelEstimator(m: ClusterModel): ShutdownEstimator {
  return (o: BudgetOptions): ShutdownEstimate => {
    const waves = Math.ceil(m.vms / o.vmStopParallelism);
    const all = [
      { id: 'support-bundle', ms: s(120), optional: false },
      { id: 'backup-vms', ms: s(20 * m.vms), optional: true },
      { id: 'support-bundle-second', ms: s(120), optional: true },
      { id: 'stop-vms', ms: s(waves * (o.forceOff ? 10 : o.guestGraceSeconds)), optional: false },
      { id: 'disable-addons', ms: s(o.forceOff ? 30 : 120), optional: false },
      { id: 'shutdown-nodes', ms: s((m.workers + m.controlPlanes) * (o.forceOff ? 20 : 90)), optional: false },
    ];
    const steps = all.filter((st) => !o.skipSteps.includes(st.id));
    return { totalMs: steps.reduce((a, st) => a + st.ms, 0), steps };
  };
}

export const cluster: ClusterModel = { vms: 12, workers: 1, controlPlanes: 3 };
export const estimate = modelEstimator(cluster);

export const limits: BudgetLimits = {
  defaults: { skipSteps: [], vmStopParallelism: 4, guestGraceSeconds: 180, forceOff: false },
  maxVmStopParallelism: 12,
  minGuestGraceSeconds: 30,
};

/** Full plan with the model: 120 + 240 + 120 + 3×180 + 120 + 4×90 = 1500 s. */
export const fullPlanMs = estimate(limits.defaults).totalMs;

export const policyConfig: PolicyConfig = {
  safetyMarginMs: s(60),
  maxOnBatteryMs: s(30 * 60),
  lowBatteryTriggers: true,
  assumedLowBatteryRuntimeMs: s(120),
  lookaheadMs: s(5),
  flapToleranceMs: s(60),
  restartMinChargePct: 50,
  restartStableMs: s(300),
  budget: limits,
};

/** An in-memory UPS: tests set `vars` or `failWith`, the monitor reads them. */
export class MemoryUps implements UpsSource {
  readonly label = 'mem@127.0.0.1:3493';
  vars = new Map<string, string>();
  failWith: Error | undefined;
  openError: Error | undefined;
  opened = 0;
  closed = 0;
  set(status: string, runtimeS?: number, chargePct?: number): void {
    this.failWith = undefined;
    this.vars = new Map([['ups.status', status]]);
    if (runtimeS !== undefined) this.vars.set('battery.runtime', String(runtimeS));
    if (chargePct !== undefined) this.vars.set('battery.charge', String(chargePct));
  }
  unreachable(): void {
    this.failWith = new UnreachableError('UPS server for mem unreachable: test', 'hint');
  }
  async open(): Promise<void> {
    this.opened++;
    if (this.openError) throw this.openError;
  }
  async listVars(): Promise<Map<string, string>> {
    if (this.failWith) throw this.failWith;
    return new Map(this.vars);
  }
  async close(): Promise<void> {
    this.closed++;
  }
}
