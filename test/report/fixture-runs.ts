// Shutdown and restart timelines shaped like the seed's procedure, with realistic
// durations (minutes of VM shutdowns, seconds of checks), for the renderer tests.
import type { RunTimeline, StepOutcome, TimelineStep } from '../../src/report/timeline.js';

type StepDef = [id: string, title: string, seed: string, seconds: number, outcome?: StepOutcome, waitedFor?: string, detail?: string];

function steps(start: number, defs: StepDef[]): { steps: TimelineStep[]; end: number } {
  let t = start;
  const out = defs.map(([id, title, seed, seconds, outcome = 'done', waitedFor, detail]): TimelineStep => {
    const s: TimelineStep = { id, title, seed, startedAt: new Date(t).toISOString(), endedAt: new Date(t + seconds * 1000).toISOString(), outcome };
    if (waitedFor) s.waitedFor = waitedFor;
    if (detail) s.detail = detail;
    t += seconds * 1000 + 500;
    return s;
  });
  return { steps: out, end: t };
}

export const shutdownStart = Date.parse('2025-01-10T08:00:00Z');
export const restartStart = Date.parse('2025-01-13T07:30:00Z');

export const shutdownDefs: StepDef[] = [
  ['shutdown.support-bundle', 'Generate a support bundle', '1.1', 212, 'done', 'support bundle ready (100%)'],
  ['shutdown.record-network', 'Record node IPs, VIP and settings', '1.2', 2],
  ['shutdown.backup-vms', 'Back up VMs', '2', 0, 'skipped', undefined, 'not requested (--backup not set)'],
  ['shutdown.stop-traditional-vms', 'Stop traditional VMs', '3.1', 186, 'done', 'VMIs gone (web, legacy)', 'stopped 2 VMs in 1 wave'],
  ['shutdown.disconnect-rancher', 'Disconnect Harvester from the Rancher Manager', '3.2', 41, 'done', 'rancher and cattle-cluster-agent at 0 replicas'],
  ['shutdown.stop-downstream-vms', 'Stop Rancher downstream cluster VMs', '3.2', 95, 'done', 'VMIs gone (rke2-prod-pool1-x7k2p)'],
  ['shutdown.disable-addons', 'Disable addons that hold PVCs', '3.3', 63, 'done', 'rancher-monitoring AddonDisabled'],
  ['shutdown.check-volumes', 'Check Longhorn volumes are detached', '3.5', 38, 'done', 'all 3 volumes detached'],
  ['shutdown.workers', 'Shut down the worker nodes', '4.1', 74, 'done', 'harv2 NotReady'],
  ['shutdown.control-plane', 'Shut down control-plane nodes and the witness', '4.2', 122, 'done', 'harv41, harv43 NotReady'],
  ['shutdown.last-control-plane', 'Shut down the last control-plane node (etcd leader)', '4.3', 35, 'done', 'API server gone'],
];

export const restartDefs: StepDef[] = [
  ['restart.leader', 'Power on the last shut down node (etcd leader)', '5.1', 181, 'done', 'harv42 answers'],
  ['restart.control-plane', 'Power on the other control-plane nodes and the witness', '5.1', 244, 'done', 'harv41, harv42, harv43 Ready'],
  ['restart.check-vip', 'Check the VIP', '5.1', 12, 'done', 'ingress-expose EXTERNAL-IP 127.0.1.100'],
  ['restart.workers', 'Power on the worker nodes', '5.2', 198, 'done', 'harv2 Ready'],
  ['restart.health', 'Check the basic components', '5.2', 402, 'done', 'system pods Ready'],
  ['restart.enable-addons', 'Enable the addons disabled before', '5.3', 131, 'done', 'rancher-monitoring AddonDeploySuccessful'],
  ['restart.reconnect-rancher', 'Restore the connection to the Rancher Manager', '5.4', 88, 'done', 'rancher 3/3, cattle-cluster-agent 2/2'],
  ['restart.start-vms', 'Start traditional VMs', '5.5', 73, 'done', 'VMIs Running (web, legacy)', 'wave 1 of 1'],
  ['restart.downstream-vms', 'Wait for Rancher to start downstream VMs', '5.5', 160, 'done', 'rke2-prod-pool1-x7k2p Running'],
  ['restart.support-bundle', 'Generate a new support bundle', '5.6', 0, 'already-done', undefined, 'bundle already generated in this run'],
];

export function shutdownRun(overrides: Partial<RunTimeline> = {}): RunTimeline {
  const { steps: s, end } = steps(shutdownStart, shutdownDefs);
  return { runId: '20250110T080000-sd1', runbook: 'shutdown', startedAt: new Date(shutdownStart).toISOString(), endedAt: new Date(end).toISOString(), status: 'succeeded', steps: s, ...overrides };
}

export function restartRun(overrides: Partial<RunTimeline> = {}): RunTimeline {
  const { steps: s, end } = steps(restartStart, restartDefs);
  return { runId: '20250113T073000-rs1', runbook: 'restart', startedAt: new Date(restartStart).toISOString(), endedAt: new Date(end).toISOString(), status: 'succeeded', steps: s, ...overrides };
}
