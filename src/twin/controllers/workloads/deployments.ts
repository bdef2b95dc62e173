// Deployments and ReplicaSets: a Deployment owns one ReplicaSet "<name>-<pod-template-hash>"
// with its replica count; a ReplicaSet keeps that many active pods (creating "<rs>-xxxxx"
// pods, deleting unscheduled, then unready, then newest pods first when scaled down). Status
// (replicas, readyReplicas, availableReplicas, updatedReplicas) is what `kubectl get
// deployment` shows. Scale changes are recorded in the event log with who made them.
import { Kinds } from '../../../common/harvester.js';
import type { PodObject } from '../../../common/harvester-types.js';
import { QueueController } from '../base.js';
import type { Controller, TwinContext } from '../context.js';
import type { Informer } from '../informer.js';
import { controllerOf, ownerIndex, ownerRef, podActive, podReady, podSpec, sameJson } from '../util.js';
import { podFromTemplate, templateHash, type WorkloadLike } from './template.js';

/** Records each change of a Deployment's replicas in the event log, with who made it. */
function recordScaling(ctx: TwinContext, deployments: Informer<WorkloadLike>): void {
  deployments.onChange((type, d, old) => {
    const key = `${d.metadata.namespace}/${d.metadata.name}`;
    if (type === 'MODIFIED' && old && old.spec?.replicas !== d.spec?.replicas) {
      ctx.events.record({ type: 'deployment.scaled', object: key, by: ctx.attribution.take(`deployment:${key}`), data: { from: old.spec?.replicas ?? 1, to: d.spec?.replicas ?? 1 } });
    }
  });
}

/**
 * Only the scale records, for when a real kube-controller-manager reconciles Deployments
 * (the fidelity bed): the audit reads them from the event log either way.
 */
export class DeploymentScaleRecorder implements Controller {
  readonly name = 'deployment-scale-recorder';
  private readonly deployments: Informer<WorkloadLike>;

  constructor(private readonly ctx: TwinContext) {
    this.deployments = ctx.informers.for<WorkloadLike>(Kinds.Deployment);
  }

  setup(): void {
    recordScaling(this.ctx, this.deployments);
  }

  resync(): void {}

  stop(): void {}

  idle(): boolean {
    return true;
  }
}

export class DeploymentController extends QueueController {
  private readonly deployments: Informer<WorkloadLike>;
  private readonly replicasets: Informer<WorkloadLike>;

  constructor(ctx: TwinContext) {
    super('deployments', ctx);
    this.deployments = ctx.informers.for<WorkloadLike>(Kinds.Deployment);
    this.replicasets = ctx.informers.for<WorkloadLike>(Kinds.ReplicaSet);
  }

  setup(): void {
    this.replicasets.addIndex('owner', ownerIndex);
    recordScaling(this.ctx, this.deployments);
    this.deployments.onChange((type, d) => {
      if (type !== 'DELETED') this.queue.add(`${d.metadata.namespace}/${d.metadata.name}`);
    });
    this.replicasets.onChange((_t, rs) => {
      const owner = controllerOf(rs);
      if (owner?.kind === 'Deployment') this.queue.add(`${rs.metadata.namespace}/${owner.name}`);
    });
  }

  resync(): void {
    this.queue.addAll(this.deployments.keys());
  }

  protected async reconcile(key: string): Promise<void> {
    const d = this.deployments.get(key);
    if (!d?.metadata.uid) return;
    const replicas = d.spec?.replicas ?? 1;
    const hash = templateHash(d.spec?.template);
    const owned = this.replicasets.byIndex('owner', d.metadata.uid);
    let rs = owned.find((r) => r.metadata.labels?.['pod-template-hash']) ?? owned[0];
    if (!rs) {
      const labels = { ...(d.spec?.template?.metadata?.labels ?? {}), 'pod-template-hash': hash };
      rs = await this.ctx.api.create<WorkloadLike>({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace!, labels, ownerReferences: [ownerRef(d)] },
        spec: {
          replicas,
          selector: { matchLabels: { ...(d.spec?.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
          template: { ...d.spec?.template, metadata: { ...d.spec?.template?.metadata, labels } },
        },
      });
    } else if (rs.spec?.replicas !== replicas) {
      await this.ctx.api.patch(Kinds.ReplicaSet, rs.metadata.namespace, rs.metadata.name, { spec: { replicas } });
    }
    const s = (rs.status ?? {}) as { replicas?: number; readyReplicas?: number; availableReplicas?: number };
    const available = s.availableReplicas ?? 0;
    const status = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: s.replicas ?? 0,
      updatedReplicas: s.replicas ?? 0,
      readyReplicas: s.readyReplicas ?? 0,
      availableReplicas: available,
      ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
      conditions: [
        available >= replicas
          ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
          : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.` },
      ],
    };
    const cur = (d.status ?? {}) as Record<string, unknown>;
    if (!sameJson(stripTimes(cur), status)) await this.ctx.api.patch(Kinds.Deployment, d.metadata.namespace, d.metadata.name, { status: { ...status, unavailableReplicas: status.unavailableReplicas ?? null } }, { subresource: 'status' });
  }
}

export class ReplicaSetController extends QueueController {
  private readonly replicasets: Informer<WorkloadLike>;
  private readonly pods: Informer<PodObject>;

  constructor(ctx: TwinContext) {
    super('replicasets', ctx);
    this.replicasets = ctx.informers.for<WorkloadLike>(Kinds.ReplicaSet);
    this.pods = ctx.informers.for<PodObject>(Kinds.Pod);
  }

  setup(): void {
    this.pods.addIndex('owner', ownerIndex);
    this.replicasets.onChange((type, rs) => {
      if (type !== 'DELETED') this.queue.add(`${rs.metadata.namespace}/${rs.metadata.name}`);
    });
    this.pods.onChange((_t, p) => {
      const owner = controllerOf(p);
      if (owner?.kind === 'ReplicaSet') this.queue.add(`${p.metadata.namespace}/${owner.name}`);
    });
  }

  resync(): void {
    this.queue.addAll(this.replicasets.keys());
  }

  protected async reconcile(key: string): Promise<void> {
    const rs = this.replicasets.get(key);
    if (!rs?.metadata.uid) return;
    const want = rs.spec?.replicas ?? 1;
    const pods = this.pods.byIndex('owner', rs.metadata.uid);
    const active = pods.filter(podActive);
    if (active.length < want) {
      for (let i = active.length; i < want; i++) {
        await this.ctx.api.create(podFromTemplate(rs, rs.spec?.template, `${rs.metadata.name}-${this.ctx.rng.suffix()}`));
      }
    } else if (active.length > want) {
      const victims = [...active].sort(deletionOrder).slice(0, active.length - want);
      for (const p of victims) await this.ctx.api.delete(Kinds.Pod, p.metadata.namespace, p.metadata.name);
    }
    const now = this.pods.byIndex('owner', rs.metadata.uid).filter(podActive);
    const ready = now.filter(podReady).length;
    const status = { replicas: now.length, fullyLabeledReplicas: now.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation ?? 1 };
    if (!sameJson(rs.status ?? {}, status)) await this.ctx.api.patch(Kinds.ReplicaSet, rs.metadata.namespace, rs.metadata.name, { status }, { subresource: 'status' });
  }
}

/** Which pods a ReplicaSet deletes first: unscheduled, then not ready, then the newest. */
function deletionOrder(a: PodObject, b: PodObject): number {
  const rank = (p: PodObject) => (!podSpec(p).nodeName ? 0 : !podReady(p) ? 1 : 2);
  return rank(a) - rank(b) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '');
}

function stripTimes(s: Record<string, unknown>): Record<string, unknown> {
  const conds = (s.conditions as Record<string, unknown>[] | undefined)?.map(({ lastTransitionTime: _a, lastUpdateTime: _b, ...c }) => c);
  return conds ? { ...s, conditions: conds } : s;
}
