// fallow's own time per seed section, from its engine events: each step's modelled time
// from its start to its end (done, skipped or failed) is charged to the seed section the
// bound uses, so the report can say where fallow spends time beyond the bound.
import type { EngineEvent } from '../src/engine/events.js';
import type { SegmentId } from './bound.js';

export const stepSegment: Record<string, SegmentId> = {
  'shutdown.support-bundle': '1.1 support bundle',
  'shutdown.record-network': '1.2 record',
  'shutdown.snapshot': '1.2 record',
  'shutdown.backup-vms': '2 backups',
  'shutdown.stop-traditional-vms': '3.1 traditional VMs',
  'shutdown.rancher-scale-available': '3.2 disconnect Rancher',
  'shutdown.rancher-scale-down': '3.2 disconnect Rancher',
  'shutdown.agent-scale-down': '3.2 disconnect Rancher',
  'shutdown.stop-downstream-vms': '3.2 downstream VMs',
  'shutdown.disable-addons': '3.3 addons',
  'shutdown.other-workloads': '3.4 other workloads',
  'shutdown.longhorn-detached': '3.5 volumes detached',
  'shutdown.workers': '4.1 workers off',
  'shutdown.etcd-leader': '4.2 etcd followers off',
  'shutdown.etcd-followers': '4.2 etcd followers off',
  'shutdown.etcd-leader-last': '4.3 etcd leader off',
  'restart.power-on-leader': '5.1 leader boot',
  'restart.power-on-etcd-members': '5.1 quorum',
  'restart.check-vip': '5.1 VIP',
  'restart.power-on-workers': '5.2 workers',
  'restart.health-gates': '5.2 health',
  'restart.enable-addons': '5.3 addons',
  'restart.other-workloads': '5.4 Rancher',
  'restart.rancher-scale-available': '5.4 Rancher',
  'restart.rancher-scale-up': '5.4 Rancher',
  'restart.start-traditional-vms': '5.5 VMs',
  'restart.downstream-vms': '5.5 VMs',
  'restart.support-bundle': '5.6 bundle and verify',
  'restart.verify': '5.6 bundle and verify',
};

export interface StepTime {
  step: string;
  segment: SegmentId | undefined;
  start: number;
  ms: number;
}

/** Modelled time of every step: from its step-start to the next step's start or the run's end. */
export function stepTimes(events: EngineEvent[]): StepTime[] {
  const out: StepTime[] = [];
  let open: { step: string; start: number } | undefined;
  const close = (t: number) => {
    if (open) out.push({ step: open.step, segment: stepSegment[open.step], start: open.start, ms: t - open.start });
    open = undefined;
  };
  for (const e of events) {
    if (e.type === 'step-start') {
      close(e.t);
      open = { step: e.step, start: e.t };
    } else if (e.type === 'step-done' || e.type === 'step-failed' || (e.type === 'step-skip' && open?.step === e.step)) close(e.t);
    else if (e.type === 'run-end' || e.type === 'run-start') close(e.t);
  }
  return out;
}

export function segmentTimes(events: EngineEvent[]): Map<SegmentId, number> {
  const m = new Map<SegmentId, number>();
  for (const s of stepTimes(events)) if (s.segment) m.set(s.segment, (m.get(s.segment) ?? 0) + s.ms);
  return m;
}

/** Modelled time from each run's start to its end, summed over the runs in the events. */
export function runTime(events: EngineEvent[]): number {
  let total = 0;
  let start: number | undefined;
  for (const e of events) {
    if (e.type === 'run-start') start = e.t;
    if (e.type === 'run-end' && start !== undefined) {
      total += e.t - start;
      start = undefined;
    }
  }
  return total;
}
