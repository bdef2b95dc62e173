// The Rancher server's front door, as fallow meets it: HTTPS on loopback with its own CA,
// `GET /ping` → "pong" (no auth, like Rancher), and `/k8s/clusters/local/…` proxied to the
// local cluster's API (here: a twin API server over the Rancher store) once the bearer token
// matches Rancher's API token; anything else is 404. Watches stream through. It can be made
// unreachable (connection refused) and brought back on the same port.
import { timingSafeEqual } from 'node:crypto';
import { createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { LocalClusterPath } from '../../rancher/kinds.js';
import { createServerPki } from '../apiserver/tls.js';
import { assertLoopback } from '../fronts/loopback.js';

export interface FrontOptions {
  host: string;
  token: string;
  upstream: { url: string; caPem: string; token: string };
}

export class RancherFront {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private up = false;
  caPem = '';

  constructor(private readonly o: FrontOptions) {
    assertLoopback(o.host);
  }

  get url(): string {
    return `https://${this.o.host}:${this.port}`;
  }

  get reachable(): boolean {
    return this.up;
  }

  async start(): Promise<void> {
    const pki = await createServerPki(this.o.host);
    this.caPem = pki.caPem;
    this.server = createServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await this.listen();
  }

  /** false: connections are refused (Rancher down); true: it listens again on the same port. */
  async setReachable(up: boolean): Promise<void> {
    if (up === this.up) return;
    if (up) return this.listen();
    this.up = false;
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  async stop(): Promise<void> {
    await this.setReachable(false);
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.o.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.up = true;
  }

  private authorized(req: IncomingMessage): boolean {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const got = Buffer.from(m[1]!);
    const want = Buffer.from(this.o.token);
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path === '/ping') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('pong');
      return;
    }
    if (!path.startsWith(`${LocalClusterPath}/`) && path !== LocalClusterPath) {
      status(res, 404, 'NotFound', 'not found');
      return;
    }
    if (!this.authorized(req)) {
      status(res, 401, 'Unauthorized', 'must authenticate');
      return;
    }
    const up = new URL(this.o.upstream.url);
    const headers = { ...req.headers, host: up.host, authorization: `Bearer ${this.o.upstream.token}` };
    const out = request(
      { hostname: up.hostname, port: up.port, method: req.method, path: path.slice(LocalClusterPath.length) || '/', headers, ca: this.o.upstream.caPem },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.flushHeaders(); // a watch with nothing to say yet must still get its headers
        upRes.pipe(res);
      },
    );
    out.on('error', () => {
      if (!res.headersSent) status(res, 503, 'ServiceUnavailable', 'the local cluster is not answering');
      else res.destroy();
    });
    res.on('close', () => out.destroy());
    req.pipe(out);
  }
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, message, code }));
}
