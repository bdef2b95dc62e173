// Cluster: typed access to everything the runbook reads or changes, by kind name
// (`list('Node')` is NodeObject[]), over the one Transport. It implements the runbook's
// ClusterPort; plan, report and verify use the same object. Patch helpers set the right
// Content-Type; deletes are idempotent (already gone is fine); informers are shared per
// (kind, namespace, selector) and live until close().
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Clock } from '../common/clock.js';
import { Kinds, type KindName } from '../common/harvester.js';
import type { KObject } from '../common/harvester-types.js';
import type { RbacRule } from '../engine/types.js';
import type { ClusterPort, ListOpts } from '../runbook/ports.js';
import { type AccessCheck, accessReview, type AccessReviewOptions } from './access.js';
import { isConflict, isNotFound } from './errors.js';
import { endpointStatus, etcdctl, type EtcdMember, moveLeader } from './etcd.js';
import { execInPod, type ExecResult } from './exec.js';
import { Informer, type InformerOptions } from './informer.js';
import { kindInfo, type KindShapes, resourcePath } from './kinds.js';
import type { Transport } from './transport.js';
import type { ListObject, ScaleObject } from './types.js';

export const PatchType = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: unknown;
  from?: string;
}

export interface DeleteOpts {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
}

type Shape<K extends KindName> = KindShapes[K];

/** The KindName for an object's apiVersion/kind, or a clear error for a kind fallow does not know. */
export function kindNameOf(ref: { apiVersion: string; kind: string }): KindName {
  for (const [name, k] of Object.entries(Kinds)) if (k.apiVersion === ref.apiVersion && k.kind === ref.kind) return name as KindName;
  throw new Error(`fallow does not know the kind ${ref.apiVersion} ${ref.kind}`);
}

export class Cluster implements ClusterPort {
  private readonly informers = new Map<string, Informer<KObject>>();

  constructor(
    readonly transport: Transport,
    readonly clock: Clock,
    private readonly informerDefaults: InformerOptions = {},
  ) {}

  get server(): string {
    return this.transport.server;
  }

  // ---- reads ----------------------------------------------------------------------

  async get<T extends KObject = KObject>(kind: KindName, namespace: string | undefined, name: string): Promise<T | undefined> {
    try {
      return await this.transport.request<T>({ method: 'GET', path: resourcePath(kindInfo(kind), namespace, name) });
    } catch (err) {
      if (isNotFound(err) && namespaceOk(kind, namespace)) return undefined;
      throw err;
    }
  }

  /** Typed get by kind name: `getKind('Deployment', ns, n)` is a DeploymentObject. */
  getKind<K extends KindName>(kind: K, namespace: string | undefined, name: string): Promise<Shape<K> | undefined> {
    return this.get<Shape<K>>(kind, namespace, name);
  }

  /** Every object (following `continue` pages of 500), namespace omitted = all namespaces. */
  async list<T extends KObject = KObject>(kind: KindName, opts: ListOpts & { limit?: number } = {}): Promise<T[]> {
    const info = kindInfo(kind);
    const out: T[] = [];
    let cont: string | undefined;
    do {
      const page: ListObject<T> = await this.transport.request<ListObject<T>>({
        method: 'GET',
        path: resourcePath(info, opts.namespace),
        query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit ?? 500, continue: cont },
      });
      // Items of a List carry no apiVersion/kind on the wire; restore them for callers.
      for (const o of page.items) out.push({ ...o, apiVersion: info.apiVersion, kind: info.kind });
      cont = page.metadata?.continue || undefined;
    } while (cont);
    return out;
  }

  listKind<K extends KindName>(kind: K, opts?: ListOpts): Promise<Shape<K>[]> {
    return this.list<Shape<K>>(kind, opts);
  }

  // ---- writes ---------------------------------------------------------------------

  async create<T extends KObject = KObject>(obj: T): Promise<T> {
    const info = kindInfo(kindNameOf(obj));
    return this.transport.request<T>({ method: 'POST', path: resourcePath(info, obj.metadata.namespace), body: obj });
  }

  /** PUT; 409 Conflict when metadata.resourceVersion is stale. */
  async replace<T extends KObject = KObject>(obj: T, subresource?: 'status'): Promise<T> {
    const info = kindInfo(kindNameOf(obj));
    return this.transport.request<T>({ method: 'PUT', path: resourcePath(info, obj.metadata.namespace, obj.metadata.name, subresource), body: obj });
  }

  /**
   * PATCH with the given patch type (merge by default: RFC 7386, null deletes a key,
   * lists are replaced whole; json: RFC 6902 ops, e.g. a `test` op for compare-and-set).
   */
  async patch<T extends KObject = KObject>(
    kind: KindName,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts: { type?: keyof typeof PatchType; subresource?: 'status' } = {},
  ): Promise<T> {
    return this.transport.request<T>({
      method: 'PATCH',
      path: resourcePath(kindInfo(kind), namespace, name, opts.subresource),
      body: patch,
      contentType: PatchType[opts.type ?? 'merge'],
    });
  }

  /** JSON merge patch (the runbook port's form). */
  async mergePatch(kind: KindName, namespace: string | undefined, name: string, patch: unknown): Promise<void> {
    await this.patch(kind, namespace, name, patch);
  }

  /** JSON patch (RFC 6902). */
  jsonPatch<T extends KObject = KObject>(kind: KindName, namespace: string | undefined, name: string, ops: JsonPatchOp[]): Promise<T> {
    return this.patch<T>(kind, namespace, name, ops, { type: 'json' });
  }

  async getScale(kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet', namespace: string, name: string): Promise<ScaleObject> {
    return this.transport.request<ScaleObject>({ method: 'GET', path: resourcePath(kindInfo(kind), namespace, name, 'scale') });
  }

  /** Sets replicas through the scale subresource (what `kubectl scale` does). */
  async scale(kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet', namespace: string, name: string, replicas: number): Promise<void> {
    await this.transport.request<ScaleObject>({
      method: 'PATCH',
      path: resourcePath(kindInfo(kind), namespace, name, 'scale'),
      body: { spec: { replicas } },
      contentType: PatchType.merge,
    });
  }

  /** Idempotent: an object that is already gone counts as deleted. */
  async delete(kind: KindName, namespace: string | undefined, name: string, opts: DeleteOpts = {}): Promise<void> {
    try {
      await this.transport.request<unknown>({
        method: 'DELETE',
        path: resourcePath(kindInfo(kind), namespace, name),
        body: {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
          ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
        },
      });
    } catch (err) {
      if (isNotFound(err) && namespaceOk(kind, namespace)) return;
      throw err;
    }
  }

  /** KubeVirt's start/stop/restart subresource; 409 (already stopped/started) → 'conflict'. */
  async vmAction(namespace: string, name: string, action: 'start' | 'stop' | 'restart', body?: { gracePeriod?: number }): Promise<'ok' | 'conflict'> {
    try {
      await this.transport.request<unknown>({
        method: 'PUT',
        path: `/apis/subresources.kubevirt.io/v1/namespaces/${encodeURIComponent(namespace)}/virtualmachines/${encodeURIComponent(name)}/${action}`,
        body: body ?? {},
      });
      return 'ok';
    } catch (err) {
      if (isConflict(err)) return 'conflict';
      throw err;
    }
  }

  // ---- exec, etcd, download -------------------------------------------------------

  exec(namespace: string, pod: string, container: string, command: string[]): Promise<ExecResult> {
    return execInPod(this.transport, namespace, pod, container, command);
  }

  /** `etcdctl <args>` with RKE2's client certs in kube-system/etcd-<node>; stdout, or a TransientError. */
  etcdctl(node: string, args: string[]): Promise<string> {
    return etcdctl(this.podExec, node, args);
  }

  etcdMembers(viaNode: string): Promise<EtcdMember[]> {
    return endpointStatus(this.podExec, viaNode);
  }

  etcdMoveLeader(leaderNode: string, toMemberIdHex: string): Promise<void> {
    return moveLeader(this.podExec, leaderNode, toMemberIdHex);
  }

  private readonly podExec = (ns: string, pod: string, container: string, cmd: string[]) => this.exec(ns, pod, container, cmd);

  /** GETs a path of the same server into a file (0600), written whole or not at all. */
  async download(path: string, toFile: string, opts: { signal?: AbortSignal } = {}): Promise<{ bytes: number }> {
    const res = await this.transport.stream({ method: 'GET', path, accept: '*/*', verb: 'download', ...(opts.signal ? { signal: opts.signal } : {}) });
    const tmp = `${toFile}.part`;
    let bytes = 0;
    res.on('data', (c: Buffer) => (bytes += c.length));
    try {
      await pipeline(res, createWriteStream(tmp, { mode: 0o600 }));
      await rename(tmp, toFile);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { bytes };
  }

  /** Harvester's support bundle download (deletes the bundle unless retain). */
  downloadSupportBundle(name: string, toFile: string, opts: { retain?: boolean } = {}): Promise<{ bytes: number }> {
    const q = opts.retain ? '?retain=true' : '';
    return this.download(`/v1/harvester/supportbundles/${encodeURIComponent(name)}/download${q}`, toFile);
  }

  // ---- caches, health, access -----------------------------------------------------

  /** The shared informer for (kind, namespace, selectors); started on first use. */
  cache<T extends KObject = KObject>(kind: KindName, opts: ListOpts = {}): Informer<T> {
    const key = `${kind}|${opts.namespace ?? ''}|${opts.labelSelector ?? ''}|${opts.fieldSelector ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer<KObject>(this.transport, kindInfo(kind), this.clock, { ...this.informerDefaults, ...opts });
      this.informers.set(key, inf);
      void inf.start().catch(() => undefined);
    }
    return inf as unknown as Informer<T>;
  }

  /** True when the API answers /version right now. */
  /**
   * The API serves data right now. /readyz, not /version: an apiserver whose etcd has lost
   * quorum still answers /version from memory, but not readiness (nor any read).
   */
  async reachable(): Promise<boolean> {
    try {
      const res = await this.transport.stream({ method: 'GET', path: '/readyz', timeoutMs: 5_000 });
      res.resume(); // "ok": the 2xx status is the answer
      return true;
    } catch {
      return false;
    }
  }

  accessReview(rules: readonly RbacRule[], opts?: AccessReviewOptions): Promise<AccessCheck[]> {
    return accessReview(this.transport, rules, opts);
  }

  /** Stops every informer and frees the connection pool. */
  close(): void {
    for (const inf of this.informers.values()) inf.stop();
    this.informers.clear();
    this.transport.close();
  }
}

/** A 404 on a namespaced object means "no such object" only when a namespace was given. */
function namespaceOk(kind: KindName, namespace: string | undefined): boolean {
  return !kindInfo(kind).namespaced || namespace !== undefined;
}
