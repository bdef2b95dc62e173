// The twin's object store: what etcd + the generic registry are to kube-apiserver.
//
// One global resourceVersion counter, an event history for watches that resume from a
// resourceVersion (410 Gone when it is older than the history), optimistic concurrency
// (409 on a stale resourceVersion), status/main-resource split for kinds with a status
// subresource, graceful deletion (deletionTimestamp; finalizers hold the object; a second
// delete may shorten the grace period; a pod that has finished goes at once), pods/binding, and garbage collection through
// ownerReferences: background at once, Foreground/Orphan through the `foregroundDeletion`/
// `orphan` finalizer the delete answers with, finished right after (as kcm's GC would). What kube-apiserver's registry
// strategies do on write (defaults, generation, initial status) is in strategy.ts, so
// the controllers' in-process writes get it as the API server's clients do. It never
// touches the network: the API server serves it, the controllers use it through TwinApi.
import { randomUUID } from 'node:crypto';
import { alreadyExists, cannotFulfil, conflict, notFound, preconditionFailed, StatusError } from './errors.js';
import { fieldSelector, labelSelector } from './selectors.js';
import { bumpGenerationOnDelete, prepareForCreate, prepareForStatusUpdate, prepareForUpdate } from './strategy.js';
import { apiVersionOf, keyOf, type KObject, type ResourceType, type WatchEvent } from './types.js';

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
}

export interface WatchOptions extends ListOptions {
  /** Replay events after this version; "" or undefined sends the current objects as ADDED first. */
  resourceVersion?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  /** Set by the store's caller for kinds whose deletion is graceful (pods on a node). */
  preconditions?: { uid?: string; resourceVersion?: string };
}

type Listener = (ev: WatchEvent, rv: number) => void;

interface HistoryEntry {
  rv: number;
  typeKey: string;
  ev: WatchEvent;
}

/** Deep copy for values that cross the store boundary: callers never share our objects. */
export function clone<T>(v: T): T {
  return copyJson(v);
}

/**
 * Deep copy of a JSON value (what every stored object is). An order of magnitude faster
 * than structuredClone for Kubernetes-sized objects, which matters at 5,000 VMs.
 */
function copyJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = copyJson(v[i] as unknown);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyJson((v as Record<string, unknown>)[k]);
  return out as T;
}

export interface StoreOptions {
  /** How many past events a watch can resume from (older: 410 Gone). */
  historySize?: number;
  now?: () => number;
  /** uid generator (default random): the twin seeds it so a scenario rebuilds the same uids. */
  uid?: () => string;
}

export class Store {
  private readonly types = new Map<string, ResourceType>(); // "group/version/resource"
  private readonly byKind = new Map<string, ResourceType>(); // "apiVersion/kind"
  private readonly objects = new Map<string, Map<string, KObject>>(); // typeKey → key → obj
  private readonly listeners = new Map<string, Set<Listener>>();
  /** owner uid → "typeKey\u0000key" of the objects that name it in ownerReferences. */
  private readonly dependents = new Map<string, Set<string>>();
  /** owner uid → where it is, for owners whose foreground deletion waits for dependents. */
  private readonly foregroundOwners = new Map<string, [ResourceType, string]>();
  private history: HistoryEntry[] = [];
  private rv = 1000;
  private readonly historySize: number;
  private readonly now: () => number;
  private readonly newUid: () => string;

  constructor(opts: StoreOptions = {}) {
    this.historySize = opts.historySize ?? 20_000;
    this.now = opts.now ?? Date.now;
    this.newUid = opts.uid ?? randomUUID;
  }

  // ---- types -------------------------------------------------------------------------

  register(t: ResourceType): void {
    const k = typeKey(t);
    this.types.set(k, t);
    this.byKind.set(`${apiVersionOf(t)}/${t.kind}`, t);
    if (!this.objects.has(k)) this.objects.set(k, new Map());
  }

  allTypes(): ResourceType[] {
    return [...this.types.values()];
  }

  typeFor(group: string, version: string, resource: string): ResourceType | undefined {
    return this.types.get(`${group}/${version}/${resource}`);
  }

  typeOfKind(apiVersion: string, kind: string): ResourceType {
    const t = this.byKind.get(`${apiVersion}/${kind}`);
    if (!t) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (kind ${kind} in ${apiVersion})`);
    return t;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  // ---- reads -------------------------------------------------------------------------

  get(t: ResourceType, namespace: string | undefined, name: string): KObject {
    const obj = this.bucket(t).get(keyOf(t.namespaced ? namespace : undefined, name));
    if (!obj) throw notFound(t.resource, t.group, name);
    return clone(obj);
  }

  tryGet(t: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    const obj = this.bucket(t).get(keyOf(t.namespaced ? namespace : undefined, name));
    return obj ? clone(obj) : undefined;
  }

  list(t: ResourceType, opts: ListOptions = {}): ListResult {
    const match = this.matcher(t, opts);
    const items: KObject[] = [];
    for (const obj of this.bucket(t).values()) if (match(obj)) items.push(clone(obj));
    items.sort((a, b) => keyOf(a.metadata.namespace, a.metadata.name).localeCompare(keyOf(b.metadata.namespace, b.metadata.name)));
    return { items, resourceVersion: String(this.rv) };
  }

  /**
   * The stored objects themselves, filtered, in key (etcd) order, without copying: for
   * serialisers such as the API server that only read. Never mutate them. The store
   * replaces an object on every write and never changes one in place, so a view is a
   * stable snapshot and its identity changes exactly when its resourceVersion does.
   */
  scan(t: ResourceType, opts: ListOptions = {}): readonly KObject[] {
    const match = this.matcher(t, opts);
    const keyed: [string, KObject][] = [];
    for (const [k, obj] of this.bucket(t)) if (match(obj)) keyed.push([k, obj]);
    keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return keyed.map((e) => e[1]);
  }

  /** The stored object itself (not a copy), or undefined: read-only, like `scan`. */
  peek(t: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    return this.bucket(t).get(keyOf(t.namespaced ? namespace : undefined, name));
  }

  // ---- writes ------------------------------------------------------------------------

  create(t: ResourceType, input: KObject): KObject {
    const obj = clone(input);
    obj.apiVersion = apiVersionOf(t);
    obj.kind = t.kind;
    const meta = obj.metadata ?? ({} as KObject['metadata']);
    obj.metadata = meta;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    if (!meta.name) throw new StatusError(422, 'Invalid', `${t.kind} is invalid: metadata.name: Required value: name or generateName is required`);
    if (t.namespaced && !meta.namespace) meta.namespace = 'default';
    if (!t.namespaced) delete meta.namespace;
    const key = keyOf(meta.namespace, meta.name);
    const bucket = this.bucket(t);
    if (bucket.has(key)) throw alreadyExists(t.resource, t.group, meta.name);
    meta.uid = this.newUid();
    meta.creationTimestamp = this.timestamp();
    delete meta.deletionTimestamp;
    prepareForCreate(t, obj, { now: meta.creationTimestamp, existing: () => bucket.values() });
    meta.resourceVersion = String(++this.rv);
    this.put(t, key, obj, undefined);
    this.emit(t, { type: 'ADDED', object: obj });
    return clone(obj);
  }

  /**
   * Replace an object. With subresource "status" only .status is taken from the input; on
   * the main resource of a kind with a status subresource, .status is kept from storage.
   */
  update(t: ResourceType, input: KObject, opts: { subresource?: 'status' } = {}): KObject {
    const ns = t.namespaced ? input.metadata.namespace ?? 'default' : undefined;
    const key = keyOf(ns, input.metadata.name);
    const bucket = this.bucket(t);
    const cur = bucket.get(key);
    if (!cur) throw notFound(t.resource, t.group, input.metadata.name);
    if (input.metadata.resourceVersion && input.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw conflict(t.resource, t.group, input.metadata.name);
    }
    const hasStatusSub = t.subresources?.includes('status') ?? false;
    let next: KObject;
    if (opts.subresource === 'status') {
      next = clone(cur);
      next.status = clone(input.status);
      prepareForStatusUpdate(t, next, clone(input), cur);
    } else {
      next = clone(input);
      next.apiVersion = apiVersionOf(t);
      next.kind = t.kind;
      if (hasStatusSub) {
        if (cur.status === undefined) delete next.status;
        else next.status = clone(cur.status);
      }
      // Server-owned metadata is kept from storage.
      next.metadata.uid = cur.metadata.uid;
      next.metadata.creationTimestamp = cur.metadata.creationTimestamp;
      next.metadata.namespace = cur.metadata.namespace;
      if (cur.metadata.deletionTimestamp) {
        next.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
        next.metadata.deletionGracePeriodSeconds = cur.metadata.deletionGracePeriodSeconds;
      }
      if (!next.metadata.namespace) delete next.metadata.namespace;
      prepareForUpdate(t, next, cur);
    }
    if (JSON.stringify(next) === JSON.stringify(cur)) return clone(cur); // no-op writes don't bump
    next.metadata.resourceVersion = String(++this.rv);
    // An update finishes a deletion only once nothing holds it: no finalizers left and no
    // grace period running (a terminating pod's status updates keep it).
    if (cur.metadata.deletionTimestamp && !next.metadata.finalizers?.length && !cur.metadata.deletionGracePeriodSeconds) {
      this.drop(t, key, cur);
      this.emit(t, { type: 'DELETED', object: next });
      this.collectDependents(next);
      return clone(next);
    }
    this.put(t, key, next, cur);
    this.emit(t, { type: 'MODIFIED', object: next });
    return clone(next);
  }

  /**
   * pods/binding: sets a pending pod's spec.nodeName (which no update may change), merges
   * the binding's annotations and marks it PodScheduled, without moving its generation.
   * Refused (409 on pods/binding) for a pod that is terminating, already bound or gated.
   */
  bind(t: ResourceType, namespace: string, name: string, node: string, annotations: Record<string, string> = {}): KObject {
    const key = keyOf(namespace, name);
    const cur = this.bucket(t).get(key);
    if (!cur) throw notFound(t.resource, t.group, name);
    const spec = (cur.spec ?? {}) as { nodeName?: string; schedulingGates?: unknown[] };
    const why = cur.metadata.deletionTimestamp
      ? `pod ${name} is being deleted, cannot be assigned to a host`
      : spec.nodeName
        ? `pod ${name} is already assigned to node "${spec.nodeName}"`
        : spec.schedulingGates?.length
          ? `pod ${name} has non-empty .spec.schedulingGates`
          : undefined;
    if (why) throw cannotFulfil('pods/binding', name, why);
    const next = clone(cur);
    next.spec = { ...spec, nodeName: node };
    if (Object.keys(annotations).length) next.metadata.annotations = { ...next.metadata.annotations, ...annotations };
    next.status = withPodScheduled(next.status, this.timestamp());
    next.metadata.resourceVersion = String(++this.rv);
    this.put(t, key, next, cur);
    this.emit(t, { type: 'MODIFIED', object: next });
    return clone(next);
  }

  /**
   * Delete. Objects with finalizers, or Pods bound to a node deleted with a grace period,
   * only get a deletionTimestamp (they show as Terminating) until a controller finishes them.
   */
  delete(t: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): KObject {
    const key = keyOf(t.namespaced ? namespace : undefined, name);
    const bucket = this.bucket(t);
    const cur = bucket.get(key);
    if (!cur) throw notFound(t.resource, t.group, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== cur.metadata.uid) throw preconditionFailed(t.kind, t.group, name, 'UID', pre.uid, cur.metadata.uid);
    if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
      throw preconditionFailed(t.kind, t.group, name, 'ResourceVersion', pre.resourceVersion, cur.metadata.resourceVersion);
    }
    // As the apiserver's pod strategy: a pod that already finished (Failed, Succeeded) has no
    // containers to stop, so it goes at once whatever the grace.
    const graceful = t.kind === 'Pod' && t.group === '' && isBound(cur) && !isFinished(cur) && (opts.gracePeriodSeconds ?? podGrace(cur)) > 0;
    const finalizers = finalizersFor(cur.metadata.finalizers, opts.propagationPolicy);
    if (finalizers.length || graceful) {
      if (cur.metadata.deletionTimestamp) {
        // A second delete may shorten the grace period (kubectl delete --grace-period=0 --force).
        if (opts.gracePeriodSeconds === 0 && !cur.metadata.finalizers?.length) return this.remove(t, key, cur);
        return this.shortenGrace(t, key, cur, opts.gracePeriodSeconds);
      }
      const next = clone(cur);
      if (finalizers.length) next.metadata.finalizers = finalizers;
      // A graceful deletion is due when its grace period ends; one held by finalizers only
      // waits for them (grace 0, due now).
      const grace = graceful ? (opts.gracePeriodSeconds ?? podGrace(cur)) : 0;
      next.metadata.deletionTimestamp = this.timestamp(grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      bumpGenerationOnDelete(next);
      next.metadata.resourceVersion = String(++this.rv);
      this.put(t, key, next, cur);
      this.emit(t, { type: 'MODIFIED', object: next });
      if (finalizers.some((f) => gcFinalizers.has(f))) this.scheduleGc(t, key);
      return clone(next);
    }
    const removed = this.remove(t, key, cur);
    this.collectDependents(removed);
    return removed;
  }

  /**
   * A delete of an object already in its grace period may only shorten it: the deletion is
   * then due the new period after the first delete (not before now; a graceful one at least
   * 1 s), and the generation stays.
   */
  private shortenGrace(t: ResourceType, key: string, cur: KObject, grace: number | undefined): KObject {
    const held = cur.metadata.deletionGracePeriodSeconds ?? 0;
    if (grace === undefined || held <= 0 || grace >= held) return clone(cur);
    let due = Date.parse(cur.metadata.deletionTimestamp!) + (grace - held) * 1000;
    let period = grace;
    if (due < this.now()) {
      due = this.now();
      if (period !== 0) period = 1;
    }
    const next = clone(cur);
    next.metadata.deletionTimestamp = this.timestamp(due - this.now());
    next.metadata.deletionGracePeriodSeconds = period;
    next.metadata.resourceVersion = String(++this.rv);
    this.put(t, key, next, cur);
    this.emit(t, { type: 'MODIFIED', object: next });
    return clone(next);
  }

  // ---- watch -------------------------------------------------------------------------

  /**
   * Subscribe to changes of a type. Without a resourceVersion the current objects come
   * first as ADDED. With one, past events after it are replayed; a version older than the
   * history throws 410 Gone (the client must list again). Returns the unsubscribe function.
   */
  watch(t: ResourceType, opts: WatchOptions, onEvent: (ev: WatchEvent) => void): () => void {
    const match = this.matcher(t, opts);
    const k = typeKey(t);
    const from = opts.resourceVersion ? Number(opts.resourceVersion) : NaN;
    if (opts.resourceVersion && opts.resourceVersion !== '0' && Number.isFinite(from)) {
      const oldest = this.history[0]?.rv ?? this.rv + 1;
      if (from < oldest - 1 && from < this.rv) {
        throw new StatusError(410, 'Expired', `too old resource version: ${from} (${oldest - 1})`);
      }
      for (const h of this.history) if (h.rv > from && h.typeKey === k && match(h.ev.object)) onEvent(clone(h.ev));
    } else {
      for (const obj of this.bucket(t).values()) if (match(obj)) onEvent({ type: 'ADDED', object: clone(obj) });
    }
    const listener: Listener = (ev) => {
      if (match(ev.object)) onEvent(clone(ev));
    };
    let set = this.listeners.get(k);
    if (!set) this.listeners.set(k, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  // ---- internals ---------------------------------------------------------------------

  /** The store's clock as an API timestamp (whole seconds), `aheadMs` in the future. */
  private timestamp(aheadMs = 0): string {
    return new Date(this.now() + aheadMs).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private bucket(t: ResourceType): Map<string, KObject> {
    const b = this.objects.get(typeKey(t));
    if (!b) throw new StatusError(404, 'NotFound', `the server could not find the requested resource (${t.resource})`);
    return b;
  }

  private matcher(t: ResourceType, opts: ListOptions): (obj: KObject) => boolean {
    const byLabel = labelSelector(opts.labelSelector);
    const byField = fieldSelector(opts.fieldSelector);
    const ns = t.namespaced ? opts.namespace : undefined;
    return (obj) => (!ns || obj.metadata.namespace === ns) && byLabel(obj) && byField(obj);
  }

  private remove(t: ResourceType, key: string, cur: KObject): KObject {
    const gone = clone(cur);
    gone.metadata.resourceVersion = String(++this.rv);
    this.drop(t, key, cur);
    this.emit(t, { type: 'DELETED', object: gone });
    return clone(gone);
  }

  /**
   * The garbage collector's part of a Foreground or Orphan deletion, as kube-controller-
   * manager does it after the API answered: soon, not within the delete. Orphan: the
   * dependents lose their reference to the owner, then the `orphan` finalizer goes.
   * Foreground: the dependents are deleted, and `foregroundDeletion` goes once none is left
   * (a terminating pod holds its owner until its kubelet is done).
   */
  private scheduleGc(t: ResourceType, key: string): void {
    queueMicrotask(() => this.runGc(t, key));
  }

  private runGc(t: ResourceType, key: string): void {
    const owner = this.bucket(t).get(key);
    const uid = owner?.metadata.uid;
    if (!owner || !uid) return;
    const fins = owner.metadata.finalizers ?? [];
    const dependents = () => this.dependentsOf(uid);
    if (fins.includes(orphanFinalizer)) {
      for (const [dt, dep] of dependents()) {
        const next = clone(dep);
        const refs = dep.metadata.ownerReferences?.filter((r) => r.uid !== uid) ?? [];
        if (refs.length) next.metadata.ownerReferences = refs;
        else delete next.metadata.ownerReferences;
        this.update(dt, next);
      }
      this.dropFinalizer(t, key, orphanFinalizer);
    } else if (fins.includes(foregroundFinalizer)) {
      this.foregroundOwners.set(uid, [t, key]);
      for (const [dt, dep] of dependents()) {
        if (!dep.metadata.deletionTimestamp) this.delete(dt, dep.metadata.namespace, dep.metadata.name, { propagationPolicy: 'Foreground' });
      }
      if (dependents().length === 0) {
        this.foregroundOwners.delete(uid);
        this.dropFinalizer(t, key, foregroundFinalizer);
      }
    }
  }

  private dependentsOf(uid: string): [ResourceType, KObject][] {
    const out: [ResourceType, KObject][] = [];
    for (const ref of this.dependents.get(uid) ?? []) {
      const [tk, key] = ref.split('\u0000') as [string, string];
      const t = this.types.get(tk);
      const obj = this.objects.get(tk)?.get(key);
      if (t && obj?.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push([t, obj]);
    }
    return out;
  }

  private dropFinalizer(t: ResourceType, key: string, finalizer: string): void {
    const cur = this.bucket(t).get(key);
    if (!cur?.metadata.finalizers?.includes(finalizer)) return;
    const next = clone(cur);
    const rest = cur.metadata.finalizers.filter((f) => f !== finalizer);
    if (rest.length) next.metadata.finalizers = rest;
    else delete next.metadata.finalizers;
    this.update(t, next);
  }

  /** Owners in foreground deletion wait for their dependents; one going may release them. */
  private releaseForegroundOwners(gone: KObject): void {
    for (const r of gone.metadata.ownerReferences ?? []) {
      const owner = this.foregroundOwners.get(r.uid);
      if (owner) this.scheduleGc(...owner);
    }
  }

  /** Background garbage collection: dependents of a removed owner are deleted too. */
  private collectDependents(owner: KObject): void {
    const uid = owner.metadata.uid;
    const refs = uid ? this.dependents.get(uid) : undefined;
    if (!refs) return;
    for (const ref of [...refs]) {
      const [tk, key] = ref.split('\u0000') as [string, string];
      const t = this.types.get(tk);
      const obj = t ? this.objects.get(tk)?.get(key) : undefined;
      if (!t || !obj?.metadata.ownerReferences?.some((r) => r.uid === uid)) continue;
      try {
        this.delete(t, obj.metadata.namespace, obj.metadata.name, { propagationPolicy: 'Background' });
      } catch {
        // already gone
      }
    }
  }

  /** Stores `obj` under `key`, keeping the owner index in step. */
  private put(t: ResourceType, key: string, obj: KObject, prev: KObject | undefined): void {
    const ref = `${typeKey(t)}\u0000${key}`;
    if (prev) for (const r of prev.metadata.ownerReferences ?? []) if (!obj.metadata.ownerReferences?.some((x) => x.uid === r.uid)) this.dependents.get(r.uid)?.delete(ref);
    for (const r of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(r.uid);
      if (!set) this.dependents.set(r.uid, (set = new Set()));
      set.add(ref);
    }
    this.bucket(t).set(key, obj);
  }

  private drop(t: ResourceType, key: string, prev: KObject): void {
    const ref = `${typeKey(t)}\u0000${key}`;
    for (const r of prev.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(r.uid);
      set?.delete(ref);
      if (set?.size === 0) this.dependents.delete(r.uid);
    }
    this.bucket(t).delete(key);
    if (prev.metadata.uid) this.foregroundOwners.delete(prev.metadata.uid);
    this.releaseForegroundOwners(prev);
  }

  private emit(t: ResourceType, ev: WatchEvent): void {
    const k = typeKey(t);
    // Stored objects are never changed in place (every write stores a new one), so the
    // history can share them; replays clone on the way out.
    this.history.push({ rv: this.rv, typeKey: k, ev });
    if (this.history.length > this.historySize) this.history = this.history.slice(-Math.floor(this.historySize * 0.75));
    for (const l of this.listeners.get(k) ?? []) l(ev, this.rv);
  }
}

function typeKey(t: Pick<ResourceType, 'group' | 'version' | 'resource'>): string {
  return `${t.group}/${t.version}/${t.resource}`;
}

const orphanFinalizer = 'orphan';
const foregroundFinalizer = 'foregroundDeletion';
const gcFinalizers = new Set([orphanFinalizer, foregroundFinalizer]);

/**
 * The finalizers a delete leaves on the object, as the registry sets them for the garbage
 * collector: Orphan adds `orphan`, Foreground `foregroundDeletion` (each replacing the
 * other), Background drops both; no policy keeps what is there.
 */
function finalizersFor(current: string[] = [], policy: DeleteOptions['propagationPolicy']): string[] {
  if (!policy) return current;
  const add = policy === 'Orphan' ? orphanFinalizer : policy === 'Foreground' ? foregroundFinalizer : undefined;
  const kept = current.filter((f) => !gcFinalizers.has(f) || f === add);
  return add && !kept.includes(add) ? [...kept, add] : kept;
}

/** The pod's status with PodScheduled=True, as pods/binding sets it (the transition time moves only on a change). */
function withPodScheduled(status: unknown, now: string): Record<string, unknown> {
  const s = status !== null && typeof status === 'object' ? { ...(status as Record<string, unknown>) } : {};
  const conditions = Array.isArray(s.conditions) ? [...(s.conditions as Record<string, unknown>[])] : [];
  const i = conditions.findIndex((c) => c.type === 'PodScheduled');
  const prev = i >= 0 ? conditions[i] : undefined;
  const next = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : now };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  return { ...s, conditions };
}

function isBound(pod: KObject): boolean {
  return Boolean((pod.spec as { nodeName?: string } | undefined)?.nodeName);
}

function isFinished(pod: KObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase === 'Failed' || phase === 'Succeeded';
}

function podGrace(pod: KObject): number {
  return (pod.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? 30;
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
