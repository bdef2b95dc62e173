// Pure readings of Rancher's objects: what the Rancher UI would call the Harvester cluster
// (Active / Unavailable / Provisioning), whether a downstream cluster and each machine is
// ready, and where an etcd snapshot request stands. No I/O, so every rule is unit-tested.
import type {
  DownstreamClusterView,
  DownstreamMachineView,
  EtcdSnapshotView,
  HarvesterClusterView,
  SnapshotStateView,
} from '../runbook/rancher-port.js';
import {
  conditionOf,
  HarvesterConfigKind,
  HarvesterMachineKind,
  RancherLabels,
  type EtcdSnapshotObject,
  type HarvesterMachineObject,
  type MachineObject,
  type ManagementClusterObject,
  type ProvisioningClusterObject,
  type RkeControlPlaneObject,
} from './kinds.js';

/** The management cluster id in Harvester's cluster-registration-url (…/v3/import/<token>_<id>.yaml). */
export function registrationClusterId(url: string | undefined): string | undefined {
  const m = /\/v3\/import\/[^/_]+_(c-[a-z0-9-]+)\.yaml$/.exec(url?.trim() ?? '');
  return m?.[1];
}

export function harvesterClusterView(c: ManagementClusterObject): HarvesterClusterView {
  const ready = conditionOf(c, 'Ready');
  const connected = conditionOf(c, 'Connected');
  const base = { id: c.metadata.name, displayName: c.spec?.displayName || c.metadata.name };
  if (!ready) return { ...base, state: 'Provisioning', message: 'Rancher has not reported it Ready yet' };
  if (ready.status === 'True' && connected?.status !== 'False') return { ...base, state: 'Active' };
  const why = connected?.status === 'False' ? connected : ready;
  const message = why.message || why.reason || `${why.type} is ${why.status}`;
  return { ...base, state: 'Unavailable', message };
}

export function machineView(m: MachineObject, harvesterMachines: ReadonlyMap<string, HarvesterMachineObject>): DownstreamMachineView {
  const ns = m.metadata.namespace ?? '';
  const ref = m.spec?.infrastructureRef;
  let vm: DownstreamMachineView['vm'];
  if (ref?.kind === HarvesterMachineKind && ref.name) {
    const hm = harvesterMachines.get(`${ref.namespace ?? ns}/${ref.name}`);
    // The node driver names the VM after the machine; its namespace is the machine config's.
    vm = { ...(hm?.spec?.vmNamespace ? { namespace: hm.spec.vmNamespace } : {}), name: ref.name };
  }
  const phase = m.status?.phase ?? 'Unknown';
  const healthy = conditionOf(m, 'NodeHealthy');
  const ready = conditionOf(m, 'Ready');
  let reason: string | undefined;
  if (phase !== 'Running') reason = `phase ${phase}`;
  else if (!m.status?.nodeRef) reason = 'no node yet';
  else if (healthy?.status === 'False') reason = healthy.message || healthy.reason || 'node not healthy';
  else if (ready?.status === 'False') reason = ready.message || ready.reason || 'not ready';
  return { namespace: ns, name: m.metadata.name, ...(vm ? { vm } : {}), phase, ready: reason === undefined, ...(reason ? { reason } : {}) };
}

export function isHarvesterDownstream(p: ProvisioningClusterObject): boolean {
  return (p.spec?.rkeConfig?.machinePools ?? []).some((mp) => mp.machineConfigRef?.kind === HarvesterConfigKind);
}

export function downstreamClusterView(p: ProvisioningClusterObject, machines: MachineObject[], harvesterMachines: ReadonlyMap<string, HarvesterMachineObject>): DownstreamClusterView {
  const ready = conditionOf(p, 'Ready');
  const isReady = p.status?.ready === true && ready?.status !== 'False';
  const message = isReady ? undefined : ready?.message || ready?.reason || (p.status?.ready ? undefined : 'status.ready is not true');
  const mine = machines.filter((m) => m.metadata.labels?.[RancherLabels.capiClusterName] === p.metadata.name || m.spec?.clusterName === p.metadata.name);
  return {
    namespace: p.metadata.namespace ?? '',
    name: p.metadata.name,
    ...(p.status?.clusterName ? { id: p.status.clusterName } : {}),
    ready: isReady,
    ...(message ? { message } : {}),
    harvesterPools: (p.spec?.rkeConfig?.machinePools ?? []).filter((mp) => mp.machineConfigRef?.kind === HarvesterConfigKind).map((mp) => mp.name),
    machines: mine.map((m) => machineView(m, harvesterMachines)).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** rke2/k3s put the failure text base64-encoded into snapshotFile.message. */
export function decodeSnapshotMessage(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(raw) && raw.length % 4 === 0) {
    const text = Buffer.from(raw, 'base64').toString('utf8');
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) return text;
  }
  return raw;
}

export function snapshotView(s: EtcdSnapshotObject): EtcdSnapshotView {
  const f = s.snapshotFile ?? {};
  const message = decodeSnapshotMessage(f.message);
  return {
    name: s.metadata.name,
    ...(f.nodeName ? { nodeName: f.nodeName } : {}),
    ...(f.createdAt ? { createdAt: f.createdAt } : {}),
    status: f.status ?? '',
    ...(message ? { message } : {}),
  };
}

export function snapshotsOf(cluster: string, all: EtcdSnapshotObject[]): EtcdSnapshotObject[] {
  return all.filter((s) => s.metadata.labels?.[RancherLabels.rkeClusterName] === cluster || s.spec?.clusterName === cluster);
}

export function snapshotStateView(p: ProvisioningClusterObject | undefined, cp: RkeControlPlaneObject | undefined, snapshots: EtcdSnapshotObject[]): SnapshotStateView {
  const phase = cp?.status?.etcdSnapshotCreatePhase;
  return {
    requestedGeneration: p?.spec?.rkeConfig?.etcdSnapshotCreate?.generation ?? 0,
    finishedGeneration: cp?.status?.etcdSnapshotCreate?.generation ?? 0,
    processingGeneration: cp?.spec?.etcdSnapshotCreate?.generation ?? 0,
    ...(phase ? { phase } : {}),
    snapshots: snapshots.map(snapshotView).sort((a, b) => a.name.localeCompare(b.name)),
  };
}
