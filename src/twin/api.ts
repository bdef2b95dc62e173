// TwinApi: the narrow client interface the twin's controllers use to read and change the
// cluster. The in-memory implementation (LocalTwinApi) calls the store directly; an HTTP
// implementation can drive a real kube-apiserver with the same controllers.
import { StatusError } from './store/errors.js';
import { mergePatch } from './store/patch.js';
import type { DeleteOptions, ListOptions, Store } from './store/store.js';
import type { KObject, WatchEvent } from './store/types.js';

/** Identifies a kind: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine' }. */
export interface KindRef {
  apiVersion: string;
  kind: string;
}

export interface TwinApi {
  get<T extends KObject = KObject>(ref: KindRef, namespace: string | undefined, name: string): Promise<T | undefined>;
  list<T extends KObject = KObject>(ref: KindRef, opts?: ListOptions): Promise<T[]>;
  create<T extends KObject = KObject>(obj: T): Promise<T>;
  /** Replace; 409 Conflict when metadata.resourceVersion is stale. */
  update<T extends KObject = KObject>(obj: T, opts?: { subresource?: 'status' }): Promise<T>;
  /** JSON merge patch of the object or of its status subresource. */
  patch<T extends KObject = KObject>(
    ref: KindRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts?: { subresource?: 'status' },
  ): Promise<T>;
  delete(ref: KindRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<void>;
  /** Assigns a pending pod to a node, as a scheduler does (pods/binding: spec.nodeName cannot be patched). */
  bind(namespace: string, pod: string, node: string): Promise<void>;
  /** Current objects as ADDED, then every change. Returns a stop function. */
  watch<T extends KObject = KObject>(ref: KindRef, opts: ListOptions, onEvent: (ev: WatchEvent<T>) => void): Promise<() => void>;
}

export class LocalTwinApi implements TwinApi {
  constructor(readonly store: Store) {}

  async get<T extends KObject>(ref: KindRef, namespace: string | undefined, name: string): Promise<T | undefined> {
    return this.store.tryGet(this.store.typeOfKind(ref.apiVersion, ref.kind), namespace, name) as T | undefined;
  }

  async list<T extends KObject>(ref: KindRef, opts: ListOptions = {}): Promise<T[]> {
    return this.store.list(this.store.typeOfKind(ref.apiVersion, ref.kind), opts).items as T[];
  }

  async create<T extends KObject>(obj: T): Promise<T> {
    return this.store.create(this.store.typeOfKind(obj.apiVersion, obj.kind), obj) as T;
  }

  async update<T extends KObject>(obj: T, opts: { subresource?: 'status' } = {}): Promise<T> {
    return this.store.update(this.store.typeOfKind(obj.apiVersion, obj.kind), obj, opts) as T;
  }

  async patch<T extends KObject>(
    ref: KindRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts: { subresource?: 'status' } = {},
  ): Promise<T> {
    const t = this.store.typeOfKind(ref.apiVersion, ref.kind);
    const cur = this.store.get(t, namespace, name);
    const next = mergePatch(cur, patch) as KObject;
    if (typeof next !== 'object' || next === null) throw new StatusError(400, 'BadRequest', 'patch must be an object');
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    return this.store.update(t, next, opts) as T;
  }

  async delete(ref: KindRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<void> {
    this.store.delete(this.store.typeOfKind(ref.apiVersion, ref.kind), namespace, name, opts);
  }

  async bind(namespace: string, pod: string, node: string): Promise<void> {
    this.store.bind(this.store.typeOfKind('v1', 'Pod'), namespace, pod, node);
  }

  async watch<T extends KObject>(ref: KindRef, opts: ListOptions, onEvent: (ev: WatchEvent<T>) => void): Promise<() => void> {
    return this.store.watch(this.store.typeOfKind(ref.apiVersion, ref.kind), opts, onEvent as (ev: WatchEvent) => void);
  }
}
