// The cluster's front door for the fidelity bed, as Harvester's VIP is on a real cluster:
// one HTTPS endpoint that serves Harvester's own routes (GET /v1/harvester/supportbundles/
// {name}/download) and hands every other request, watches and exec upgrades included, to
// the real kube-apiserver unchanged. The caller's bearer token goes through as it came; a
// Harvester route is allowed only when the apiserver's RBAC says the caller may `get` the
// object behind it (a SelfSubjectAccessReview with the caller's own token), as Harvester's
// API authorises through Kubernetes. Fallow's kubeconfig points here, so it downloads the
// bundle from the same server as everything else, without knowing about the bed.
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { createServerPki } from '../../../src/twin/apiserver/tls.js';
import { KubeHttpClient, type KubeEndpoint } from '../../../src/twin/http-client.js';

export interface ResourceAttributes {
  namespace?: string;
  verb: string;
  group: string;
  resource: string;
  name?: string;
}

export interface FrontRoute {
  method: string;
  path: RegExp;
  /** What the caller must be allowed to do for this request. */
  authorize: (match: RegExpExecArray) => ResourceAttributes;
  handle: (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray) => Promise<void>;
}

export interface HarvesterFront {
  /** https://127.0.0.1:port */
  readonly server: string;
  readonly caPem: string;
  /** An endpoint through the front for a token of the bed. */
  endpoint(token: string): KubeEndpoint;
  close(): Promise<void>;
}

function sendStatus(res: ServerResponse, code: number, reason: string, message: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** Asks the apiserver, as the caller, whether it may do `attrs`: 'allowed', 'denied' or 'unauthenticated'. */
async function review(upstream: KubeEndpoint, authorization: string | undefined, attrs: ResourceAttributes): Promise<'allowed' | 'denied' | 'unauthenticated'> {
  const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return 'unauthenticated';
  const client = new KubeHttpClient({ ...upstream, token });
  try {
    const res = await client.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } },
    });
    if (res.status === 401) return 'unauthenticated';
    if (res.status !== 201 && res.status !== 200) throw new Error(`access review answered ${res.status}: ${res.text.slice(0, 200)}`);
    return (res.body as { status?: { allowed?: boolean } }).status?.allowed ? 'allowed' : 'denied';
  } finally {
    client.close();
  }
}

export async function startHarvesterFront(opts: { upstream: Omit<KubeEndpoint, 'token'>; routes: FrontRoute[] }): Promise<HarvesterFront> {
  const up = new URL(opts.upstream.server);
  const upstream = { ...opts.upstream, token: '' };
  const pki = await createServerPki('127.0.0.1');

  const route = async (req: IncomingMessage, res: ServerResponse, r: FrontRoute, m: RegExpExecArray): Promise<void> => {
    const attrs = r.authorize(m);
    const verdict = await review(upstream, req.headers.authorization, attrs).catch((err: Error) => err);
    if (verdict instanceof Error) return sendStatus(res, 503, 'ServiceUnavailable', `cannot authorise ${req.method} ${req.url}: ${verdict.message}`);
    if (verdict === 'unauthenticated') return sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
    if (verdict === 'denied') {
      const what = `${attrs.resource}.${attrs.group} "${attrs.name ?? ''}"${attrs.namespace ? ` in namespace "${attrs.namespace}"` : ''}`;
      return sendStatus(res, 403, 'Forbidden', `${attrs.verb} of ${what} is forbidden for this user`);
    }
    await r.handle(req, res, m);
  };

  const proxy = (req: IncomingMessage, res: ServerResponse): void => {
    const out = httpsRequest(
      { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host }, ca: opts.upstream.caPem },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
      },
    );
    // The apiserver is away (the cluster lost quorum): the connection drops, as behind a VIP
    // whose backend vanished.
    out.on('error', () => res.destroy());
    res.on('close', () => out.destroy());
    req.pipe(out);
  };

  const server: Server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://front').pathname;
    for (const r of opts.routes) {
      const m = req.method === r.method ? r.path.exec(path) : null;
      if (m) {
        void route(req, res, r, m).catch((err: Error) => sendStatus(res, 500, 'InternalError', err.message));
        return;
      }
    }
    proxy(req, res);
  });

  // Exec and port-forward upgrade the connection: pass the raw bytes both ways.
  const upgraded = new Set<Duplex>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    const upSocket = tlsConnect({ host: up.hostname, port: Number(up.port), ca: opts.upstream.caPem }, () => {
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i]!;
        lines.push(`${k}: ${k.toLowerCase() === 'host' ? up.host : req.rawHeaders[i + 1]!}`);
      }
      upSocket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upSocket.write(head);
      upSocket.pipe(socket);
      socket.pipe(upSocket);
    });
    upSocket.on('error', () => socket.destroy());
    socket.on('error', () => upSocket.destroy());
    socket.on('close', () => upSocket.destroy());
    upSocket.on('close', () => socket.destroy());
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `https://127.0.0.1:${port}`;
  return {
    server: url,
    caPem: pki.caPem,
    endpoint: (token) => ({ server: url, caPem: pki.caPem, token }),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        for (const s of upgraded) s.destroy();
        server.close(() => ok());
      }),
  };
}
