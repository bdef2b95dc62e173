// HttpTwinApi: TwinApi over HTTP, so the twin's controllers can drive a real kube-apiserver
// (the fidelity bed) or the twin's own API server exactly as they drive the in-memory
// store through LocalTwinApi: same method contract, same StatusError on failures, the
// same "current objects as ADDED, then every change" watch. Its watch survives the API
// going away: it reconnects from the last resourceVersion and, after 410 Gone, relists
// and reports the difference as ADDED/MODIFIED/DELETED.
import type { KindRef, TwinApi } from './api.js';
import { KubeHttpClient, statusErrorOf, type KubeEndpoint } from './http-client.js';
import { StatusError } from './store/errors.js';
import type { DeleteOptions, ListOptions } from './store/store.js';
import { keyOf, type KObject, type WatchEvent, type WatchEventType } from './store/types.js';

interface ResourceInfo {
  /** /api/v1 or /apis/<group>/<version> */
  base: string;
  resource: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

interface ObjectList {
  metadata: { resourceVersion?: string };
  items: KObject[];
}

export interface HttpTwinApiOptions {
  /** Longest pause between watch reconnects while the API is unreachable; default 2 000 ms. */
  maxBackoffMs?: number;
}

export class HttpTwinApi implements TwinApi {
  readonly client: KubeHttpClient;
  private readonly resources = new Map<string, Promise<ResourceInfo>>();
  private readonly maxBackoffMs: number;

  constructor(endpoint: KubeEndpoint, opts: HttpTwinApiOptions = {}) {
    this.client = new KubeHttpClient(endpoint);
    this.maxBackoffMs = opts.maxBackoffMs ?? 2_000;
  }

  async get<T extends KObject>(ref: KindRef, namespace: string | undefined, name: string): Promise<T | undefined> {
    const res = await this.client.request('GET', await this.path(ref, namespace, name));
    if (res.status === 404) return undefined;
    return this.ok<T>(res);
  }

  async list<T extends KObject>(ref: KindRef, opts: ListOptions = {}): Promise<T[]> {
    return (await this.listWithVersion(ref, opts)).items as T[];
  }

  async create<T extends KObject>(obj: T): Promise<T> {
    return this.client.json<T>('POST', await this.path(obj, obj.metadata.namespace), { body: obj });
  }

  async update<T extends KObject>(obj: T, opts: { subresource?: 'status' } = {}): Promise<T> {
    return this.client.json<T>('PUT', await this.path(obj, obj.metadata.namespace, obj.metadata.name, opts.subresource), { body: obj });
  }

  async patch<T extends KObject>(
    ref: KindRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts: { subresource?: 'status' } = {},
  ): Promise<T> {
    return this.client.json<T>('PATCH', await this.path(ref, namespace, name, opts.subresource), {
      body: patch,
      contentType: 'application/merge-patch+json',
    });
  }

  async delete(ref: KindRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<void> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    await this.client.json('DELETE', await this.path(ref, namespace, name), { body });
  }

  async bind(namespace: string, pod: string, node: string): Promise<void> {
    await this.client.json('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/binding`, {
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
    });
  }

  async watch<T extends KObject>(ref: KindRef, opts: ListOptions, onEvent: (ev: WatchEvent<T>) => void): Promise<() => void> {
    const known = new Map<string, KObject>();
    const emit = (type: WatchEventType, object: KObject): void => onEvent({ type, object: object as T });
    let stopped = false;
    let close: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;

    // Lists and reports what changed since `known`, so a relist after 410 looks like events.
    const relist = async (): Promise<string> => {
      const { items, resourceVersion } = await this.listWithVersion(ref, opts);
      const seen = new Set<string>();
      for (const o of items) {
        const k = keyOf(o.metadata.namespace, o.metadata.name);
        seen.add(k);
        const prev = known.get(k);
        known.set(k, o);
        if (!prev) emit('ADDED', o);
        else if (prev.metadata.resourceVersion !== o.metadata.resourceVersion) emit('MODIFIED', o);
      }
      for (const [k, o] of known) {
        if (seen.has(k)) continue;
        known.delete(k);
        emit('DELETED', o);
      }
      return resourceVersion;
    };

    let rv = await relist();
    let mustRelist = false;
    let backoff = 100;
    const path = await this.path(ref, opts.namespace);
    const connect = (): void => {
      if (stopped) return;
      const q = new URLSearchParams({ watch: '1', resourceVersion: rv, allowWatchBookmarks: 'true' });
      if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
      if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
      const stream = this.client.stream(
        `${path}?${q}`,
        (line) => {
          const ev = line as { type?: string; object?: KObject & { code?: number } };
          if (!ev.type || !ev.object) return;
          if (ev.type === 'ERROR') {
            // 410: our resourceVersion was compacted away; anything else: start over too.
            mustRelist = true;
            return;
          }
          if (ev.object.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
          backoff = 100;
          if (ev.type === 'BOOKMARK') return;
          const k = keyOf(ev.object.metadata.namespace, ev.object.metadata.name);
          if (ev.type === 'DELETED') known.delete(k);
          else known.set(k, ev.object);
          emit(ev.type as WatchEventType, ev.object);
        },
        (err) => {
          if (err instanceof StatusError && err.code === 410) mustRelist = true;
        },
      );
      close = stream.close;
      void stream.done.then(() => scheduleReconnect());
    };
    const scheduleReconnect = (): void => {
      if (stopped) return;
      timer = setTimeout(() => {
        void (async () => {
          if (mustRelist) {
            try {
              rv = await relist();
              mustRelist = false;
            } catch {
              backoff = Math.min(backoff * 2, this.maxBackoffMs);
              return scheduleReconnect();
            }
          }
          connect();
        })();
      }, backoff);
      backoff = Math.min(backoff * 2, this.maxBackoffMs);
    };
    connect();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      close();
    };
  }

  close(): void {
    this.client.close();
  }

  // ---- helpers -----------------------------------------------------------------------

  private async listWithVersion(ref: KindRef, opts: ListOptions): Promise<{ items: KObject[]; resourceVersion: string }> {
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
    const qs = q.size ? `?${q}` : '';
    const list = await this.client.json<ObjectList>('GET', `${await this.path(ref, opts.namespace)}${qs}`);
    // Lists of built-in kinds leave apiVersion/kind off their items; LocalTwinApi's have them.
    const items = list.items.map((o) => ({ ...o, apiVersion: ref.apiVersion, kind: ref.kind }));
    return { items, resourceVersion: list.metadata.resourceVersion ?? '' };
  }

  private ok<T>(res: { status: number; body: unknown; text: string }): T {
    if (res.status >= 200 && res.status < 300) return res.body as T;
    throw statusErrorOf(res);
  }

  private async path(ref: KindRef, namespace: string | undefined, name?: string, subresource?: string): Promise<string> {
    const info = await this.resolve(ref);
    let p = info.base;
    if (info.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${info.resource}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  private resolve(ref: KindRef): Promise<ResourceInfo> {
    const key = `${ref.apiVersion}/${ref.kind}`;
    let found = this.resources.get(key);
    if (!found) {
      found = this.discover(ref);
      // A failed discovery (API down, CRD not yet there) must not be cached.
      found.catch(() => this.resources.delete(key));
      this.resources.set(key, found);
    }
    return found;
  }

  private async discover(ref: KindRef): Promise<ResourceInfo> {
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const list = await this.client.json<ApiResourceList>('GET', base);
    const r = list.resources.find((x) => x.kind === ref.kind && !x.name.includes('/'));
    if (!r) throw new StatusError(404, 'NotFound', `the server does not serve kind ${ref.kind} in ${ref.apiVersion}`);
    return { base, resource: r.name, namespaced: r.namespaced };
  }
}
