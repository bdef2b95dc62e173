// What kube-apiserver's registry strategies do to an object on its way into storage, per
// kind: defaulting (defaults.ts), metadata.generation (set and bumped only where the kind
// tracks it, on the changes that kind counts), the status every new object starts with,
// and the few server-assigned fields (a namespace's name label and finalizer, a
// DaemonSet's template generation, a Service's cluster IP). The store calls these; they
// never touch storage themselves.
import { applyDefaults } from './defaults.js';
import { validatePodUpdate } from './pod-update.js';
import { allocateServiceAddresses } from './service-ips.js';
import { isCrd, type KObject, type ResourceType } from './types.js';

type Obj = Record<string, unknown>;

/**
 * When metadata.generation moves on an update: `spec` on a spec change; `spec+annotations`
 * also on an annotation change (Deployments copy theirs to ReplicaSets); custom resources
 * on any change but metadata (and status, when it is a subresource).
 */
type GenerationPolicy = 'spec' | 'spec+annotations';

/** Built-in kinds that track generation; every other built-in kind has none. */
const generationOf: Record<string, GenerationPolicy> = {
  '/Pod': 'spec',
  'apps/Deployment': 'spec+annotations',
  'apps/ReplicaSet': 'spec',
  'apps/DaemonSet': 'spec',
  'apps/StatefulSet': 'spec',
};

/** The status a new object gets (its creator's status is dropped by the API server). */
const initialStatus: Record<string, (obj: KObject, now: string) => Obj> = {
  '/Pod': (pod) => ({ phase: 'Pending', qosClass: qosClass(pod) }),
  '/Namespace': () => ({ phase: 'Active' }),
  '/Service': () => ({ loadBalancer: {} }),
  '/PersistentVolumeClaim': () => ({ phase: 'Pending' }),
  '/PersistentVolume': (_pv, now) => ({ phase: 'Pending', lastPhaseTransitionTime: now }),
  'apps/Deployment': () => ({}),
  'apps/ReplicaSet': () => ({ replicas: 0 }),
  'apps/DaemonSet': () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
  'apps/StatefulSet': () => ({ replicas: 0, availableReplicas: 0 }),
};

/** Priorities of the built-in PriorityClasses (the twin serves no PriorityClass objects). */
const systemPriorities: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';
const nameLabel = 'kubernetes.io/metadata.name';

const kindKey = (t: ResourceType): string => `${t.group}/${t.kind}`;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Custom resources get no field defaults (our CRDs declare none), only the metadata rules. */
function defaults(t: ResourceType, obj: KObject): void {
  if (!isCrd(t)) decodeStringMaps(t, obj);
  applyDefaults(t.group, isCrd(t) ? '' : t.kind, obj);
}

/** String maps of built-in kinds beyond labels and annotations, by kind. */
const stringMapsOf: Record<string, readonly string[]> = { '/ConfigMap': ['data', 'binaryData'], '/Secret': ['data', 'stringData'] };

/**
 * A built-in kind is decoded into Go types, where a JSON null in a map of strings is "".
 * Only a JSON patch can put one there (`add` without a value); merge patches delete instead.
 */
function decodeStringMaps(t: ResourceType, obj: KObject): void {
  const meta = obj.metadata as unknown as Obj;
  const maps: [Obj, string][] = [
    [meta, 'labels'],
    [meta, 'annotations'],
    ...(stringMapsOf[kindKey(t)] ?? []).map((f): [Obj, string] => [obj as unknown as Obj, f]),
  ];
  for (const [owner, field] of maps) {
    const m = owner[field];
    if (!isObj(m)) continue;
    for (const [k, v] of Object.entries(m)) if (v === null) m[k] = '';
  }
}

const notReadyTaint = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

/** Admission's TaintNodesByCondition: a new Node is not-ready:NoSchedule until node lifecycle sees it Ready. */
function taintNewNode(node: KObject): void {
  const spec = isObj(node.spec) ? node.spec : {};
  const taints = Array.isArray(spec.taints) ? (spec.taints as Obj[]) : [];
  if (!taints.some((x) => x.key === notReadyTaint.key && x.effect === notReadyTaint.effect)) spec.taints = [...taints, { ...notReadyTaint }];
  node.spec = spec;
}

export interface CreateContext {
  /** The store's clock, as the API server stamps it. */
  now: string;
  /** The type's stored objects (for Service address allocation). */
  existing: () => Iterable<KObject>;
}

/** Prepares a new object: defaults, server-assigned fields, initial status, generation. */
export function prepareForCreate(t: ResourceType, obj: KObject, ctx: CreateContext): void {
  const key = kindKey(t);
  defaults(t, obj);
  if (key === '/Namespace') {
    obj.metadata.labels = { ...obj.metadata.labels, [nameLabel]: obj.metadata.name };
    const spec = isObj(obj.spec) ? obj.spec : {};
    if (spec.finalizers === undefined) spec.finalizers = ['kubernetes'];
    obj.spec = spec;
  }
  if (key === '/Pod') admitPod(obj);
  if (key === '/Node') taintNewNode(obj);
  if (key === '/Service') allocateServiceAddresses(obj, ctx.existing());
  if (key === 'apps/DaemonSet') {
    const tg = Number(obj.metadata.annotations?.[templateGenerationAnnotation]);
    obj.metadata.annotations = { ...obj.metadata.annotations, [templateGenerationAnnotation]: String(tg >= 1 ? tg : 1) };
  }
  // In-process creators (the twin's controllers) may hand in a status; the API server has
  // already dropped a client's for kinds with a status subresource.
  if (obj.status === undefined && initialStatus[key]) obj.status = initialStatus[key](obj, ctx.now);
  if (isCrd(t) || generationOf[key]) obj.metadata.generation = 1;
}

/**
 * Prepares a replacement of the main resource: defaults, then generation from storage
 * (clients cannot set it), bumped as the kind's policy says.
 */
export function prepareForUpdate(t: ResourceType, next: KObject, cur: KObject): void {
  const key = kindKey(t);
  defaults(t, next);
  if (key === '/Pod') validatePodUpdate(next, cur);
  if (key === '/Namespace') next.metadata.labels = { ...next.metadata.labels, [nameLabel]: next.metadata.name };
  if (key === 'apps/DaemonSet') keepTemplateGeneration(next, cur);
  const gen = cur.metadata.generation;
  if (gen === undefined) delete next.metadata.generation;
  else next.metadata.generation = gen + (changesGeneration(t, next, cur) ? 1 : 0);
}

/** Metadata a status write may change on a built-in kind (a custom resource's status write changes none). */
const statusWritableMeta = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;
/** …except these, which the kind's status strategy keeps from storage. */
const statusKeptMeta: Record<string, readonly string[]> = { '/Pod': ['ownerReferences'], 'apps/Deployment': ['labels'] };

/**
 * Prepares a write of the status subresource: `next` is the stored object with the new
 * status. A built-in kind's status strategy takes the request's labels, annotations and
 * finalizers too (only spec is kept), so a PUT of /status with stale metadata reverts it.
 */
export function prepareForStatusUpdate(t: ResourceType, next: KObject, input: KObject, cur: KObject): void {
  const key = kindKey(t);
  if (isCrd(t)) return;
  const kept = statusKeptMeta[key] ?? [];
  for (const f of statusWritableMeta) {
    if (kept.includes(f)) continue;
    const v = input.metadata?.[f];
    if (v === undefined) delete next.metadata[f];
    else next.metadata[f] = v as never;
  }
  if (key === '/Pod') {
    // QoS is fixed at creation; an old kubelet's status without it keeps the stored one.
    const status = isObj(next.status) ? next.status : {};
    if (status.qosClass === undefined && isObj(cur.status) && cur.status.qosClass !== undefined) next.status = { ...status, qosClass: cur.status.qosClass };
  }
  defaults(t, next);
}

/** Graceful deletion and finalizer-held deletion both count as a change of intent. */
export function bumpGenerationOnDelete(obj: KObject): void {
  const gen = obj.metadata.generation;
  if (gen !== undefined && gen > 0) obj.metadata.generation = gen + 1;
}

function changesGeneration(t: ResourceType, next: KObject, cur: KObject): boolean {
  if (isCrd(t)) {
    const hasStatusSub = t.subresources?.includes('status') ?? false;
    return !same(content(next, hasStatusSub), content(cur, hasStatusSub));
  }
  const policy = generationOf[kindKey(t)];
  if (!policy) return false;
  if (!same(next.spec, cur.spec)) return true;
  return policy === 'spec+annotations' && !same(next.metadata.annotations ?? {}, cur.metadata.annotations ?? {});
}

function content(o: KObject, withoutStatus: boolean): unknown {
  const { metadata: _m, status, ...rest } = o;
  return withoutStatus ? rest : { ...rest, status };
}

function keepTemplateGeneration(next: KObject, cur: KObject): void {
  const was = Number(cur.metadata.annotations?.[templateGenerationAnnotation] ?? 1);
  const changed = !same((next.spec as Obj | undefined)?.template, (cur.spec as Obj | undefined)?.template);
  next.metadata.annotations = { ...next.metadata.annotations, [templateGenerationAnnotation]: String(changed ? was + 1 : was) };
}

/** What the default admission plugins add to a new Pod (ServiceAccount, Priority). */
function admitPod(pod: KObject): void {
  const spec = isObj(pod.spec) ? pod.spec : {};
  pod.spec = spec;
  if (spec.serviceAccountName === undefined) spec.serviceAccountName = (spec.serviceAccount as string | undefined) ?? 'default';
  if (spec.serviceAccount === undefined) spec.serviceAccount = spec.serviceAccountName;
  const cls = spec.priorityClassName as string | undefined;
  if (spec.priority === undefined && (cls === undefined || systemPriorities[cls] !== undefined)) spec.priority = cls ? systemPriorities[cls] : 0;
  if (spec.preemptionPolicy === undefined) spec.preemptionPolicy = 'PreemptLowerPriority';
}

/** The pod's QoS class from its containers' requests and limits. */
export function qosClass(pod: KObject): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const spec = isObj(pod.spec) ? pod.spec : {};
  const containers = [...((spec.containers as Obj[] | undefined) ?? []), ...((spec.initContainers as Obj[] | undefined) ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const r = isObj(c.resources) ? c.resources : {};
    const limits = isObj(r.limits) ? r.limits : {};
    const requests = isObj(r.requests) ? r.requests : {};
    if (Object.keys(limits).length || Object.keys(requests).length) any = true;
    for (const res of ['cpu', 'memory']) {
      if (limits[res] === undefined || (requests[res] !== undefined && requests[res] !== limits[res])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
