// Shared informers: one list+watch per kind through TwinApi, an in-memory cache with
// secondary indexes (pods by node, pods by claim, VMIs by node…), and change handlers. As
// in client-go, handlers only enqueue keys; reconcilers read the cache. Cached objects are
// shared: treat them as read-only and clone before changing.
import type { KindRef, TwinApi } from '../api.js';
import type { KObject, WatchEvent } from '../store/types.js';

export type ChangeHandler<T extends KObject> = (type: WatchEvent['type'], obj: T, old: T | undefined) => void;

export function keyOfObject(o: KObject): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

interface Index<T> {
  fn: (o: T) => string[];
  map: Map<string, Set<string>>;
}

export class Informer<T extends KObject = KObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: ChangeHandler<T>[] = [];
  private readonly indexes = new Map<string, Index<T>>();
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly api: TwinApi,
    readonly ref: KindRef,
  ) {}

  async start(): Promise<void> {
    if (this.stopWatch) return;
    this.stopWatch = await this.api.watch<T>(this.ref, {}, (ev) => this.apply(ev));
  }

  stop(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  onChange(handler: ChangeHandler<T>): void {
    this.handlers.push(handler);
    // late subscribers see what is already cached, like a resync
    for (const obj of this.cache.values()) handler('ADDED', obj, undefined);
  }

  /** Adds a named index; a second call with the same name keeps the first. */
  addIndex(name: string, fn: (o: T) => string[]): void {
    if (this.indexes.has(name)) return;
    const idx: Index<T> = { fn, map: new Map() };
    this.indexes.set(name, idx);
    for (const [k, o] of this.cache) for (const v of fn(o)) addTo(idx.map, v, k);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  getBy(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  get size(): number {
    return this.cache.size;
  }

  countByIndex(name: string, value: string): number {
    return this.indexes.get(name)?.map.get(value)?.size ?? 0;
  }

  byIndex(name: string, value: string): T[] {
    const keys = this.indexes.get(name)?.map.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) {
      const o = this.cache.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  private apply(ev: WatchEvent<T>): void {
    const key = keyOfObject(ev.object);
    const old = this.cache.get(key);
    if (old) for (const idx of this.indexes.values()) for (const v of idx.fn(old)) idx.map.get(v)?.delete(key);
    if (ev.type === 'DELETED') this.cache.delete(key);
    else {
      this.cache.set(key, ev.object);
      for (const idx of this.indexes.values()) for (const v of idx.fn(ev.object)) addTo(idx.map, v, key);
    }
    for (const h of this.handlers) h(ev.type, ev.object, old);
  }
}

function addTo(map: Map<string, Set<string>>, v: string, key: string): void {
  let s = map.get(v);
  if (!s) map.set(v, (s = new Set()));
  s.add(key);
}

/** One informer per kind, shared by every controller. */
export class Informers {
  private readonly byKind = new Map<string, Informer>();

  constructor(private readonly api: TwinApi) {}

  for<T extends KObject = KObject>(ref: KindRef): Informer<T> {
    const k = `${ref.apiVersion}/${ref.kind}`;
    let inf = this.byKind.get(k);
    if (!inf) this.byKind.set(k, (inf = new Informer(this.api, ref)));
    return inf as unknown as Informer<T>;
  }

  async startAll(): Promise<void> {
    for (const inf of this.byKind.values()) await inf.start();
  }

  stopAll(): void {
    for (const inf of this.byKind.values()) inf.stop();
  }
}
