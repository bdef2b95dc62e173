// Informer: a list+watch cache of one kind (optionally one namespace / selector), the
// thing every wait reads instead of polling objects one by one.
//
// It lists (paginated), then watches from the list's resourceVersion; a watch that ends
// normally is re-opened from the last version seen; a 410 Gone (too old) means relist and
// diff; a dropped connection or an API that went away (expected while control-plane
// nodes shut down or boot) is retried with capped, jittered backoff on the Clock. While
// not connected the cache keeps the last state but says so (`synced` false, `lastError`):
// waits must treat that as "not known yet", never as done. Listeners hear every change
// and every connectivity change, so a wait re-evaluates when anything moves.
import type { Clock } from '../common/clock.js';
import type { KObject } from '../common/harvester-types.js';
import { apiErrorInfo, isGone, mapNetworkError } from './errors.js';
import { type KindInfo, resourcePath } from './kinds.js';
import type { Transport } from './transport.js';
import type { ListObject, StatusObject } from './types.js';
import { type RawWatchEvent, watchOnce } from './watch.js';

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Backoff between reconnects, modelled ms. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Server-side watch lifetime; the informer re-opens the watch when it ends. */
  watchTimeoutSeconds?: number;
  pageSize?: number;
}

export type InformerEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'SYNCED' }
  | { type: 'DISCONNECTED'; error: Error };

export type InformerListener<T> = (ev: InformerEvent<T>) => void;

class GoneError extends Error {
  readonly statusCode = 410;
}

export function objectKey(o: Pick<KObject, 'metadata'>): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

export class Informer<T extends KObject = KObject> {
  private readonly cache = new Map<string, T>();
  private readonly listeners = new Set<InformerListener<T>>();
  private readonly stopper = new AbortController();
  private rv = '';
  private running: Promise<void> | undefined;
  private firstSync: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void };
  private everSynced = false;
  private _synced = false;
  private _lastError: Error | undefined;

  constructor(
    private readonly transport: Transport,
    readonly info: KindInfo,
    private readonly clock: Clock,
    readonly opts: InformerOptions = {},
  ) {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined); // observed through start() or not at all
    this.firstSync = { promise, resolve, reject };
  }

  /** True while the cache mirrors the server (listed, watch connected or reconnecting cleanly). */
  get isSynced(): boolean {
    return this._synced;
  }

  /**
   * Resolves when the cache mirrors the server: at once when it does, else at the next
   * sync. Rejects with the connection error while the informer knows it is cut off, so a
   * wait never reads stale objects as the truth (fail closed); it starts the informer.
   */
  synced(): Promise<void> {
    void this.start().catch(() => undefined);
    if (this._synced) return Promise.resolve();
    if (this._lastError) return Promise.reject(this._lastError);
    return new Promise<void>((resolve, reject) => {
      const off = this.onChange((ev) => {
        if (ev.type === 'SYNCED') {
          off();
          resolve();
        } else if (ev.type === 'DISCONNECTED') {
          off();
          reject(ev.error);
        }
      });
    });
  }

  /** Why the cache is not synced, if it is not. */
  get lastError(): Error | undefined {
    return this._lastError;
  }

  get resourceVersion(): string {
    return this.rv;
  }

  /**
   * Starts list+watch in the background. Resolves after the first full list; rejects
   * if that first list fails (the informer keeps retrying unless stopped).
   */
  start(): Promise<void> {
    this.running ??= this.loop();
    return this.firstSync.promise;
  }

  stop(): void {
    this.stopper.abort();
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(filter?: (o: T) => boolean): T[] {
    const all = [...this.cache.values()];
    return filter ? all.filter(filter) : all;
  }

  get size(): number {
    return this.cache.size;
  }

  onChange(listener: InformerListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(ev: InformerEvent<T>): void {
    for (const l of [...this.listeners]) {
      try {
        l(ev);
      } catch {
        // A listener's bug must not kill the informer.
      }
    }
  }

  private async loop(): Promise<void> {
    const signal = this.stopper.signal;
    const initial = this.opts.backoffInitialMs ?? 500;
    const max = this.opts.backoffMaxMs ?? 30_000;
    let attempt = 0;
    let needList = true;
    let opened = false;
    while (!signal.aborted) {
      try {
        opened = false;
        if (needList) {
          await this.relist(signal);
          needList = false;
          this.setSynced();
        }
        const end = await watchOnce(
          this.transport,
          {
            path: resourcePath(this.info, this.opts.namespace),
            resourceVersion: this.rv,
            labelSelector: this.opts.labelSelector,
            fieldSelector: this.opts.fieldSelector,
            timeoutSeconds: this.opts.watchTimeoutSeconds ?? 240 + Math.floor(Math.random() * 120),
            signal,
            onOpen: () => {
              opened = true;
              attempt = 0;
              this.setSynced();
            },
          },
          (ev) => this.apply(ev),
        );
        if (end.reason === 'stopped') break;
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          needList = true;
          continue;
        }
        // An established watch that broke: re-open at once from the last version; only
        // when that fails does the cache count as cut off.
        if (opened && apiErrorInfo(err)?.statusCode === undefined) continue;
        const e = err instanceof Error && 'exitCode' in err ? err : mapNetworkError({ server: this.transport.server, method: 'GET', path: resourcePath(this.info, this.opts.namespace), verb: 'watch' }, err);
        this.setDisconnected(e);
        if (!this.everSynced && attempt === 0) this.firstSync.reject(e);
        // Fail closed but keep trying: an RBAC grant or a booting control plane fixes it later.
        const transient = apiErrorInfo(e)?.transient === true;
        const ceiling = transient ? Math.min(max, initial * 2 ** attempt) : max;
        attempt++;
        try {
          await this.clock.sleep(Math.random() * ceiling + initial / 2, signal);
        } catch {
          break;
        }
        // After a disconnect the server may still have our version (a 410 sends us back to a list).
      }
    }
    this._synced = false;
  }

  private setSynced(): void {
    this._lastError = undefined;
    if (this._synced) return;
    this._synced = true;
    if (!this.everSynced) {
      this.everSynced = true;
      this.firstSync.resolve();
    }
    this.emit({ type: 'SYNCED' });
  }

  private setDisconnected(err: Error): void {
    this._lastError = err;
    const was = this._synced;
    this._synced = false;
    if (was || !this.everSynced) this.emit({ type: 'DISCONNECTED', error: err });
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const seen = new Map<string, T>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page: ListObject<T> = await this.transport.request<ListObject<T>>({
        method: 'GET',
        path: resourcePath(this.info, this.opts.namespace),
        query: {
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          limit: this.opts.pageSize ?? 500,
          continue: cont,
        },
        signal,
      });
      for (const o of page.items) {
        const obj = { ...o, apiVersion: this.info.apiVersion, kind: this.info.kind };
        seen.set(objectKey(obj), obj);
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    // Diff against what we had, so listeners see what changed while we were away.
    for (const [k, old] of this.cache) {
      if (!seen.has(k)) {
        this.cache.delete(k);
        this.emit({ type: 'DELETED', object: old });
      }
    }
    for (const [k, obj] of seen) {
      const old = this.cache.get(k);
      this.cache.set(k, obj);
      if (!old) this.emit({ type: 'ADDED', object: obj });
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emit({ type: 'MODIFIED', object: obj });
    }
    this.rv = rv;
  }

  private apply(ev: RawWatchEvent): void {
    if (ev.type === 'ERROR') {
      const st = ev.object as StatusObject;
      if (st.code === 410) throw new GoneError(st.message ?? 'resource version too old');
      throw Object.assign(new Error(`watch error: ${st.code ?? '?'} ${st.reason ?? ''} ${st.message ?? ''}`.trim()), {
        statusCode: st.code,
        reason: st.reason,
        transient: true,
      });
    }
    const rv = (ev.object as T).metadata?.resourceVersion;
    if (rv) this.rv = rv;
    if (ev.type === 'BOOKMARK') return;
    // Same shape as listed objects, whatever the server puts on watch events.
    const obj = { ...(ev.object as T), apiVersion: this.info.apiVersion, kind: this.info.kind };
    const k = objectKey(obj);
    if (ev.type === 'DELETED') {
      this.cache.delete(k);
      this.emit({ type: 'DELETED', object: obj });
      return;
    }
    const had = this.cache.has(k);
    this.cache.set(k, obj);
    this.emit({ type: had ? 'MODIFIED' : 'ADDED', object: obj });
  }
}
