// Harvester's addon controller: spec.enabled true → AddonEnabling (InProgress) → the chart's
// workloads are installed → AddonDeploySuccessful after the modelled deploy time; false →
// AddonDisabling (the release is uninstalled at once, its pods terminate; PVCs are kept, as
// the charts mark them) → AddonDisabled. Faults: a deploy that fails (status stays
// AddonEnabling with condition OperationFailed, as Harvester shows it), a disable that never
// finishes.
import { Kinds } from '../../common/harvester.js';
import type { AddonObject, AddonStatus, Condition } from '../../common/harvester-types.js';
import type { KObject } from '../store/types.js';
import type { ScenarioAddon } from '../scenario/schema.js';
import { QueueController } from './base.js';
import type { TwinContext } from './context.js';
import type { Informer } from './informer.js';
import { isoTime, withCondition } from './util.js';

export interface AddonWorkload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  name: string;
  replicas: number;
  pvcSize?: string;
}

/** What each known addon's chart runs (the PVC holders the seed's 3.3 is about). */
export const defaultAddonWorkloads: Record<string, AddonWorkload[]> = {
  'rancher-monitoring': [
    { kind: 'StatefulSet', name: 'prometheus-rancher-monitoring-prometheus', replicas: 1, pvcSize: '50Gi' },
    { kind: 'StatefulSet', name: 'alertmanager-rancher-monitoring-alertmanager', replicas: 1, pvcSize: '5Gi' },
    { kind: 'Deployment', name: 'rancher-monitoring-grafana', replicas: 1, pvcSize: '2Gi' },
    { kind: 'Deployment', name: 'rancher-monitoring-operator', replicas: 1 },
    { kind: 'Deployment', name: 'rancher-monitoring-kube-state-metrics', replicas: 1 },
    { kind: 'DaemonSet', name: 'rancher-monitoring-prometheus-node-exporter', replicas: 1 },
  ],
  'rancher-logging': [
    { kind: 'StatefulSet', name: 'rancher-logging-root-fluentd', replicas: 1, pvcSize: '20Gi' },
    { kind: 'Deployment', name: 'rancher-logging', replicas: 1 },
    { kind: 'DaemonSet', name: 'rancher-logging-root-fluentbit', replicas: 1 },
  ],
  'rancher-vcluster': [{ kind: 'StatefulSet', name: 'rancher-vcluster', replicas: 1, pvcSize: '10Gi' }],
  'vm-import-controller': [{ kind: 'Deployment', name: 'harvester-vm-import-controller', replicas: 1, pvcSize: '200Gi' }],
  'pcidevices-controller': [{ kind: 'DaemonSet', name: 'harvester-pcidevices-controller', replicas: 1 }],
  'harvester-seeder': [{ kind: 'Deployment', name: 'harvester-seeder', replicas: 1 }],
  'nvidia-driver-toolkit': [{ kind: 'DaemonSet', name: 'nvidia-driver-runtime', replicas: 1 }],
  descheduler: [{ kind: 'Deployment', name: 'descheduler', replicas: 1 }],
  'kubeovn-operator': [{ kind: 'Deployment', name: 'kubeovn-operator', replicas: 1 }],
};

export function workloadsOf(addon: Pick<ScenarioAddon, 'name' | 'workloads'>): AddonWorkload[] {
  return addon.workloads ?? defaultAddonWorkloads[addon.name] ?? [];
}

/** The objects a chart installs for one workload (PVC first, kept on uninstall). */
export function addonObjects(addon: { name: string; namespace: string }, w: AddonWorkload): KObject[] {
  const labels = { 'app.kubernetes.io/instance': addon.name, 'app.kubernetes.io/managed-by': 'Helm', app: w.name };
  const annotations = { 'meta.helm.sh/release-name': addon.name, 'meta.helm.sh/release-namespace': addon.namespace };
  const podSpec: Record<string, unknown> = { containers: [{ name: w.name.split('-').pop() ?? w.name, image: `rancher/mirrored-${w.name}:latest` }] };
  const out: KObject[] = [];
  if (w.kind === 'Deployment' && w.pvcSize) {
    out.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: w.name, namespace: addon.namespace, labels, annotations: { ...annotations, 'helm.sh/resource-policy': 'keep' } },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'harvester-longhorn', resources: { requests: { storage: w.pvcSize } }, volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
    podSpec.volumes = [{ name: 'storage', persistentVolumeClaim: { claimName: w.name } }];
  }
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: w.name } },
    template: { metadata: { labels }, spec: podSpec },
  };
  if (w.kind !== 'DaemonSet') spec.replicas = w.replicas;
  if (w.kind === 'StatefulSet') {
    spec.serviceName = w.name;
    if (w.pvcSize) spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'harvester-longhorn', resources: { requests: { storage: w.pvcSize } } } }];
  }
  out.push({ apiVersion: 'apps/v1', kind: w.kind, metadata: { name: w.name, namespace: addon.namespace, labels, annotations }, spec });
  return out;
}

interface Operation {
  kind: 'enable' | 'disable';
  at: number;
}

export class AddonController extends QueueController {
  private readonly addons: Informer<AddonObject>;
  private readonly ops = new Map<string, Operation>();

  constructor(
    ctx: TwinContext,
    private readonly catalog: Map<string, AddonWorkload[]>,
  ) {
    super('addons', ctx);
    this.addons = ctx.informers.for<AddonObject>(Kinds.Addon);
  }

  setup(): void {
    this.addons.onChange((type, a) => {
      if (type !== 'DELETED') this.queue.add(`${a.metadata.namespace}/${a.metadata.name}`);
    });
  }

  resync(): void {
    this.queue.addAll(this.addons.keys());
  }

  protected async reconcile(key: string): Promise<void> {
    const a = this.addons.get(key);
    if (!a) return;
    const enabled = a.spec?.enabled ?? false;
    const st: AddonStatus = a.status?.status ?? '';
    const failed = a.status?.conditions?.some((c) => c.type === 'OperationFailed' && c.status === 'True') ?? false;
    const now = this.ctx.clock.now();
    let op = this.ops.get(key);
    if (enabled) {
      if (st === 'AddonDeploySuccessful' || (st === 'AddonEnabling' && failed)) return;
      if (op?.kind !== 'enable') {
        op = { kind: 'enable', at: now + this.ctx.rng.seconds(this.ctx.timing.addonEnableSeconds) };
        this.ops.set(key, op);
        await this.setStatus(a, 'AddonEnabling', { type: 'InProgress', status: 'True' });
      }
      if (now < op.at) return this.queue.addAfter(key, op.at - now);
      this.ops.delete(key);
      if (this.ctx.faults.has('addonDeployFails', key)) {
        const message = `failed to deploy addon ${key}: helm install failed: timed out waiting for the condition`;
        await this.setStatus(a, 'AddonEnabling', { type: 'OperationFailed', status: 'True', reason: 'Error', message }, 'OperationFailed');
        return;
      }
      for (const w of this.catalog.get(key) ?? []) {
        for (const obj of addonObjects({ name: a.metadata.name, namespace: a.metadata.namespace! }, w)) {
          const kind = { apiVersion: obj.apiVersion, kind: obj.kind };
          if (!(await this.ctx.api.get(kind, obj.metadata.namespace, obj.metadata.name))) await this.ctx.api.create(obj);
        }
      }
      await this.setStatus(a, 'AddonDeploySuccessful', { type: 'Completed', status: 'True' });
      return;
    }
    if (st === '' || st === 'AddonDisabled') return;
    if (op?.kind !== 'disable') {
      op = { kind: 'disable', at: now + this.ctx.rng.seconds(this.ctx.timing.addonDisableSeconds) };
      this.ops.set(key, op);
      if (st !== 'AddonDisabling') await this.setStatus(a, 'AddonDisabling', { type: 'InProgress', status: 'True' });
      await this.uninstall(a);
    }
    if (this.ctx.faults.has('addonStuckDisabling', key)) return;
    if (now < op.at) return this.queue.addAfter(key, op.at - now);
    this.ops.delete(key);
    await this.setStatus(a, 'AddonDisabled', { type: 'Completed', status: 'True' });
  }

  /** helm uninstall: the release's workloads go (their pods terminate); PVCs stay. */
  private async uninstall(a: AddonObject): Promise<void> {
    for (const w of this.catalog.get(`${a.metadata.namespace}/${a.metadata.name}`) ?? []) {
      const kind = { apiVersion: 'apps/v1', kind: w.kind };
      if (await this.ctx.api.get(kind, a.metadata.namespace, w.name)) await this.ctx.api.delete(kind, a.metadata.namespace, w.name, { propagationPolicy: 'Background' });
    }
  }

  private async setStatus(a: AddonObject, status: AddonStatus, cond: Condition, detail: string = status): Promise<void> {
    const now = isoTime(this.ctx.clock);
    let conditions = withCondition(a.status?.conditions, cond, now);
    for (const other of ['InProgress', 'Completed', 'OperationFailed']) {
      if (other !== cond.type && conditions.some((c) => c.type === other)) conditions = withCondition(conditions, { type: other, status: 'False' }, now);
    }
    await this.ctx.api.patch(Kinds.Addon, a.metadata.namespace, a.metadata.name, { status: { status, conditions } }, { subresource: 'status' });
    this.ctx.events.record({ type: 'addon.status', object: `${a.metadata.namespace}/${a.metadata.name}`, detail, ...(cond.message ? { data: { message: cond.message } } : {}) });
  }
}
