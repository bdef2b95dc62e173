// The seed's ordering rules checked from the twin's own event log — what really happened
// in the simulated cluster, not what the tool says it did. Used by tests, benchmarks and
// `fallow rehearse` ("order held").
import type { EventLog, TwinEvent } from './events.js';
import type { Scenario } from './scenario/schema.js';

export interface AuditFinding {
  rule: string;
  ok: boolean;
  detail: string;
}

export interface AuditInput {
  events: EventLog;
  /** Node names by role, from the scenario. */
  workers: string[];
  etcdNodes: string[];
  /** "ns/name" of the downstream-cluster VMs. */
  downstreamVms: string[];
  /** Only events from this modelled time on (the start of the shutdown). */
  since?: number;
  /** Only events up to this modelled time (the end of the shutdown). */
  until?: number;
  /** The etcd leader when `since` began (later changes come from the log). */
  initialLeader?: string;
}

const off = (e: TwinEvent) => e.type === 'node.power' && e.detail === 'off';

/** Shutdown ordering (seed 3–4). */
/** The node and VM roles the audits need, read from the scenario the twin was built from. */
export function auditRoles(s: Scenario): Pick<AuditInput, 'workers' | 'etcdNodes' | 'downstreamVms'> {
  return {
    workers: s.nodes.filter((n) => n.role === 'worker').map((n) => n.name),
    etcdNodes: s.nodes.filter((n) => n.role !== 'worker').map((n) => n.name),
    downstreamVms: s.vms.filter((v) => v.guestCluster).map((v) => `${v.namespace ?? 'default'}/${v.name}`),
  };
}

export function auditShutdown(i: AuditInput): AuditFinding[] {
  const ev = i.events.all().filter((e) => e.t >= (i.since ?? 0) && e.t <= (i.until ?? Infinity));
  const findings: AuditFinding[] = [];
  const offs = ev.filter(off);

  // No node off while a VMI ran on it.
  const running = new Map<string, string>(); // vmi → node
  const bad: string[] = [];
  for (const e of ev) {
    if ((e.type === 'vmi.running' || e.type === 'vmi.scheduled') && e.object && e.node) running.set(e.object, e.node);
    if ((e.type === 'vmi.deleted' || e.type === 'vmi.failed') && e.object) running.delete(e.object);
    if (off(e) && e.node) for (const [vmi, node] of running) if (node === e.node) bad.push(`${e.node} off while ${vmi} ran on it`);
  }
  findings.push({ rule: 'no node off while a VMI ran on it', ok: bad.length === 0, detail: bad.join('; ') || `${offs.length} nodes off` });

  // Workers before etcd members; leader last.
  const lastWorker = Math.max(-1, ...offs.filter((e) => i.workers.includes(e.node ?? '')).map((e) => e.seq));
  const firstEtcd = Math.min(Infinity, ...offs.filter((e) => i.etcdNodes.includes(e.node ?? '')).map((e) => e.seq));
  findings.push({ rule: 'no etcd member off before the workers', ok: lastWorker < firstEtcd, detail: `last worker off #${lastWorker}, first etcd member off #${firstEtcd}` });
  const etcdOffs = offs.filter((e) => i.etcdNodes.includes(e.node ?? ''));
  const lastOff = etcdOffs.at(-1)?.node;
  const leaderBefore = ev.filter((e) => e.type === 'etcd.leader' && e.node && (etcdOffs.length === 0 || e.seq < etcdOffs.at(-1)!.seq)).at(-1)?.node ?? i.initialLeader;
  findings.push({ rule: 'the etcd leader went down last', ok: Boolean(lastOff) && lastOff === leaderBefore, detail: `last off ${lastOff ?? 'none'}, leader then ${leaderBefore ?? 'unknown'}` });

  // Rancher at 0 before any downstream VM stopped.
  const rancherZero = ev.find((e) => e.type === 'deployment.scaled' && e.object === 'cattle-system/rancher' && (e.data as { to?: number } | undefined)?.to === 0);
  // A stop shows as Halted (UI stop) or, for node-driver VMs (RerunOnFailure), as the guest going down.
  const stopped = (e: TwinEvent) =>
    (e.type === 'vm.runstrategy' && (e.data as { to?: string } | undefined)?.to === 'Halted') ||
    e.type === 'guest.acpi-shutdown' ||
    e.type === 'guest.killed' ||
    e.type === 'vmi.deleted';
  const firstDownstreamStop = ev.find((e) => stopped(e) && i.downstreamVms.includes(e.object ?? ''));
  findings.push({
    rule: 'Rancher at 0 before any downstream VM stopped',
    ok: !firstDownstreamStop || (rancherZero !== undefined && rancherZero.seq < firstDownstreamStop.seq),
    detail: `rancher→0 #${rancherZero?.seq ?? 'never'}, first downstream stop #${firstDownstreamStop?.seq ?? 'none'}`,
  });

  // No volume attached when the first node went off.
  const firstOff = offs[0];
  const attached = new Set<string>();
  for (const e of ev) {
    if (firstOff && e.seq >= firstOff.seq) break;
    if (e.type === 'volume.attached' && e.object) attached.add(e.object);
    if (e.type === 'volume.detached' && e.object) attached.delete(e.object);
  }
  findings.push({ rule: 'no volume attached when the first node went off', ok: attached.size === 0, detail: attached.size ? [...attached].join(', ') : 'all detached' });

  // Rancher Manager never re-created a downstream VM during the shutdown.
  const restarted = ev.filter((e) => e.type === 'rancher.vm-restarted');
  findings.push({ rule: 'Rancher Manager restarted no downstream VM', ok: restarted.length === 0, detail: restarted.map((e) => e.object).join(', ') || 'none' });
  return findings;
}

/** Restart ordering (seed 5): leader first, VM boots within the wave size. */
export function auditRestart(i: AuditInput & { leader: string; waveSize: number }): AuditFinding[] {
  const ev = i.events.all().filter((e) => e.t >= (i.since ?? 0));
  const ons = ev.filter((e) => e.type === 'node.power' && (e.detail === 'booting' || e.detail === 'on'));
  const first = ons[0]?.node;
  const findings: AuditFinding[] = [{ rule: 'the last etcd leader powered on first', ok: first === i.leader, detail: `first on: ${first ?? 'none'}, leader ${i.leader}` }];
  const booting = new Set<string>();
  let peak = 0;
  for (const e of ev) {
    if (e.type === 'vmi.created' && e.object && !i.downstreamVms.includes(e.object)) booting.add(e.object);
    if ((e.type === 'vmi.running' || e.type === 'vmi.deleted' || e.type === 'vmi.failed') && e.object) booting.delete(e.object);
    peak = Math.max(peak, booting.size);
  }
  findings.push({ rule: 'VM boots never exceeded the wave size', ok: peak <= i.waveSize, detail: `peak ${peak} booting at once, wave size ${i.waveSize}` });
  return findings;
}
