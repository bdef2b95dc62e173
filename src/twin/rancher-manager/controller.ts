// The twin Rancher Manager's behaviour, as level-based reconciles on the twin's clock:
// - the imported Harvester is Active (Ready, Connected) while cattle-cluster-agent has a
//   ready replica and the cluster-registration-url is set, Unavailable otherwise (seed 3.2);
// - a downstream machine is Running with a healthy node while its VM's VMI runs, and its
//   cluster is Ready when every machine is (unless a fault keeps it NotReady);
// - an etcd snapshot is taken when spec.rkeConfig.etcdSnapshotCreate.generation moves past
//   what the control plane finished: phase Started, then after the modelled duration one
//   ETCDSnapshot per ready etcd machine and phase Finished — or Failed (a fault, or the
//   cluster not Ready), with a failed ETCDSnapshot whose message says why.
import { Kinds, Rancher } from '../../common/harvester.js';
import type { Condition, SettingObject, VirtualMachineInstanceObject, VirtualMachineObject } from '../../common/harvester-types.js';
import { FleetDefault, RancherKinds, RancherLabels, type MachineObject, type ProvisioningClusterObject, type RkeControlPlaneObject } from '../../rancher/kinds.js';
import { registrationClusterId } from '../../rancher/views.js';
import type { TwinApi } from '../api.js';
import { Informers, type Informer } from '../controllers/informer.js';
import type { Timers } from '../controllers/timers.js';
import type { Rng } from '../scenario/rng.js';
import type { KObject } from '../store/types.js';
import type { RancherModel } from './build.js';

export interface RancherTwinFaults {
  /** Downstream clusters (provisioning names) whose etcd snapshots fail. */
  snapshotFails: string[];
  /** Downstream clusters that stay NotReady whatever their VMs do. */
  clusterStuck: string[];
}

export interface ControllerOptions {
  harvester: TwinApi;
  rancher: TwinApi;
  timers: Timers;
  rng: Rng;
  model: RancherModel;
  faults: RancherTwinFaults;
  /** Modelled seconds an etcd snapshot takes. */
  snapshotSeconds: [number, number];
}

type Deployment = KObject & { status?: { readyReplicas?: number } };
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export class RancherManagerTwinController {
  private readonly hv: Informers;
  private readonly vms: Informer<VirtualMachineObject>;
  private readonly vmis: Informer<VirtualMachineInstanceObject>;
  private readonly deployments: Informer<Deployment>;
  private readonly settings: Informer<SettingObject>;
  private readonly rm: Informers;
  private readonly clusters: Informer<ProvisioningClusterObject>;
  private readonly inFlight = new Map<string, number>();
  private running: Promise<void> = Promise.resolve();
  private queued = false;
  private stopped = false;
  private readonly cancels: (() => void)[] = [];

  constructor(private readonly o: ControllerOptions) {
    this.hv = new Informers(o.harvester);
    this.vms = this.hv.for(Kinds.VirtualMachine);
    this.vmis = this.hv.for(Kinds.VirtualMachineInstance);
    this.deployments = this.hv.for(Kinds.Deployment);
    this.settings = this.hv.for(Kinds.Setting);
    this.rm = new Informers(o.rancher);
    this.clusters = this.rm.for(RancherKinds.ProvisioningCluster);
  }

  async start(): Promise<void> {
    const kick = () => this.kick();
    for (const inf of [this.vms, this.vmis, this.deployments, this.settings, this.clusters] as Informer[]) inf.onChange(kick);
    await this.hv.startAll();
    await this.rm.startAll();
    this.kick();
    await this.idle();
  }

  stop(): void {
    this.stopped = true;
    this.hv.stopAll();
    this.rm.stopAll();
    for (const c of this.cancels) c();
  }

  /** Resolves when the queued reconciles have run. */
  async idle(): Promise<void> {
    while (this.queued) await this.running;
    await this.running;
  }

  /** Coalesces bursts of events into one reconcile. */
  kick(): void {
    if (this.queued || this.stopped) return;
    this.queued = true;
    this.running = this.running.then(async () => {
      this.queued = false;
      if (!this.stopped) await this.reconcile().catch(() => undefined);
    });
  }

  private async reconcile(): Promise<void> {
    await this.reconcileHarvester();
    for (const d of this.o.model.downstream) await this.reconcileDownstream(d.name, d.id);
  }

  private async reconcileHarvester(): Promise<void> {
    const id = this.o.model.harvesterId;
    if (!id) return;
    const url = this.settings.getBy(undefined, 'cluster-registration-url');
    const agent = this.deployments.getBy(Rancher.namespace, Rancher.agentDeployment);
    const imported = registrationClusterId(url?.value || url?.default) === id;
    const up = imported && (agent?.status?.readyReplicas ?? 0) > 0;
    const why = !imported ? 'Harvester no longer points at this Rancher (cluster-registration-url)' : 'Cluster agent is not connected';
    const conds: Condition[] = up
      ? [cond('Ready', 'True'), cond('Connected', 'True')]
      : [cond('Ready', 'False', 'Disconnected', why), cond('Connected', 'False', 'Disconnected', why)];
    await this.setConditions(RancherKinds.ManagementCluster, undefined, id, conds, { provider: 'harvester', driver: 'imported' });
    await this.patchStatus(RancherKinds.ProvisioningCluster, FleetDefault, this.o.model.harvesterName, { ready: up, clusterName: id });
  }

  private async reconcileDownstream(name: string, id: string): Promise<void> {
    const machines = await this.o.rancher.list<MachineObject>(RancherKinds.Machine, { namespace: FleetDefault, labelSelector: `${RancherLabels.capiClusterName}=${name}` });
    let readyCount = 0;
    for (const m of machines) {
      const vmNs = this.vmNamespace(m);
      const vm = this.vms.getBy(vmNs, m.metadata.name);
      const vmi = this.vmis.getBy(vmNs, m.metadata.name);
      const running = vmi?.status?.phase === 'Running';
      if (running) readyCount++;
      const status = !vm
        ? { phase: 'Failed', conditions: [cond('Ready', 'False', 'VMNotFound', `VM ${vmNs}/${m.metadata.name} not found on Harvester`)] }
        : running
          ? { phase: 'Running', nodeRef: { kind: 'Node', name: m.metadata.name }, conditions: [cond('Ready', 'True'), cond('NodeHealthy', 'True')] }
          : {
              phase: 'Running',
              nodeRef: { kind: 'Node', name: m.metadata.name },
              conditions: [cond('Ready', 'False', 'NodeNotReady', `node ${m.metadata.name} is NotReady`), cond('NodeHealthy', 'False', 'NodeConditionsFailed', 'Node condition Ready is Unknown')],
            };
      await this.patchStatus(RancherKinds.Machine, FleetDefault, m.metadata.name, status);
    }
    const stuck = this.o.faults.clusterStuck.includes(name);
    const ready = !stuck && machines.length > 0 && readyCount === machines.length;
    const message = stuck ? 'cluster agent is not connected' : `${machines.length - readyCount} of ${machines.length} machines not ready`;
    const conds = ready ? [cond('Ready', 'True'), cond('Connected', 'True')] : [cond('Ready', 'False', 'Waiting', message), cond('Connected', 'False', 'Disconnected', message)];
    await this.patchStatus(RancherKinds.ProvisioningCluster, FleetDefault, name, { ready, clusterName: id, conditions: conds });
    await this.setConditions(RancherKinds.ManagementCluster, undefined, id, conds, { driver: 'rke2' });
    await this.reconcileSnapshot(name, ready, machines);
  }

  private vmNamespace(m: MachineObject): string {
    const d = this.o.model.downstream.find((x) => x.vms.some((k) => k.endsWith(`/${m.metadata.name}`)));
    const key = d?.vms.find((k) => k.endsWith(`/${m.metadata.name}`));
    return key ? key.slice(0, key.indexOf('/')) : 'default';
  }

  private async reconcileSnapshot(name: string, ready: boolean, machines: MachineObject[]): Promise<void> {
    const p = this.clusters.getBy(FleetDefault, name);
    const cp = await this.o.rancher.get<RkeControlPlaneObject>(RancherKinds.RkeControlPlane, FleetDefault, name);
    if (!p || !cp) return;
    const want = p.spec?.rkeConfig?.etcdSnapshotCreate?.generation ?? 0;
    const done = cp.status?.etcdSnapshotCreate?.generation ?? 0;
    const failedAt = cp.status?.etcdSnapshotCreatePhase === 'Failed' ? cp.spec?.etcdSnapshotCreate?.generation : undefined;
    if (want <= done || want === failedAt || this.inFlight.get(name) === want) return;
    this.inFlight.set(name, want);
    await this.o.rancher.patch(RancherKinds.RkeControlPlane, FleetDefault, name, { spec: { etcdSnapshotCreate: { generation: want } } });
    await this.patchStatus(RancherKinds.RkeControlPlane, FleetDefault, name, { etcdSnapshotCreatePhase: 'Started', ready });
    const cancel = this.o.timers.after(this.o.rng.seconds(this.o.snapshotSeconds), () => {
      void this.finishSnapshot(name, want, machines).catch(() => undefined);
    });
    this.cancels.push(cancel);
  }

  private async finishSnapshot(name: string, generation: number, machines: MachineObject[]): Promise<void> {
    if (this.stopped) return;
    const now = this.o.timers.clock.now();
    const stamp = Math.floor(now / 1000);
    const ready = this.clusters.getBy(FleetDefault, name)?.status?.ready === true;
    const etcd = machines.filter((m) => this.vmis.getBy(this.vmNamespace(m), m.metadata.name)?.status?.phase === 'Running');
    const failure = this.o.faults.snapshotFails.includes(name)
      ? 'etcd snapshot save failed: context deadline exceeded'
      : !ready || etcd.length === 0
        ? 'etcd snapshot save failed: no etcd member answered (cluster not ready)'
        : undefined;
    const on = failure ? machines.slice(0, 1) : etcd;
    for (const m of on) {
      const file = `${name}-etcd-snapshot-${m.metadata.name}-${stamp}`;
      await this.o.rancher.create({
        apiVersion: RancherKinds.EtcdSnapshot.apiVersion,
        kind: RancherKinds.EtcdSnapshot.kind,
        metadata: { name: `${file}-local`, namespace: FleetDefault, labels: { [RancherLabels.rkeClusterName]: name }, annotations: { 'etcdsnapshot.rke.io/storage': 'local' } },
        spec: { clusterName: name },
        snapshotFile: {
          name: file,
          nodeName: m.metadata.name,
          location: `file:///var/lib/rancher/rke2/server/db/snapshots/${file}`,
          createdAt: iso(now),
          ...(failure ? { status: 'failed', message: Buffer.from(failure).toString('base64') } : { status: 'successful', size: 12_582_944 }),
        },
        status: { missing: false },
      });
    }
    await this.patchStatus(RancherKinds.RkeControlPlane, FleetDefault, name, failure ? { etcdSnapshotCreatePhase: 'Failed' } : { etcdSnapshotCreatePhase: 'Finished', etcdSnapshotCreate: { generation } });
    this.inFlight.delete(name);
    this.kick();
  }

  private async setConditions(ref: { apiVersion: string; kind: string }, ns: string | undefined, name: string, conds: Condition[], extra: Record<string, unknown>): Promise<void> {
    const cur = await this.o.rancher.get<KObject & { status?: { conditions?: Condition[] } }>(ref, ns, name);
    if (!cur) return;
    const now = iso(this.o.timers.clock.now());
    const old = cur.status?.conditions ?? [];
    const next = conds.map((c) => {
      const prev = old.find((o) => o.type === c.type);
      return { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
    });
    await this.patchStatus(ref, ns, name, { ...extra, conditions: next });
  }

  private async patchStatus(ref: { apiVersion: string; kind: string }, ns: string | undefined, name: string, status: Record<string, unknown>): Promise<void> {
    const cur = await this.o.rancher.get(ref, ns, name);
    if (!cur) return;
    const merged = { ...((cur.status as Record<string, unknown> | undefined) ?? {}), ...status };
    if (JSON.stringify(merged) === JSON.stringify(cur.status)) return;
    await this.o.rancher.update({ ...cur, status: merged }, { subresource: 'status' });
  }
}

function cond(type: string, status: Condition['status'], reason?: string, message?: string): Condition {
  return { type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}
