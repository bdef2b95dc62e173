// The twin's Kubernetes API server: HTTPS on loopback over a Store, so kubectl and
// @kubernetes/client-node cannot tell it from kube-apiserver for the calls fallow and
// the seed article make. This file owns the lifecycle (TLS, listen, reachability,
// close), authentication and authorisation, the request log, injected faults and the
// non-resource paths; router.ts dispatches resource requests.
//
//   const api = await startApiServer({ store, exec, users, rbac: true });
//   await api.writeKubeconfig('/tmp/kc');          // admin, mode 0600
//   api.faults.errorRate = 0.1;                    // mutable at run time
//   await api.setReachability('refused');          // ECONNREFUSED until 'up'
//   api.addSubresource('subresources.kubevirt.io', 'virtualmachines', 'migrate', handler);
//   api.addRoute('GET', /^\/v1\/harvester\/supportbundles\/([^/]+)\/download$/, handler);
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { RealClock, wallSleep, type Clock } from '../../common/clock.js';
import { StatusError } from '../store/errors.js';
import type { Store } from '../store/store.js';
import type { Principal } from './context.js';
import { Discovery, versionDoc, type ExtraResource } from './discovery.js';
import { ExecServer, execTarget, rejectUpgrade } from './exec.js';
import { etcdUnavailable, healthText, injectedFault } from './faults.js';
import { acceptsJson, sendError, sendJson, wantsTable } from './http.js';
import { writeKubeconfigFile } from './kubeconfig.js';
import { kubevirtSubresources } from './kubevirt.js';
import { Authorizer, forbidden, mastersGroup, unauthorized } from './rbac.js';
import { requestInfo } from './request-info.js';
import { route, subresourceKey } from './router.js';
import { createServerPki } from './tls.js';
import type { ApiFaults, ApiServerOptions, Reachability, RequestInfo, RequestRecord, RouteHandler, SubresourceHandler, SubresourceOptions, TwinApiServer, TwinUser } from './types.js';
import type { WatchStream } from './watch.js';

export async function startApiServer(opts: ApiServerOptions): Promise<TwinApiServer> {
  const host = opts.host ?? '127.0.0.1';
  const pki = await createServerPki(host);
  const server = new ApiServer(opts, host, pki.caPem);
  await server.listen(createServer({ key: pki.keyPem, cert: pki.certPem }), opts.port ?? 0);
  return server;
}

class ApiServer implements TwinApiServer {
  readonly adminToken = randomBytes(24).toString('base64url');
  readonly faults: ApiFaults;
  readonly requestLog: RequestRecord[] = [];
  reachability: Reachability = 'up';
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly users: TwinUser[];
  private readonly authz: Authorizer;
  private readonly discovery: Discovery;
  private readonly exec: ExecServer;
  private readonly routes: { method: string; pattern: RegExp; handler: RouteHandler }[] = [];
  private readonly subresources = new Map<string, SubresourceHandler>();
  private readonly extraResources: ExtraResource[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly watches = new Set<WatchStream>();
  private readonly startedAt = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  private https!: Server;
  private port = 0;

  constructor(
    private readonly opts: ApiServerOptions,
    private readonly host: string,
    readonly caPem: string,
  ) {
    this.store = opts.store;
    this.clock = opts.clock ?? new RealClock();
    this.faults = opts.faults ?? {};
    const admin: TwinUser = { name: 'admin', token: this.adminToken, groups: [mastersGroup] };
    this.users = [admin, ...(opts.users ?? []).filter((u) => u.name !== 'admin')];
    this.authz = new Authorizer(this.users, opts.rbac ?? false);
    this.exec = new ExecServer(opts.exec);
    this.discovery = new Discovery(this.store, () => this.extras(), () => `${this.host}:${this.port}`);
    for (const [sub, handler] of Object.entries(kubevirtSubresources)) {
      this.addSubresource('subresources.kubevirt.io', 'virtualmachines', sub, handler, { version: 'v1', verbs: ['update'] });
    }
  }

  get url(): string {
    return `https://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  async listen(server: Server, port: number): Promise<void> {
    this.https = server;
    server.keepAliveTimeout = 65_000;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
  }

  // ---- public API ----------------------------------------------------------------------

  async writeKubeconfig(path: string, o: { user?: string; context?: string } = {}): Promise<void> {
    const name = o.user ?? 'admin';
    const user = this.users.find((u) => u.name === name);
    if (!user) throw new Error(`no twin API user "${name}"; known users: ${this.users.map((u) => u.name).join(', ')}`);
    await writeKubeconfigFile(path, { server: this.url, caPem: this.caPem, user: name, token: user.token, context: o.context ?? 'twin' });
  }

  async setReachability(state: Reachability): Promise<void> {
    const was = this.reachability;
    this.reachability = state;
    if (state !== 'up') for (const w of [...this.watches]) (state === 'refused' ? w.destroy : w.end)();
    if (state === 'refused' && was !== 'refused') {
      const closed = new Promise<void>((r) => this.https.close(() => r()));
      for (const s of this.sockets) s.destroy();
      this.https.closeAllConnections();
      await closed;
    } else if (state !== 'refused' && was === 'refused') {
      await new Promise<void>((resolve, reject) => {
        this.https.once('error', reject);
        this.https.listen(this.port, this.host, () => {
          this.https.off('error', reject);
          resolve();
        });
      });
    }
  }

  addRoute(method: string, pattern: RegExp, handler: RouteHandler): void {
    this.routes.push({ method: method.toUpperCase(), pattern, handler });
  }

  addSubresource(group: string, resource: string, sub: string, handler: SubresourceHandler, o: SubresourceOptions = {}): void {
    this.subresources.set(subresourceKey(group, resource, sub), handler);
    const known = this.store.allTypes().find((t) => t.group === group && t.resource === resource);
    const version = o.version ?? known?.version ?? 'v1';
    const name = `${resource}/${sub}`;
    const i = this.extraResources.findIndex((e) => e.group === group && e.version === version && e.name === name);
    if (i >= 0) this.extraResources.splice(i, 1);
    this.extraResources.push({ group, version, name, kind: known?.kind ?? '', namespaced: o.namespaced ?? known?.namespaced ?? true, verbs: o.verbs ?? ['update'] });
  }

  async close(): Promise<void> {
    for (const w of [...this.watches]) w.destroy();
    this.exec.close();
    if (this.reachability === 'refused') return;
    const closed = new Promise<void>((r) => this.https.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.https.closeAllConnections();
    await closed;
  }

  // ---- internals -----------------------------------------------------------------------

  private extras(): ExtraResource[] {
    const out: ExtraResource[] = [
      { group: 'authorization.k8s.io', version: 'v1', name: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'], singularName: 'selfsubjectaccessreview' },
      { group: 'apiextensions.k8s.io', version: 'v1', name: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false, verbs: ['get', 'list'], singularName: 'customresourcedefinition', shortNames: ['crd', 'crds'] },
    ];
    const kubevirt = this.store.typeFor('kubevirt.io', 'v1', 'virtualmachines') !== undefined;
    return [...out, ...this.extraResources.filter((e) => kubevirt || e.group !== 'subresources.kubevirt.io' || !(e.name.split('/')[1]! in kubevirtSubresources))];
  }

  private record(req: IncomingMessage, info: RequestInfo | undefined, query: string, status: number, user: string | undefined, t: number): void {
    const r: RequestRecord = { t, method: req.method ?? 'GET', path: info?.path ?? (req.url ?? '').split('?')[0]!, query, verb: info?.verb ?? (req.method ?? 'get').toLowerCase(), status, ...(user ? { user } : {}) };
    if (info?.isResource) {
      r.group = info.group;
      r.resource = info.resource;
      if (info.subresource) r.subresource = info.subresource;
      if (info.namespace !== undefined) r.namespace = info.namespace;
      if (info.name) r.name = info.name;
    }
    this.requestLog.push(r);
    const limit = this.opts.requestLogLimit ?? 200_000;
    if (this.requestLog.length > limit) this.requestLog.splice(0, Math.floor(limit / 2));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t = Date.now();
    const url = new URL(req.url ?? '/', 'https://twin');
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    let user: string | undefined;
    res.on('close', () => this.record(req, info, url.search.slice(1), res.statusCode, user, t));
    try {
      if (this.faults.latencyMs) await wallSleep(this.faults.latencyMs);
      const auth = this.authz.authenticate(req);
      if (!auth) throw unauthorized();
      user = auth.principal.name;
      const custom = this.routes.find((r) => r.method === req.method && r.pattern.test(url.pathname));
      if (custom) {
        await custom.handler(req, res, custom.pattern.exec(url.pathname)!);
        return;
      }
      this.authorize(auth.user, auth.principal, info);
      const accept = req.headers.accept;
      if (!acceptsJson(accept) && !wantsTable(accept)) {
        throw new StatusError(406, 'NotAcceptable', `only the following media types are accepted: application/json (asked for ${accept ?? ''})`);
      }
      if (!info.isResource) return this.nonResource(url.pathname, res);
      if (this.reachability === 'unavailable') return this.answer(res, etcdUnavailable());
      const fault = injectedFault(this.faults);
      if (fault) return this.answer(res, fault);
      const type = this.store.typeFor(info.group, info.version, info.resource);
      info.type = type;
      await route(
        { req, res, info, type, query: url.searchParams, user: auth.principal, store: this.store, clock: this.clock },
        auth.user,
        auth.principal,
        { authz: this.authz, subresources: this.subresources, startedAt: this.startedAt, watchHooks: () => this.watchHooks() },
      );
    } catch (e) {
      if (res.headersSent) res.destroy();
      else sendError(res, e);
    }
  }

  private watchHooks() {
    return {
      bookmarkIntervalMs: this.opts.bookmarkIntervalMs ?? 60_000,
      dropAfterMs: this.faults.dropWatchesAfterMs,
      register: (s: WatchStream) => {
        this.watches.add(s);
        return () => this.watches.delete(s);
      },
    };
  }

  private authorize(user: TwinUser, p: Principal, info: RequestInfo): void {
    const attrs = { ...info, path: info.path };
    const d = this.authz.authorize(user, p, attrs);
    if (!d.allowed) throw forbidden(p, attrs, d.reason);
  }

  private answer(res: ServerResponse, a: { code: number; body: unknown; headers: Record<string, string> }): void {
    for (const [k, v] of Object.entries(a.headers)) res.setHeader(k, v);
    sendJson(res, a.code, a.body);
  }

  private nonResource(path: string, res: ServerResponse): void {
    const p = path.replace(/\/+$/, '') || '/';
    const seg = p.split('/').filter(Boolean);
    if (/^\/(healthz|livez|readyz)(\/.*)?$/.test(p)) {
      const h = healthText(p, this.reachability === 'up');
      res.writeHead(h.code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(h.text);
      return;
    }
    let doc: unknown;
    if (p === '/version') doc = versionDoc(this.opts.gitVersion ?? 'v1.30.9+rke2r1');
    else if (p === '/api') doc = this.discovery.api();
    else if (p === '/apis') doc = this.discovery.apis();
    else if (seg[0] === 'api' && seg.length === 2) doc = this.discovery.resources('', seg[1]!);
    else if (seg[0] === 'apis' && seg.length === 2) doc = this.discovery.group(seg[1]!);
    else if (seg[0] === 'apis' && seg.length === 3) doc = this.discovery.resources(seg[1]!, seg[2]!);
    else if (p === '/openapi/v3') doc = { paths: {} };
    if (doc === undefined) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    sendJson(res, 200, doc);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const t = Date.now();
    const url = new URL(req.url ?? '/', 'https://twin');
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    let user: string | undefined;
    let status = 400;
    try {
      const auth = this.authz.authenticate(req);
      if (!auth) throw unauthorized();
      user = auth.principal.name;
      this.authorize(auth.user, auth.principal, info);
      if (!(info.isResource && info.group === '' && info.resource === 'pods' && info.subresource === 'exec' && info.name)) {
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      }
      if (this.reachability === 'unavailable') {
        const a = etcdUnavailable();
        rejectUpgrade(socket, a.code, a.body);
        status = a.code;
        return;
      }
      const target = execTarget(this.store, info.namespace, info.name, url.searchParams);
      status = this.exec.upgrade(req, socket, head, target);
    } catch (e) {
      const err = e instanceof StatusError ? e : new StatusError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
      rejectUpgrade(socket, err.code, err.toStatus());
      status = err.code;
    } finally {
      this.record(req, info, url.search.slice(1), status, user, t);
    }
  }
}
