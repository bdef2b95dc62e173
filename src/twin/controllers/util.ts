// Small helpers shared by the twin's controllers: timestamps, conditions, owner references,
// node selection (selectors, taints and tolerations) and pod facts.
import type { Clock } from '../../common/clock.js';
import type { Condition, NodeObject, PodObject } from '../../common/harvester-types.js';
import type { KObject, OwnerReference } from '../store/types.js';

/** metav1.Time: RFC 3339, whole seconds. */
export function isoTime(clock: Clock): string {
  return new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function findCondition(conds: Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

/** Returns new conditions with `c` set; lastTransitionTime moves only when the status changes. */
export function withCondition(conds: Condition[] | undefined, c: Condition, now: string): Condition[] {
  const out = (conds ?? []).filter((x) => x.type !== c.type);
  const old = findCondition(conds, c.type);
  out.push({ ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime ?? now : now });
  return out;
}

export function ownerRef(owner: KObject, controller = true): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller,
    blockOwnerDeletion: true,
  };
}

export function controllerOf(o: KObject): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}

export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector)) if (labels?.[k] !== v) return false;
  return true;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export function tolerates(tols: Toleration[] | undefined, taint: Taint): Toleration | undefined {
  return tols?.find(
    (t) =>
      (t.effect === undefined || t.effect === '' || t.effect === taint.effect) &&
      (t.key === undefined || t.key === '' ? t.operator === 'Exists' : t.key === taint.key) &&
      (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '')),
  );
}

/** Can a pod with this spec be placed on the node (selector, taints, cordon)? */
export function fitsNode(spec: PodSpecLike, node: NodeObject): boolean {
  if (node.spec?.unschedulable) return false;
  if (!selectorMatches(spec.nodeSelector, node.metadata.labels)) return false;
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(spec.tolerations, taint)) return false;
  }
  return true;
}

export interface PodSpecLike {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  containers?: { name: string; image?: string }[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
}

export function podSpec(p: PodObject): PodSpecLike {
  return (p.spec ?? {}) as PodSpecLike;
}

export function nodeReady(n: NodeObject | undefined): boolean {
  return findCondition(n?.status?.conditions, 'Ready')?.status === 'True';
}

export function podReady(p: PodObject): boolean {
  return findCondition(p.status?.conditions, 'Ready')?.status === 'True';
}

/** Not being deleted and not finished: counts towards a controller's replicas. */
export function podActive(p: PodObject): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

/** "ns/claim" keys of the PVCs a pod mounts. */
export function podClaims(p: PodObject): string[] {
  const ns = p.metadata.namespace ?? 'default';
  return (podSpec(p).volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [`${ns}/${v.persistentVolumeClaim.claimName}`] : []));
}

/** Index function: the node a pod is bound to. */
export function podNodeIndex(p: PodObject): string[] {
  const n = podSpec(p).nodeName;
  return n ? [n] : [];
}

/** Index function: the uid of a pod's controller (ReplicaSet, DaemonSet, VMI, …). */
export function ownerIndex(o: KObject): string[] {
  const r = controllerOf(o);
  return r ? [r.uid] : [];
}

export function isStaticPod(p: KObject): boolean {
  return p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
}

/** Deep equality of JSON values, ignoring key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

export function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
  if (Array.isArray(v)) return '[' + v.map(stableJson).join(',') + ']';
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return '{' + entries.map(([k, x]) => JSON.stringify(k) + ':' + stableJson(x)).join(',') + '}';
}
