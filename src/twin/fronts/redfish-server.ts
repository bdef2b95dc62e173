// A Redfish BMC for one twin node: HTTPS on the node's loopback address with its own CA,
// session login (X-Auth-Token) and HTTP Basic, ComputerSystem.Reset driving the twin's
// power. A BMC has standby power: it answers whatever state the node is in.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerPki } from '../apiserver/tls.js';
import type { TwinNodePower } from '../power.js';
import { assertLoopback } from './loopback.js';
import {
  AllowedResetTypes,
  computerSystem,
  redfishError,
  RedfishPaths,
  serviceRoot,
  session,
  sessionService,
  sessionsCollection,
  systemsCollection,
  type TwinResetType,
} from './redfish-resources.js';

export interface TwinRedfishOptions {
  node: string;
  address: string;
  port: number;
  username: string;
  password: string;
  power: TwinNodePower;
  pki: ServerPki;
  systemId?: string;
  /** false: no session service (POST Sessions → 405), so clients must use Basic. */
  sessions?: boolean;
}

export class TwinRedfishServer {
  private server: Server | undefined;
  private readonly tokens = new Map<string, string>(); // session id → token
  private readonly uuid = randomUUID();
  readonly systemId: string;
  /** Every reset that was accepted, for tests. */
  readonly resets: TwinResetType[] = [];
  port: number;

  constructor(private readonly opts: TwinRedfishOptions) {
    assertLoopback(opts.address);
    this.systemId = opts.systemId ?? '1';
    this.port = opts.port;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  activeSessions(): number {
    return this.tokens.size;
  }

  async start(): Promise<void> {
    const server = createServer({ cert: this.opts.pki.certPem, key: this.opts.pki.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.opts.address, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = new URL(req.url ?? '/', 'https://bmc').pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/redfish') return send(res, 200, { v1: RedfishPaths.root });
    if (path === '/redfish/v1' && method === 'GET') return send(res, 200, serviceRoot(this.uuid));
    if (path === RedfishPaths.sessions && method === 'POST') return this.login(res, body);
    if (!this.authorized(req)) return send(res, 401, redfishError('NoValidSession', 'No valid session or credentials'));
    const sys = RedfishPaths.system(this.systemId);
    if (method === 'GET') {
      if (path === RedfishPaths.systems) return send(res, 200, systemsCollection([this.systemId]));
      if (path === sys) return send(res, 200, computerSystem(this.systemId, this.opts.node, this.opts.power.state(this.opts.node)));
      if (path === RedfishPaths.sessionService) return send(res, 200, sessionService());
      if (path === RedfishPaths.sessions) return send(res, 200, sessionsCollection([...this.tokens.keys()]));
      const sid = sessionId(path);
      if (sid && this.tokens.has(sid)) return send(res, 200, session(sid, this.opts.username));
    }
    if (method === 'POST' && path === RedfishPaths.reset(this.systemId)) return this.reset(res, body);
    if (method === 'DELETE') {
      const sid = sessionId(path);
      if (sid && this.tokens.delete(sid)) return send(res, 204);
    }
    send(res, 404, redfishError('ResourceMissingAtURI', `The resource at ${path} does not exist`));
  }

  private login(res: ServerResponse, body: string): void {
    if (this.opts.sessions === false) return send(res, 405, redfishError('OperationNotAllowed', 'Sessions are not supported'));
    const creds = parse(body) as { UserName?: string; Password?: string } | undefined;
    if (!creds || !this.valid(creds.UserName, creds.Password)) {
      return send(res, 401, redfishError('ResourceAtUriUnauthorized', 'Invalid username or password'));
    }
    const id = randomBytes(6).toString('hex');
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(id, token);
    send(res, 201, session(id, this.opts.username), { 'X-Auth-Token': token, Location: RedfishPaths.session(id) });
  }

  private reset(res: ServerResponse, body: string): void {
    const type = (parse(body) as { ResetType?: string } | undefined)?.ResetType;
    if (!AllowedResetTypes.includes(type as TwinResetType)) {
      return send(res, 400, redfishError('ActionParameterValueNotInList', `ResetType "${type}" is not one of ${AllowedResetTypes.join(', ')}`));
    }
    const { power, node } = this.opts;
    if (type === 'On') power.powerOn(node);
    else if (type === 'GracefulShutdown') power.requestShutdown(node);
    else power.forceOff(node);
    this.resets.push(type as TwinResetType);
    send(res, 204);
  }

  private authorized(req: IncomingMessage): boolean {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string') return [...this.tokens.values()].some((t) => same(t, token));
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [user, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      return this.valid(user, rest.join(':'));
    }
    return false;
  }

  private valid(user: string | undefined, password: string | undefined): boolean {
    return user === this.opts.username && password !== undefined && same(password, this.opts.password);
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sessionId(path: string): string | undefined {
  return path.startsWith(`${RedfishPaths.sessions}/`) ? path.slice(RedfishPaths.sessions.length + 1) : undefined;
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body?: object, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'OData-Version': '4.0',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
