// RancherClient: Rancher Manager's local cluster through Rancher's Kubernetes proxy
// (<url>/k8s/clusters/local/apis/…), with the Rancher API token as bearer. It reuses the
// cluster layer's one door (Transport: timeouts, QPS, keep-alive TLS) and its list+watch
// Informer, whose changes wake the waits. Every error is said about
// Rancher Manager (errors.ts). Reads and one merge patch are all it does.
import { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../common/clock.js';
import type { KObject } from '../common/harvester-types.js';
import { isNotFound } from '../cluster/errors.js';
import { Informer } from '../cluster/informer.js';
import { resourcePath } from '../cluster/kinds.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, Transport } from '../cluster/transport.js';
import type { ListObject } from '../cluster/types.js';
import type { RancherAccess } from './access.js';
import { rancherError } from './errors.js';
import { LocalClusterPath, RancherKinds, type RancherKindName, type RancherKindShapes } from './kinds.js';

export interface RancherListOpts {
  namespace?: string;
  labelSelector?: string;
}

const label = (k: RancherKindName) => `${RancherKinds[k].group} ${RancherKinds[k].plural}`;

export class RancherClient {
  readonly url: string;
  private readonly transport: Transport;
  private readonly informers = new Map<string, Informer<KObject>>();

  constructor(
    access: RancherAccess,
    private readonly clock: Clock,
    opts: { requestTimeoutMs?: number } = {},
  ) {
    this.url = access.url;
    const kc = new KubeConfig();
    const server = `${access.url}${LocalClusterPath}`;
    kc.loadFromOptions({
      clusters: [{ name: 'rancher', server, skipTLSVerify: access.insecure, ...(access.caPem ? { caData: Buffer.from(access.caPem).toString('base64') } : {}) }],
      users: [{ name: 'fallow', token: access.token.reveal() }],
      contexts: [{ name: 'rancher', cluster: 'rancher', user: 'fallow' }],
      currentContext: 'rancher',
    });
    this.transport = new Transport({ kc, server, requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, userAgent: 'fallow', clock });
  }

  async list<K extends RancherKindName>(kind: K, opts: RancherListOpts = {}): Promise<RancherKindShapes[K][]> {
    const info = RancherKinds[kind];
    try {
      const out: RancherKindShapes[K][] = [];
      let cont: string | undefined;
      do {
        const page = await this.transport.request<ListObject<RancherKindShapes[K]>>({
          method: 'GET',
          path: resourcePath(info, opts.namespace),
          query: { labelSelector: opts.labelSelector, limit: 500, continue: cont },
        });
        for (const o of page.items) out.push({ ...o, apiVersion: info.apiVersion, kind: info.kind });
        cont = page.metadata?.continue || undefined;
      } while (cont);
      return out;
    } catch (err) {
      throw rancherError(this.url, `list ${label(kind)}`, err);
    }
  }

  async get<K extends RancherKindName>(kind: K, namespace: string | undefined, name: string): Promise<RancherKindShapes[K] | undefined> {
    try {
      return await this.transport.request<RancherKindShapes[K]>({ method: 'GET', path: resourcePath(RancherKinds[kind], namespace, name) });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw rancherError(this.url, `get ${label(kind)} ${namespace ? `${namespace}/` : ''}${name}`, err);
    }
  }

  async mergePatch(kind: RancherKindName, namespace: string | undefined, name: string, patch: unknown): Promise<void> {
    try {
      await this.transport.request({
        method: 'PATCH',
        path: resourcePath(RancherKinds[kind], namespace, name),
        body: patch,
        contentType: 'application/merge-patch+json',
      });
    } catch (err) {
      throw rancherError(this.url, `patch ${label(kind)} ${namespace ? `${namespace}/` : ''}${name}`, err);
    }
  }

  /** A list+watch cache of one kind, started on first use and shared. */
  cache<K extends RancherKindName>(kind: K, opts: RancherListOpts = {}): Informer<RancherKindShapes[K]> {
    const key = `${kind}|${opts.namespace ?? ''}|${opts.labelSelector ?? ''}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer<KObject>(this.transport, RancherKinds[kind], this.clock, { ...opts });
      this.informers.set(key, inf);
      void inf.start().catch(() => undefined);
    }
    return inf as unknown as Informer<RancherKindShapes[K]>;
  }

  close(): void {
    for (const inf of this.informers.values()) inf.stop();
    this.informers.clear();
    this.transport.close();
  }
}
